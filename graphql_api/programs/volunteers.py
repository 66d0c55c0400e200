from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import strawberry
import strawberry_django
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from strawberry import Info, relay

from graphql_api import rows
from graphql_api.access.types import organization_field
from graphql_api.connection import Connection
from graphql_api.context import actor_of
from graphql_api.declare import requires
from graphql_api.enums import choices_enum
from graphql_api.errors import decode_id, run
from graphql_api.lookups import in_subtree, visible_by_id, with_id
from graphql_api.orgs.types import organization_row
from graphql_api.programs.common import CHANGE, CONFIRM, VIEW, ProgramError, can_at, given, ids
from permissions.masking import mask_phone
from programs import volunteers as services
from programs.models import Origin, ServiceRecord, Volunteer

OriginEnum = choices_enum(Origin, "VolunteerOrigin", "志愿者来源 / Where a volunteer comes from")
_CONFIRMED_HOURS = Coalesce(Subquery(
    ServiceRecord.objects.confirmed().filter(volunteer=OuterRef("pk")).order_by()
    .values("volunteer").annotate(h=Sum("hours")).values("h")), Decimal("0"), output_field=DecimalField())


@strawberry.type(name="VolunteerSummary", description="志愿服务证明 / A volunteer's certificate-style summary")
class SummaryInfo:
    confirmed_hours: Decimal
    unconfirmed_hours: Decimal = strawberry.field(description="待确认（不计入） / Awaiting confirmation, not counted")
    services: int
    first_served_on: Optional[date]
    last_served_on: Optional[date]
    certificate: str


@strawberry_django.filter_type(Volunteer, lookups=False)
class VolunteerFilter:
    @strawberry_django.filter_field(description="该组织及其下级 / This organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return in_subtree(value, prefix)

    @strawberry_django.filter_field
    def origin(self, value: OriginEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}origin": value.value})

    @strawberry_django.filter_field(description="服务队 / Team")
    def team(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}team": value.strip()})

    @strawberry_django.filter_field(description="姓名开头 / Name starts with")
    def name_prefix(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}name__startswith": value.strip()})


def shown_phone(phone: str, clear: bool) -> str:
    """A volunteer's phone: in clear for those who manage the programme there (change_program), else masked."""
    return phone if clear else mask_phone(phone)


@strawberry_django.type(Volunteer, name="Volunteer", description="志愿者（电话对非管理人员脱敏） / A volunteer, phone masked for viewers")
class VolunteerType(relay.Node):
    name: str
    origin_name: str
    team: str
    skills: list[str]
    created_at: datetime
    organization = organization_field("登记组织 / The organization that registered the volunteer")

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return actor_of(info).visible(queryset, VIEW).annotate(confirmed_hours_total=_CONFIRMED_HOURS)

    @strawberry_django.field(only=["phone", "organization_id", "org_path"],
                             description="电话；有管理项目权限时为明文 / Phone, in clear with change_program there")
    def phone(self, info: Info) -> str:
        return shown_phone(self.phone, can_at(info, CHANGE, self))

    @strawberry_django.field(only=["origin"])
    def origin(self) -> OriginEnum:
        return OriginEnum[self.origin]

    @strawberry_django.field(description="已确认服务时长 / Confirmed hours")
    def confirmed_hours(self) -> Decimal:
        if hasattr(self, "confirmed_hours_total"):
            return self.confirmed_hours_total
        return services.summary(self).confirmed_hours  # reached as a related row, not through get_queryset

    @strawberry_django.field(description="服务证明 / Certificate-style summary")
    def summary(self) -> SummaryInfo:
        s = services.summary(self)
        return SummaryInfo(confirmed_hours=s.confirmed_hours, unconfirmed_hours=s.unconfirmed_hours, services=s.services,
                           first_served_on=s.first_served_on, last_served_on=s.last_served_on,
                           certificate=s.certificate(self.name))


@strawberry_django.filter_type(ServiceRecord, lookups=False)
class ServiceRecordFilter:
    @strawberry_django.filter_field(description="该组织及其下级 / This organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return in_subtree(value, prefix)

    @strawberry_django.filter_field(description="已确认 / Confirmed")
    def confirmed(self, value: bool, prefix: str) -> Q:
        return Q(**{f"{prefix}confirmed_at__isnull": not value})

    @strawberry_django.filter_field
    def volunteer(self, value: relay.GlobalID, prefix: str) -> Q:
        return with_id(value, "volunteer", prefix)

    @strawberry_django.filter_field
    def happy_home(self, value: relay.GlobalID, prefix: str) -> Q:
        return with_id(value, "happy_home", prefix)

    @strawberry_django.filter_field
    def service_point(self, value: relay.GlobalID, prefix: str) -> Q:
        return with_id(value, "service_point", prefix)

    @strawberry_django.filter_field(description="服务日期不早于 / Served on or after")
    def served_from(self, value: date, prefix: str) -> Q:
        return Q(**{f"{prefix}served_on__gte": value})

    @strawberry_django.filter_field(description="服务日期不晚于 / Served on or before")
    def served_to(self, value: date, prefix: str) -> Q:
        return Q(**{f"{prefix}served_on__lte": value})


@strawberry_django.type(ServiceRecord, name="ServiceRecord", description="服务时长记录 / Hours served at a site or service point")
class ServiceRecordType(relay.Node):
    served_on: date
    hours: Decimal
    description: str
    recorded_by: str
    confirmed_by: str
    confirmed_at: Optional[datetime]
    created_at: datetime
    organization = organization_field("服务地点所属组织 / The body of the site or service point")

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return actor_of(info).visible(queryset, VIEW)

    @strawberry_django.field(only=["confirmed_at"], description="已确认（只有确认的时长计入） / Confirmed; only these count")
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @strawberry_django.field(select_related=["volunteer"], description="志愿者姓名 / The volunteer's name")
    def volunteer_name(self) -> str:
        return self.volunteer.name

    @strawberry_django.field(select_related=["volunteer"], description="志愿者；不可见时为 null / Null outside your scope")
    def volunteer(self, info: Info) -> Optional[VolunteerType]:
        return self.volunteer if can_at(info, VIEW, self.volunteer) else None

    @strawberry_django.field(select_related=["happy_home", "service_point"], description="服务地点 / Where")
    def place_name(self) -> str:
        return (self.happy_home or self.service_point).name


VOLUNTEER_ROWS = rows.Spec("Volunteer", Volunteer, {
    **rows.columns("name", "origin_name", "team", "skills", "created_at"),
    "organization": organization_row(),
    "phone": rows.Field(("phone", "org_path", "organization_id"), lambda c, page: shown_phone(
        c["phone"], page.allows_row(CHANGE, VOLUNTEER_ROWS.label, c))),
    "origin": rows.column("origin", lambda stored: OriginEnum[stored]),
    "confirmedHours": rows.Field(("confirmed_hours_total",), lambda c, page: c["confirmed_hours_total"]),
})

SERVICE_RECORD_ROWS = rows.Spec("ServiceRecord", ServiceRecord, {
    **rows.columns("served_on", "hours", "description", "recorded_by", "confirmed_by", "confirmed_at", "created_at"),
    "organization": organization_row(),
    "confirmed": rows.Field(("confirmed_at",), lambda c, page: c["confirmed_at"] is not None),
    "volunteerName": rows.Field(("volunteer__name",), lambda c, page: c["volunteer__name"]),
    "placeName": rows.Field(("happy_home_id", "happy_home__name", "service_point__name"), lambda c, page: (
        c["happy_home__name"] if c["happy_home_id"] is not None else c["service_point__name"])),
})


@strawberry.input
class VolunteerInput:
    organization_id: relay.GlobalID
    name: str
    origin: OriginEnum
    phone: str = ""
    origin_name: str = strawberry.field(default="", description="所在高校、单位 / University or unit")
    team: str = strawberry.field(default="", description="服务队（如三下乡团队） / Team")
    skills: list[str] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateVolunteerInput:
    id: relay.GlobalID
    name: Optional[str] = None
    origin: Optional[OriginEnum] = None
    phone: Optional[str] = None
    origin_name: Optional[str] = None
    team: Optional[str] = None
    skills: Optional[list[str]] = None


@strawberry.input
class RecordServiceHoursInput:
    volunteer_id: relay.GlobalID
    served_on: date
    hours: Decimal
    happy_home_id: Optional[relay.GlobalID] = None
    service_point_id: Optional[relay.GlobalID] = None
    description: str = ""


@strawberry.input
class ConfirmServiceHoursInput:
    record_ids: list[relay.GlobalID]


@strawberry.type
class VolunteerPayload:
    volunteer: Optional[VolunteerType] = None
    errors: list[ProgramError]


@strawberry.type
class ServiceRecordPayload:
    record: Optional[ServiceRecordType] = None
    errors: list[ProgramError]


@strawberry.type
class ConfirmServiceHoursPayload:
    records: list[ServiceRecordType] = strawberry.field(default_factory=list)
    errors: list[ProgramError]


@strawberry.type
class Query:
    volunteers: Connection[VolunteerType] = strawberry_django.connection(
        filters=VolunteerFilter, extensions=requires(VIEW), description="可见范围内的志愿者 / Volunteers in your scope")
    service_records: Connection[ServiceRecordType] = strawberry_django.connection(
        filters=ServiceRecordFilter, extensions=requires(VIEW), description="服务时长记录 / Service hours in your scope")

    @strawberry_django.field(extensions=requires(VIEW), description="按 ID 取志愿者 / One volunteer")
    def volunteer(self, info: Info, id: relay.GlobalID) -> Optional[VolunteerType]:
        return visible_by_id(VolunteerType, info, id, "Volunteer")


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires(CHANGE), description="登记志愿者 / Register a volunteer")
    def create_volunteer(self, info: Info, input: VolunteerInput) -> VolunteerPayload:
        actor = actor_of(info)
        return run(VolunteerPayload, ProgramError, lambda: {"volunteer": services.create_volunteer(
            actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"),
            **given(input, "name", "origin", "phone", "origin_name", "team", "skills"))})

    @strawberry.mutation(extensions=requires(CHANGE), description="修改志愿者 / Change a volunteer")
    def update_volunteer(self, info: Info, input: UpdateVolunteerInput) -> VolunteerPayload:
        actor = actor_of(info)
        return run(VolunteerPayload, ProgramError, lambda: {"volunteer": services.update_volunteer(
            actor, volunteer_id=decode_id(input.id, "Volunteer"),
            **given(input, "name", "origin", "phone", "origin_name", "team", "skills"))})

    @strawberry.mutation(extensions=requires(CHANGE), description="登记服务时长（待确认） / Record hours, to be confirmed")
    def record_service_hours(self, info: Info, input: RecordServiceHoursInput) -> ServiceRecordPayload:
        actor = actor_of(info)
        return run(ServiceRecordPayload, ProgramError, lambda: {"record": services.record_hours(
            actor, volunteer_id=decode_id(input.volunteer_id, "Volunteer", "volunteerId"), served_on=input.served_on,
            hours=input.hours, happy_home_id=decode_id(input.happy_home_id, "HappyHome", "happyHomeId"),
            service_point_id=decode_id(input.service_point_id, "ServicePoint", "servicePointId"),
            description=input.description)})

    @strawberry.mutation(extensions=requires(CONFIRM), description="确认服务时长（全部或全不） / Confirm hours, all or none")
    def confirm_service_hours(self, info: Info, input: ConfirmServiceHoursInput) -> ConfirmServiceHoursPayload:
        actor = actor_of(info)
        return run(ConfirmServiceHoursPayload, ProgramError, lambda: {"records": services.confirm_hours(
            actor, record_ids=ids(input.record_ids, "ServiceRecord", "recordIds"))})
