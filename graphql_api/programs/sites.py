from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import strawberry
import strawberry_django
from django.db.models import Q
from strawberry import Info, relay

from children.models import Child
from graphql_api.access.types import organization_field
from graphql_api.children.types import ChildType
from graphql_api.connection import Connection
from graphql_api.context import actor_of
from graphql_api.declare import requires
from graphql_api.enums import choices_enum
from graphql_api.errors import decode_id, run
from graphql_api.lookups import in_subtree, visible_by_id
from graphql_api.programs.common import CHANGE, VIEW, ProgramError, can_at, given, ids, visible_children
from graphql_api.programs.volunteers import VolunteerType
from programs import sites as services
from programs.models import Corner, FundingSource, HappyHome, StaffRole

CornerEnum = choices_enum(Corner, "CornerKind", "功能室 / Room or corner")
StaffRoleEnum = choices_enum(StaffRole, "HappyHomeStaffRole", "岗位 / Staff role")
FundingSourceEnum = choices_enum(FundingSource, "FundingSource", "经费来源 / Source of funds")
FIELDS = ("name", "division_code", "address", "opened_on", "area_m2", "open_after_school", "open_weekends",
          "open_holidays", "opening_hours", "books_count", "supervision_group")


@strawberry.type(name="HappyHomeCorner")
class CornerInfo:
    kind: CornerEnum
    name: str
    computers: int = strawberry.field(description="电脑台数（快乐网上行） / Computers, for video calls with parents")


@strawberry.type(name="HappyHomeStaff")
class StaffInfo:
    role: StaffRoleEnum
    name: str


@strawberry.type(name="HappyHomeFunding")
class FundingInfo:
    year: int
    source: FundingSourceEnum
    amount: Decimal


@strawberry.type(name="SiteStandard", description="达标检查 / One standard a site is checked against")
class StandardInfo:
    code: str = strawberry.field(description="VOLUNTEER_RATIO | STAFF | OPENING_HOURS")
    title: str = strawberry.field(description="检查项名称（志愿者比例、专职人员、开放时间） / The standard's name")
    met: bool
    figure: str
    explanation: str


@strawberry.type(name="InterestGroup", description="兴趣小组 / An interest group")
class GroupInfo:
    id: strawberry.ID
    name: str
    schedule: str
    member_count: int
    members: list[ChildType]


@strawberry_django.filter_type(HappyHome, lookups=False)
class HappyHomeFilter:
    @strawberry_django.filter_field(description="该组织及其下级 / This organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return in_subtree(value, prefix)

    @strawberry_django.filter_field(description="区划代码前缀 / Division code prefix")
    def division_code(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}division_code__startswith": value.strip()})

    @strawberry_django.filter_field(description="名称包含 / Name contains")
    def name_contains(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}name__contains": value.strip()})


@strawberry_django.type(HappyHome, name="HappyHome", description="快乐家园 / A happy-home site")
class HappyHomeType(relay.Node):
    name: str
    division_code: str
    address: str
    opened_on: Optional[date]
    area_m2: int
    open_after_school: bool
    open_weekends: bool
    open_holidays: bool
    opening_hours: str
    books_count: int
    supervision_group: str
    created_at: datetime
    organization = organization_field("运营组织 / The body that runs it")

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return services.with_counts(actor_of(info).visible(queryset, VIEW))

    @strawberry_django.field(only=["corners"])
    def corners(self) -> list[CornerInfo]:
        return [CornerInfo(kind=CornerEnum[c["kind"]], name=c["name"], computers=c["computers"]) for c in self.corners]

    @strawberry_django.field(prefetch_related=["staff"])
    def staff(self) -> list[StaffInfo]:
        return [StaffInfo(role=StaffRoleEnum[s.role], name=s.name) for s in self.staff.all()]

    @strawberry_django.field(prefetch_related=["funding"], description="年度经费 / Funding by year and source")
    def funding(self) -> list[FundingInfo]:
        return [FundingInfo(year=f.year, source=FundingSourceEnum[f.source], amount=f.amount) for f in self.funding.all()]

    @strawberry_django.field(description="服务儿童数 / Children served")
    def children_count(self) -> int:
        return self.children_count

    @strawberry_django.field(description="志愿者数 / Volunteers assigned")
    def volunteers_count(self) -> int:
        return self.volunteers_count

    @strawberry_django.field(prefetch_related=["staff"], only=["open_after_school", "open_weekends", "open_holidays"],
                             description="达标检查及说明 / Standards, with figures and why")
    def standards(self) -> list[StandardInfo]:
        return [StandardInfo(code=s.code, title=s.title, met=s.met, figure=s.figure, explanation=s.explanation)
                for s in services.standards_of(self)]

    @strawberry_django.field(prefetch_related=["staff"], only=["open_after_school", "open_weekends", "open_holidays"],
                             description="有未达标项 / Falls below at least one standard")
    def below_standard(self) -> bool:
        return services.below_standard(self)

    @strawberry_django.field(description="服务的儿童（彩色档案即成长记录），仅可见者 / Children served that you may see")
    def children(self, info: Info) -> list[ChildType]:
        return visible_children(info, Child.objects.filter(homechild__home=self).order_by("name", "id"))

    @strawberry_django.field(prefetch_related=["volunteers"], description="志愿者 / Volunteers assigned")
    def volunteers(self) -> list[VolunteerType]:
        return list(self.volunteers.all())

    @strawberry_django.field(prefetch_related=["groups__members"], description="兴趣小组 / Interest groups")
    def groups(self, info: Info) -> list[GroupInfo]:
        out = []
        for g in self.groups.all():
            members = [c for c in g.members.all() if can_at(info, "children.view_child", c)]
            out.append(GroupInfo(id=strawberry.ID(str(g.pk)), name=g.name, schedule=g.schedule,
                                 member_count=len(g.members.all()), members=members))
        return out


@strawberry.input
class CornerInput:
    kind: CornerEnum
    name: str = ""
    computers: int = 0


@strawberry.input
class StaffInput:
    role: StaffRoleEnum
    name: str


@strawberry.input
class FundingInput:
    year: int
    source: FundingSourceEnum
    amount: Decimal


@strawberry.input
class HappyHomeInput:
    organization_id: relay.GlobalID
    name: str
    division_code: str = ""
    address: str = ""
    opened_on: Optional[date] = None
    area_m2: int = 0
    corners: list[CornerInput] = strawberry.field(default_factory=list)
    open_after_school: bool = False
    open_weekends: bool = False
    open_holidays: bool = False
    opening_hours: str = ""
    books_count: int = 0
    supervision_group: str = ""
    staff: list[StaffInput] = strawberry.field(default_factory=list)
    funding: list[FundingInput] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateHappyHomeInput:
    id: relay.GlobalID
    name: Optional[str] = None
    division_code: Optional[str] = None
    address: Optional[str] = None
    opened_on: Optional[date] = None
    area_m2: Optional[int] = None
    corners: Optional[list[CornerInput]] = None
    open_after_school: Optional[bool] = None
    open_weekends: Optional[bool] = None
    open_holidays: Optional[bool] = None
    opening_hours: Optional[str] = None
    books_count: Optional[int] = None
    supervision_group: Optional[str] = None
    staff: Optional[list[StaffInput]] = strawberry.field(default=None, description="给出则整体替换 / Replaces the list")
    funding: Optional[list[FundingInput]] = strawberry.field(default=None, description="给出则整体替换 / Replaces the list")


@strawberry.input
class HappyHomeMembersInput:
    home_id: relay.GlobalID
    add_child_ids: list[relay.GlobalID] = strawberry.field(default_factory=list)
    remove_child_ids: list[relay.GlobalID] = strawberry.field(default_factory=list)
    add_volunteer_ids: list[relay.GlobalID] = strawberry.field(default_factory=list)
    remove_volunteer_ids: list[relay.GlobalID] = strawberry.field(default_factory=list)


@strawberry.input
class InterestGroupInput:
    home_id: relay.GlobalID
    name: str
    schedule: str = ""
    member_ids: list[relay.GlobalID] = strawberry.field(default_factory=list, description="须为本家园服务的儿童 / Children the site serves")
    id: Optional[strawberry.ID] = strawberry.field(default=None, description="修改已有小组 / To change an existing group")


@strawberry.type
class HappyHomePayload:
    happy_home: Optional[HappyHomeType] = None
    errors: list[ProgramError]


@strawberry.type
class InterestGroupPayload:
    group_id: Optional[strawberry.ID] = None
    errors: list[ProgramError]


def _values(data) -> dict:
    values = given(data, *FIELDS)
    if data.corners is not None:
        values["corners"] = [{"kind": c.kind.value, "name": c.name, "computers": c.computers} for c in data.corners]
    if data.staff is not None:
        values["staff"] = [(s.role.value, s.name) for s in data.staff]
    if data.funding is not None:
        values["funding"] = [(f.year, f.source.value, f.amount) for f in data.funding]
    return values


def _reloaded(info: Info, home) -> HappyHomeType:
    """The site again through the type's queryset, so its counts are annotated."""
    return HappyHomeType.get_queryset(HappyHome.objects.all(), info).get(pk=home.pk)


@strawberry.type
class Query:
    happy_homes: Connection[HappyHomeType] = strawberry_django.connection(
        filters=HappyHomeFilter, extensions=requires(VIEW), description="可见范围内的快乐家园 / Happy homes in your scope")

    @strawberry_django.field(extensions=requires(VIEW), description="按 ID 取快乐家园 / One happy home")
    def happy_home(self, info: Info, id: relay.GlobalID) -> Optional[HappyHomeType]:
        return visible_by_id(HappyHomeType, info, id, "HappyHome")


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires(CHANGE), description="建立快乐家园 / Open a happy-home site")
    def create_happy_home(self, info: Info, input: HappyHomeInput) -> HappyHomePayload:
        actor = actor_of(info)
        return run(HappyHomePayload, ProgramError, lambda: {"happy_home": _reloaded(info, services.create_home(
            actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"), **_values(input)))})

    @strawberry.mutation(extensions=requires(CHANGE), description="修改快乐家园 / Change a happy-home site")
    def update_happy_home(self, info: Info, input: UpdateHappyHomeInput) -> HappyHomePayload:
        actor = actor_of(info)
        return run(HappyHomePayload, ProgramError, lambda: {"happy_home": _reloaded(info, services.update_home(
            actor, home_id=decode_id(input.id, "HappyHome"), **_values(input)))})

    @strawberry.mutation(extensions=requires(CHANGE), description="增减服务儿童与志愿者 / Add or remove children and volunteers")
    def set_happy_home_members(self, info: Info, input: HappyHomeMembersInput) -> HappyHomePayload:
        actor = actor_of(info)
        return run(HappyHomePayload, ProgramError, lambda: {"happy_home": _reloaded(info, services.set_members(
            actor, home_id=decode_id(input.home_id, "HappyHome", "homeId"),
            add_child_ids=ids(input.add_child_ids, "Child", "addChildIds"),
            remove_child_ids=ids(input.remove_child_ids, "Child", "removeChildIds"),
            add_volunteer_ids=ids(input.add_volunteer_ids, "Volunteer", "addVolunteerIds"),
            remove_volunteer_ids=ids(input.remove_volunteer_ids, "Volunteer", "removeVolunteerIds")))})

    @strawberry.mutation(extensions=requires(CHANGE), description="保存兴趣小组 / Create or change an interest group")
    def save_interest_group(self, info: Info, input: InterestGroupInput) -> InterestGroupPayload:
        actor = actor_of(info)

        def action():
            group = services.save_group(
                actor, home_id=decode_id(input.home_id, "HappyHome", "homeId"), name=input.name, schedule=input.schedule,
                member_ids=ids(input.member_ids, "Child", "memberIds"),
                group_id=None if input.id is None else int(input.id) if str(input.id).isdigit() else 0)
            return {"group_id": strawberry.ID(str(group.pk))}

        return run(InterestGroupPayload, ProgramError, action)
