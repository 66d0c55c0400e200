from children import privacy
from core.errors import ServiceError
from datetime import date, datetime
from typing import Optional

import strawberry
import strawberry_django
from django.db.models import Q
from strawberry import Info, relay
from strawberry.file_uploads import Upload

from children.models import Child
from graphql_api.access.types import organization_field
from graphql_api.children.types import ChildType
from graphql_api.connection import Connection
from graphql_api.context import actor_of, today
from graphql_api.declare import requires
from graphql_api.enums import choices_enum
from graphql_api.errors import decode_id, run
from graphql_api.lookups import in_subtree, visible_by_id, with_id
from graphql_api.photos import PhotoInfo, photo_infos
from graphql_api.orgs.types import SystemEnum
from graphql_api.programs.common import CHANGE, VIEW, ProgramError, ids, relay_id, visible_children
from programs import campaigns as services
from programs.models import Activity, ActivityKind, Campaign, CoAnnouncerState

ActivityKindEnum = choices_enum(ActivityKind, "ActivityKind", "活动类型 / Kind of activity")
CoAnnouncerStateEnum = choices_enum(CoAnnouncerState, "CoAnnouncerState", "联合发起状态 / A co-announcer's answer")


@strawberry.type(description="联合发起组织 / A body invited to announce the campaign jointly")
class CampaignCoAnnouncer:
    organization_id: relay.GlobalID
    organization_name: str
    state: CoAnnouncerStateEnum
    invited_by: str
    responded_by: str
    responded_at: Optional[datetime]
    can_respond: bool = strawberry.field(description="你可代其确认或谢绝 / You may confirm or decline for it")


@strawberry.type(description="行动在一个发起组织（含下级）的数字 / A campaign's figures in one announcing body's subtree")
class CampaignFigures:
    organization_id: relay.GlobalID
    organization_name: str
    co_announcer: bool = strawberry.field(description="联合发起组织 / A co-announcer (not the announcer)")
    wishes: int = strawberry.field(description="征集心愿 / Wishes collected under the campaign")
    wishes_fulfilled: int = strawberry.field(description="已圆梦 / Of them fulfilled")
    activities: int = strawberry.field(description="开展活动 / Activities held")


@strawberry.type(description="行动按行政区划的数字，跨系统每条记录只计一次 / A campaign's figures for one division, "
                             "across systems, each record once")
class CampaignDivisionFigures:
    division_code: str
    organization_names: list[str] = strawberry.field(description="计入的各系统组织 / The bodies counted there")
    wishes: int
    wishes_fulfilled: int
    activities: int


@strawberry.type(description="可联合发起的组织 / A body that may announce jointly")
class CampaignPartnerOption:
    id: relay.GlobalID
    name: str
    system: SystemEnum


@strawberry_django.filter_type(Campaign, lookups=False)
class CampaignFilter:
    @strawberry_django.filter_field(description="发布组织在该组织及其下级 / Announced in this organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return in_subtree(value, prefix)

    @strawberry_django.filter_field(description="在该日期进行中 / Running on this date")
    def running_on(self, value: date, prefix: str) -> Q:
        return Q(**{f"{prefix}starts_on__lte": value, f"{prefix}ends_on__gte": value})

    @strawberry_django.filter_field(description="标题包含 / Title contains")
    def title_contains(self, value: str, prefix: str) -> Q:
        return Q(**{f"{prefix}title__contains": value})


@strawberry_django.type(Campaign, name="Campaign", description="行动及其通知 / A campaign and its notice")
class CampaignType(relay.Node):
    title: str
    notice_title: str
    notice_text: str
    starts_on: date
    ends_on: date
    report_deadline: Optional[date]
    announced_by: str
    created_at: datetime
    organization = organization_field("发布组织；不可见时为 null / The announcing body, null outside your scope")

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return services.visible(actor_of(info), queryset)

    @strawberry_django.field(select_related=["organization"], description="发布组织名称 / The announcing body's name")
    def announcer_name(self) -> str:
        return self.organization.name

    @strawberry_django.field(prefetch_related=["coverage__organization"],
                             description="覆盖的组织（含下级） / Organizations covered, each with its subtree")
    def covered_organization_names(self) -> list[str]:
        return [c.organization.name for c in self.coverage.all()]

    @strawberry_django.field(only=["report_deadline"], description="已过报送截止 / Past the report deadline")
    def report_overdue(self, info: Info) -> bool:
        return self.report_deadline is not None and self.report_deadline < today(info)

    @strawberry_django.field(prefetch_related=["co_announcers"], description="联合发起 / Announced jointly")
    def joint(self) -> bool:
        return any(c.state != CoAnnouncerState.DECLINED for c in self.co_announcers.all())

    @strawberry_django.field(prefetch_related=["co_announcers__organization"],
                             description="联合发起组织及其答复 / Co-announcers and their answers")
    def co_announcers(self, info: Info) -> list[CampaignCoAnnouncer]:
        scope = actor_of(info).scope
        return [CampaignCoAnnouncer(
            organization_id=relay_id("Organization", c.organization_id), organization_name=c.organization.name,
            state=CoAnnouncerStateEnum[c.state], invited_by=c.invited_by, responded_by=c.responded_by,
            responded_at=c.responded_at,
            can_respond=c.state == CoAnnouncerState.INVITED and scope.allows(CHANGE, c.organization))
            for c in self.co_announcers.all()]

    @strawberry_django.field(select_related=["organization"], prefetch_related=["co_announcers__organization"],
                             description="各发起组织（含下级）的数字；需发起组织或其上级的统计权限 / Each announcing "
                                         "body's figures; needs the rollups' permission at or above one of them")
    def figures(self, info: Info) -> list[CampaignFigures]:
        return [CampaignFigures(organization_id=relay_id("Organization", body.pk), organization_name=body.name,
                                co_announcer=body.pk != self.organization_id, wishes=f.wishes,
                                wishes_fulfilled=f.wishes_fulfilled, activities=f.activities)
                for body, f in services.figures(actor_of(info), self)]

    @strawberry_django.field(select_related=["organization"], prefetch_related=["co_announcers__organization"],
                             description="该组织下一级各区划的数字；无统计权限或无区划代码时为空，跨系统每条记录只计一次 / Per division one level "
                                         "below the organization's, across systems, each record counted once")
    def figures_by_division(self, info: Info, organization_id: relay.GlobalID) -> list[CampaignDivisionFigures]:
        try:
            rows = services.figures_by_division(actor_of(info), self, decode_id(organization_id, "Organization", "organizationId"))
        except ServiceError:  # an organization without figures for you, or without a division code
            return []
        return [CampaignDivisionFigures(division_code=code, organization_names=names, wishes=f.wishes,
                                        wishes_fulfilled=f.wishes_fulfilled, activities=f.activities)
                for code, names, f in rows]

    @strawberry_django.field(prefetch_related=["attachments"], description="通知附件 / The notice's pages")
    def attachments(self, info: Info) -> list[PhotoInfo]:
        return photo_infos(services.ATTACHMENTS, self.attachments.all(), actor_of(info))


@strawberry_django.filter_type(Activity, lookups=False)
class ActivityFilter:
    @strawberry_django.filter_field(description="该组织及其下级 / This organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return in_subtree(value, prefix)

    @strawberry_django.filter_field
    def campaign(self, value: relay.GlobalID, prefix: str) -> Q:
        return with_id(value, "campaign", prefix)

    @strawberry_django.filter_field
    def happy_home(self, value: relay.GlobalID, prefix: str) -> Q:
        return with_id(value, "happy_home", prefix)

    @strawberry_django.filter_field
    def service_point(self, value: relay.GlobalID, prefix: str) -> Q:
        return with_id(value, "service_point", prefix)

    @strawberry_django.filter_field
    def kind(self, value: ActivityKindEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}kind": value.value})

    @strawberry_django.filter_field(description="不早于 / On or after")
    def held_from(self, value: date, prefix: str) -> Q:
        return Q(**{f"{prefix}held_on__gte": value})

    @strawberry_django.filter_field(description="不晚于 / On or before")
    def held_to(self, value: date, prefix: str) -> Q:
        return Q(**{f"{prefix}held_on__lte": value})


@strawberry_django.type(Activity, name="Activity", description="活动 / An activity")
class ActivityType(relay.Node):
    title: str
    held_on: date
    place: str
    narrative: str
    recorded_by: str
    created_at: datetime
    organization = organization_field("举办组织 / The body that held it")

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return actor_of(info).visible(queryset, VIEW)

    @strawberry_django.field(only=["kind"])
    def kind(self) -> ActivityKindEnum:
        return ActivityKindEnum[self.kind]

    @strawberry_django.field(select_related=["campaign"], description="所属行动 / The campaign")
    def campaign_title(self) -> Optional[str]:
        return self.campaign.title if self.campaign_id else None

    @strawberry_django.field(select_related=["happy_home", "service_point"], description="快乐家园或服务点 / Site or service point")
    def site_name(self) -> Optional[str]:
        place = self.happy_home or self.service_point
        return place.name if place else None

    @strawberry_django.field(prefetch_related=["children"], description="参加儿童人数 / Children taking part")
    def children_count(self) -> int:
        return len(self.children.all())

    @strawberry_django.field(prefetch_related=["volunteers"], description="参加志愿者人数 / Volunteers taking part")
    def volunteers_count(self) -> int:
        return len(self.volunteers.all())

    @strawberry_django.field(description="参加的儿童（仅可见者） / Children taking part that you may see")
    def children(self, info: Info) -> list[ChildType]:
        return visible_children(info, Child.objects.filter(activities=self).order_by("name", "id"))

    @strawberry_django.field(prefetch_related=["volunteers"], description="参加的志愿者姓名 / Volunteers' names")
    def volunteer_names(self) -> list[str]:
        return [v.name for v in self.volunteers.all()]

    @strawberry_django.field(prefetch_related=["photos"], only=["organization_id", "org_path"],
                             description="活动照片，仅儿童个人信息权限可见 / Photos: children's PII permission only")
    def photos(self, info: Info) -> list[PhotoInfo]:
        if not privacy.photos_visible(actor_of(info).scope, self):
            return []
        return photo_infos(services.PHOTOS, self.photos.all(), actor_of(info))


@strawberry.input
class AnnounceCampaignInput:
    organization_id: relay.GlobalID
    title: str
    notice_title: str
    notice_text: str
    starts_on: date
    ends_on: date
    report_deadline: Optional[date] = None
    covered_organization_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="为空则覆盖本组织全部下级 / Empty: the announcing body's whole subtree")
    attachments: list[Upload] = strawberry.field(default_factory=list, description="通知附件（图片，去除 EXIF） / Notice pages, EXIF stripped")
    co_announcer_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="联合发起：同一地区其他系统的组织，各自确认后覆盖本系统下级 / Joint: bodies of "
                                          "other systems in the same division; each confirms, then covers its own subtree")


@strawberry.input
class RespondToCampaignInvitationInput:
    campaign_id: relay.GlobalID
    organization_id: relay.GlobalID = strawberry.field(description="受邀的联合发起组织 / The invited body")
    accept: bool
    covered_organization_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="确认时覆盖的下级；为空则本组织全部下级 / On confirming: what it covers; empty: its whole subtree")


@strawberry.input
class SetCampaignCoverageInput:
    campaign_id: relay.GlobalID
    organization_id: relay.GlobalID = strawberry.field(description="发起或已确认的联合发起组织 / The announcer or a co-announcer that confirmed")
    covered_organization_ids: list[relay.GlobalID] = strawberry.field(
        default_factory=list, description="为空则本组织全部下级 / Empty: its whole subtree")


@strawberry.input
class RecordActivityInput:
    organization_id: relay.GlobalID
    title: str
    kind: ActivityKindEnum
    held_on: date
    place: str = ""
    narrative: str = ""
    campaign_id: Optional[relay.GlobalID] = None
    happy_home_id: Optional[relay.GlobalID] = None
    service_point_id: Optional[relay.GlobalID] = None
    child_ids: list[relay.GlobalID] = strawberry.field(default_factory=list)
    volunteer_ids: list[relay.GlobalID] = strawberry.field(default_factory=list)
    photos: list[Upload] = strawberry.field(default_factory=list, description="活动照片（去除 EXIF/GPS） / Photos, EXIF/GPS stripped")


@strawberry.type
class CampaignPayload:
    campaign: Optional[CampaignType] = None
    errors: list[ProgramError]


@strawberry.type
class ActivityPayload:
    activity: Optional[ActivityType] = None
    errors: list[ProgramError]


@strawberry.type
class Query:
    campaigns: Connection[CampaignType] = strawberry_django.connection(
        filters=CampaignFilter, extensions=requires(VIEW),
        description="本组织发布或覆盖本组织的行动 / Campaigns announced in or covering your scope")
    activities: Connection[ActivityType] = strawberry_django.connection(
        filters=ActivityFilter, extensions=requires(VIEW), description="活动 / Activities in your scope")

    @strawberry_django.field(extensions=requires(VIEW), description="按 ID 取行动 / One campaign")
    def campaign(self, info: Info, id: relay.GlobalID) -> Optional[CampaignType]:
        return visible_by_id(CampaignType, info, id, "Campaign")

    @strawberry_django.field(extensions=requires(CHANGE),
                             description="可与该组织联合发起行动的组织 / Bodies that may announce jointly with it")
    def campaign_partner_options(self, info: Info, organization_id: relay.GlobalID) -> list[CampaignPartnerOption]:
        try:
            found = services.partner_options(actor_of(info), decode_id(organization_id, "Organization", "organizationId"))
        except ServiceError:  # not visible, or no right to announce there: nothing to offer
            return []
        return [CampaignPartnerOption(id=relay_id("Organization", o.pk), name=o.name, system=SystemEnum[o.system])
                for o in found]

    @strawberry_django.field(extensions=requires(VIEW), description="按 ID 取活动 / One activity")
    def activity(self, info: Info, id: relay.GlobalID) -> Optional[ActivityType]:
        return visible_by_id(ActivityType, info, id, "Activity")


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires(CHANGE), description="发布行动通知 / Announce a campaign")
    def announce_campaign(self, info: Info, input: AnnounceCampaignInput) -> CampaignPayload:
        actor = actor_of(info)
        return run(CampaignPayload, ProgramError, lambda: {"campaign": services.announce(
            actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"), title=input.title,
            notice_title=input.notice_title, notice_text=input.notice_text, starts_on=input.starts_on,
            ends_on=input.ends_on, report_deadline=input.report_deadline,
            covered_organization_ids=ids(input.covered_organization_ids, "Organization", "coveredOrganizationIds"),
            attachments=input.attachments,
            co_announcer_ids=ids(input.co_announcer_ids, "Organization", "coAnnouncerIds"))})

    @strawberry.mutation(extensions=requires(CHANGE),
                         description="确认或谢绝联合发起 / Confirm or decline announcing a campaign jointly")
    def respond_to_campaign_invitation(self, info: Info, input: RespondToCampaignInvitationInput) -> CampaignPayload:
        actor = actor_of(info)
        return run(CampaignPayload, ProgramError, lambda: {"campaign": services.respond_to_invitation(
            actor, campaign_id=decode_id(input.campaign_id, "Campaign", "campaignId"),
            organization_id=decode_id(input.organization_id, "Organization", "organizationId"), accept=input.accept,
            covered_organization_ids=ids(input.covered_organization_ids, "Organization", "coveredOrganizationIds"))})

    @strawberry.mutation(extensions=requires(CHANGE),
                         description="设置本组织在行动中的覆盖范围 / Set the part of a campaign's coverage that is yours")
    def set_campaign_coverage(self, info: Info, input: SetCampaignCoverageInput) -> CampaignPayload:
        actor = actor_of(info)
        return run(CampaignPayload, ProgramError, lambda: {"campaign": services.set_coverage(
            actor, campaign_id=decode_id(input.campaign_id, "Campaign", "campaignId"),
            organization_id=decode_id(input.organization_id, "Organization", "organizationId"),
            covered_organization_ids=ids(input.covered_organization_ids, "Organization", "coveredOrganizationIds"))})

    @strawberry.mutation(extensions=requires(CHANGE), description="记录活动 / Record an activity")
    def record_activity(self, info: Info, input: RecordActivityInput) -> ActivityPayload:
        actor = actor_of(info)
        return run(ActivityPayload, ProgramError, lambda: {"activity": services.record_activity(
            actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"), title=input.title,
            kind=input.kind.value, held_on=input.held_on, place=input.place, narrative=input.narrative,
            campaign_id=decode_id(input.campaign_id, "Campaign", "campaignId"),
            happy_home_id=decode_id(input.happy_home_id, "HappyHome", "happyHomeId"),
            service_point_id=decode_id(input.service_point_id, "ServicePoint", "servicePointId"),
            child_ids=ids(input.child_ids, "Child", "childIds"), volunteer_ids=ids(input.volunteer_ids, "Volunteer", "volunteerIds"),
            uploads=input.photos)})
