from children import privacy
from datetime import date, datetime
from typing import Optional

import strawberry
import strawberry_django
from django.db.models import Q
from strawberry import Info, relay
from strawberry.file_uploads import Upload

from children.models import Child
from graphql_api import rows
from graphql_api.access.types import organization_field
from graphql_api.children.types import ChildType
from graphql_api.connection import Connection
from graphql_api.context import actor_of, today
from graphql_api.declare import requires
from graphql_api.enums import choices_enum
from graphql_api.errors import decode_id, run
from graphql_api.lookups import in_subtree, visible_by_id, with_id
from graphql_api.orgs.types import organization_row
from graphql_api.photos import PhotoInfo, photo_infos
from graphql_api.programs.common import CHANGE, VIEW, ProgramError, ids, visible_children
from programs import campaigns as services
from programs.models import Activity, ActivityKind, Campaign

ActivityKindEnum = choices_enum(ActivityKind, "ActivityKind", "活动类型 / Kind of activity")


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


def _taking_part(relation: str) -> rows.Many:
    """How many take part (children, volunteers): the activity's links, read for the whole page at once."""
    return rows.Many(getattr(Activity, relation).through, "activity_id", (), (), lambda c, found, page: len(found))


ACTIVITY_ROWS = rows.Spec("Activity", Activity, {
    **rows.columns("title", "held_on", "place", "narrative", "recorded_by", "created_at"),
    "organization": organization_row(),
    "kind": rows.column("kind", lambda stored: ActivityKindEnum[stored]),
    "campaignTitle": rows.Field(("campaign_id", "campaign__title"),
                                lambda c, page: c["campaign__title"] if c["campaign_id"] else None),
    "siteName": rows.Field(("happy_home_id", "happy_home__name", "service_point_id", "service_point__name"), lambda c, page: (
        c["happy_home__name"] if c["happy_home_id"] else c["service_point__name"] if c["service_point_id"] else None)),
    "childrenCount": _taking_part("children"),
    "volunteersCount": _taking_part("volunteers"),
})


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
            attachments=input.attachments)})

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
