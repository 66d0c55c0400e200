from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import strawberry
import strawberry_django
from django.db.models import Q
from strawberry import Info, relay

from graphql_api.access.types import organization_field
from graphql_api.connection import Connection
from graphql_api.context import actor_of
from graphql_api.declare import requires
from graphql_api.enums import choices_enum
from graphql_api.errors import decode_id, run
from graphql_api.lookups import in_subtree, visible_by_id, with_id
from graphql_api.programs.common import CHANGE, VIEW, ProgramError, can_at, ids
from graphql_api.programs.volunteers import VolunteerType
from programs import holidays as services
from programs.models import HolidayProject, PointKind, Season, ServicePoint

SeasonEnum = choices_enum(Season, "HolidaySeason", "假期 / Season")
PointKindEnum = choices_enum(PointKind, "ServicePointKind", "服务点类型 / Where the point is")


@strawberry.type(name="HolidayFigures", description="七彩假期统计（只计已确认时长） / Holiday figures, confirmed hours only")
class FiguresInfo:
    service_points: int
    children_served: int
    volunteers: int = strawberry.field(description="志愿者（多点服务只计一次） / Volunteers, each counted once")
    service_hours: Decimal
    money_raised: Decimal
    goods_value: Decimal


def _figures(f: services.Figures) -> FiguresInfo:
    return FiguresInfo(**f.__dict__)


@strawberry_django.filter_type(HolidayProject, lookups=False)
class HolidayProjectFilter:
    @strawberry_django.filter_field(description="该组织及其下级 / This organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return in_subtree(value, prefix)

    @strawberry_django.filter_field
    def year(self, value: int, prefix: str) -> Q:
        return Q(**{f"{prefix}year": value})

    @strawberry_django.filter_field
    def season(self, value: SeasonEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}season": value.value})


@strawberry_django.type(HolidayProject, name="HolidayProject", description="七彩假期项目 / A holiday service project")
class HolidayProjectType(relay.Node):
    name: str
    year: int
    starts_on: date
    ends_on: date
    created_at: datetime
    organization = organization_field("组织单位 / The organizing league committee")

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return actor_of(info).visible(queryset, VIEW)

    @strawberry_django.field(only=["season"])
    def season(self) -> SeasonEnum:
        return SeasonEnum[self.season]

    @strawberry_django.field(select_related=["campaign"], description="所属行动名称 / The campaign it belongs to")
    def campaign_title(self) -> Optional[str]:
        return self.campaign.title if self.campaign_id else None

    @strawberry_django.field(description="您可见的服务点合计 / Figures over the points you may see")
    def figures(self, info: Info) -> FiguresInfo:
        return _figures(services.project_figures(actor_of(info), self))

    @strawberry_django.field(description="您可见的服务点 / The service points you may see")
    def service_points(self, info: Info) -> list["ServicePointType"]:
        return list(actor_of(info).visible(ServicePoint.objects.filter(project=self), VIEW).select_related("organization"))


@strawberry_django.filter_type(ServicePoint, lookups=False)
class ServicePointFilter:
    @strawberry_django.filter_field(description="该组织及其下级 / This organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return in_subtree(value, prefix)

    @strawberry_django.filter_field
    def project(self, value: relay.GlobalID, prefix: str) -> Q:
        return with_id(value, "project", prefix)

    @strawberry_django.filter_field
    def kind(self, value: PointKindEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}kind": value.value})


@strawberry_django.type(ServicePoint, name="ServicePoint", description="七彩假期服务点 / A holiday service point")
class ServicePointType(relay.Node):
    name: str
    division_code: str
    starts_on: date
    ends_on: date
    team: str
    children_served: int
    money_raised: Decimal
    goods_value: Decimal
    organization = organization_field("承办组织 / The host body")

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return services.with_point_figures(actor_of(info).visible(queryset, VIEW))

    @strawberry_django.field(only=["kind"])
    def kind(self) -> PointKindEnum:
        return PointKindEnum[self.kind]

    @strawberry_django.field(select_related=["project"], description="项目名称 / The project's name")
    def project_name(self) -> str:
        return self.project.name

    @strawberry_django.field(select_related=["project"], description="项目；不可见时为 null / Null outside your scope")
    def project(self, info: Info) -> Optional[HolidayProjectType]:
        return self.project if can_at(info, VIEW, self.project) else None

    @strawberry_django.field(prefetch_related=["volunteers"])
    def volunteers(self) -> list[VolunteerType]:
        return list(self.volunteers.all())

    @strawberry_django.field(only=["children_served", "money_raised", "goods_value"], description="本服务点统计 / This point's figures")
    def figures(self) -> FiguresInfo:
        return _figures(services.point_figures(self))


@strawberry.input
class HolidayProjectInput:
    organization_id: relay.GlobalID
    name: str
    year: int
    season: SeasonEnum
    starts_on: date
    ends_on: date
    campaign_id: Optional[relay.GlobalID] = None


@strawberry.input
class ServicePointInput:
    project_id: relay.GlobalID
    organization_id: relay.GlobalID = strawberry.field(description="承办组织（项目组织或其下级） / Host: the organizer or below")
    name: str
    kind: PointKindEnum
    starts_on: date
    ends_on: date
    division_code: str = ""
    team: str = ""


@strawberry.input
class ReportServicePointInput:
    id: relay.GlobalID
    children_served: Optional[int] = None
    money_raised: Optional[Decimal] = None
    goods_value: Optional[Decimal] = None
    team: Optional[str] = None
    add_volunteer_ids: list[relay.GlobalID] = strawberry.field(default_factory=list)
    remove_volunteer_ids: list[relay.GlobalID] = strawberry.field(default_factory=list)


@strawberry.type
class HolidayProjectPayload:
    project: Optional[HolidayProjectType] = None
    errors: list[ProgramError]


@strawberry.type
class ServicePointPayload:
    service_point: Optional[ServicePointType] = None
    errors: list[ProgramError]


@strawberry.type
class Query:
    holiday_projects: Connection[HolidayProjectType] = strawberry_django.connection(
        filters=HolidayProjectFilter, extensions=requires(VIEW), description="七彩假期项目 / Holiday projects in your scope")
    service_points: Connection[ServicePointType] = strawberry_django.connection(
        filters=ServicePointFilter, extensions=requires(VIEW), description="七彩假期服务点 / Service points in your scope")

    @strawberry_django.field(extensions=requires(VIEW), description="按 ID 取项目 / One holiday project")
    def holiday_project(self, info: Info, id: relay.GlobalID) -> Optional[HolidayProjectType]:
        return visible_by_id(HolidayProjectType, info, id, "HolidayProject")


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires(CHANGE), description="创建七彩假期项目 / Create a holiday project")
    def create_holiday_project(self, info: Info, input: HolidayProjectInput) -> HolidayProjectPayload:
        actor = actor_of(info)
        return run(HolidayProjectPayload, ProgramError, lambda: {"project": services.create_project(
            actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"), name=input.name,
            year=input.year, season=input.season.value, starts_on=input.starts_on, ends_on=input.ends_on,
            campaign_id=decode_id(input.campaign_id, "Campaign", "campaignId"))})

    @strawberry.mutation(extensions=requires(CHANGE), description="设立服务点 / Open a service point")
    def create_service_point(self, info: Info, input: ServicePointInput) -> ServicePointPayload:
        actor = actor_of(info)
        return run(ServicePointPayload, ProgramError, lambda: {"service_point": services.create_point(
            actor, project_id=decode_id(input.project_id, "HolidayProject", "projectId"),
            organization_id=decode_id(input.organization_id, "Organization", "organizationId"), name=input.name,
            kind=input.kind.value, starts_on=input.starts_on, ends_on=input.ends_on,
            division_code=input.division_code, team=input.team)})

    @strawberry.mutation(extensions=requires(CHANGE),
                         description="填报服务点数据与志愿者 / Report a point's figures and volunteers")
    def report_service_point(self, info: Info, input: ReportServicePointInput) -> ServicePointPayload:
        actor = actor_of(info)
        return run(ServicePointPayload, ProgramError, lambda: {"service_point": services.report_point(
            actor, point_id=decode_id(input.id, "ServicePoint"), children_served=input.children_served,
            money_raised=input.money_raised, goods_value=input.goods_value, team=input.team,
            add_volunteer_ids=ids(input.add_volunteer_ids, "Volunteer", "addVolunteerIds"),
            remove_volunteer_ids=ids(input.remove_volunteer_ids, "Volunteer", "removeVolunteerIds"))})
