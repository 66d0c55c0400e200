import enum
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Optional

import strawberry
import strawberry_django
from django.db.models import F, Q
from django.utils import timezone
from strawberry import Info, relay

from graphql_api.access.types import organization_field
from graphql_api import rows
from graphql_api.children.types import ChildType, age_on, child_row
from graphql_api.orgs.types import organization_row
from graphql_api.context import actor_of, today
from graphql_api.enums import choices_enum
from graphql_api.lookups import in_subtree, with_id
from graphql_api.photos import PhotoInfo, photo_infos
from permissions.masking import mask_name
from wishes.models import Category, Claim, DispatchState, DonorKind, State, Wish
from wishes import machine, services
from wishes.services import PHOTOS

CategoryEnum = choices_enum(Category, "WishCategory", "心愿类别 / Kind of wish")
StateEnum = choices_enum(State, "WishState", "心愿状态 / Life-cycle state")
DonorKindEnum = choices_enum(DonorKind, "DonorKind", "认领人类型 / Donor type")
DispatchStateEnum = choices_enum(DispatchState, "DispatchState", "派单状态 / Dispatch state")
# Each action of wishes/machine.py, described by its Chinese name as every enum value is.
WishActionEnum = strawberry.enum(
    enum.Enum("WishAction", {action.upper(): strawberry.enum_value(action, description=step.label.zh)
                             for action, step in machine.TRANSITIONS.items()}),
    name="WishAction", description="心愿上的操作 / An action on a wish")


@strawberry.type(name="WishClaim", description="认领 / A donor's claim")
class ClaimInfo:
    donor_kind: DonorKindEnum
    donor_label: str
    amount: Decimal
    via_dispatch: bool
    created_at: datetime


@strawberry.type(name="WishDispatch", description="派单 / A dispatch to a unit")
class DispatchInfo:
    id: strawberry.ID
    unit_name: str
    state: DispatchStateEnum
    deadline: datetime
    responded_by: str


@strawberry_django.filter_type(Wish, lookups=False)
class WishFilter:
    @strawberry_django.filter_field
    def state(self, value: StateEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}state": value.value})

    @strawberry_django.filter_field
    def category(self, value: CategoryEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}category": value.value})

    @strawberry_django.filter_field(description="该组织及其下级 / This organization's subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return in_subtree(value, prefix)

    @strawberry_django.filter_field(description="征集所属行动 / Collected under this campaign")
    def campaign(self, value: relay.GlobalID, prefix: str) -> Q:
        return with_id(value, "campaign", prefix)

    @strawberry_django.filter_field(description="超过认领截止仍未认领 / Past the claim deadline and not claimed")
    def overdue(self, value: bool, prefix: str) -> Q:
        late = Q(**{f"{prefix}state": State.PUBLISHED, f"{prefix}claim_deadline__lt": timezone.localdate()})
        return late if value else ~late

    @strawberry_django.filter_field(description="仍有未认领金额 / Still has an unclaimed amount")
    def claimable(self, value: bool, prefix: str) -> Q:
        open_ = Q(**{f"{prefix}state": State.PUBLISHED, f"{prefix}covered_amount__lt": F(f"{prefix}estimated_value")})
        return open_ if value else ~open_


def claim_info(donor_kind: str, donor_label: str, amount: Decimal, via_dispatch: bool, created_at: datetime,
               public: bool) -> ClaimInfo:
    """On the public board a person's name is masked; units are named (爱心单位 are thanked publicly)."""
    label = mask_name(donor_label) if public and donor_kind == DonorKind.PERSON else donor_label
    return ClaimInfo(donor_kind=DonorKindEnum[donor_kind], donor_label=label, amount=amount, via_dispatch=via_dispatch,
                     created_at=created_at)


def _claims(wish, public: bool) -> list[ClaimInfo]:
    return [claim_info(c.donor_kind, c.donor_label, c.amount, c.via_dispatch, c.created_at, public)
            for c in wish.claims.all()]


def surname_only(name: str) -> str:
    return name[0] + "*"


def masked_household(household: str) -> str:
    return mask_name(household) if household else ""


@strawberry_django.type(Wish, name="Wish", description="微心愿（工作人员视图） / A micro-wish, as its staff see it")
class WishType(relay.Node):
    title: str
    text: str
    household: str
    estimated_value: Decimal
    covered_amount: Decimal
    quantity: int
    claim_deadline: date | None
    return_reason: str
    close_reason: str
    delivery_note: str
    thanks: str = strawberry_django.field(description="圆梦时给认领人的感谢语 / The thank-you the donors read")
    published_at: datetime | None
    delivered_at: datetime | None
    fulfilled_at: datetime | None
    escalated_at: datetime | None
    created_at: datetime
    organization = organization_field("征集组织 / The body that collected it")

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return actor_of(info).visible(queryset, "wishes.view_wish")

    @strawberry_django.field(only=["state"])
    def state(self) -> StateEnum:
        return StateEnum[self.state]

    @strawberry_django.field(
        select_related=["organization__parent", "handling_organization__parent"],
        only=["state", "covered_amount", "organization_id", "handling_organization_id", "organization__path",
              "handling_organization__path"],  # scope.allows reads each place's path
        description="你现在可以执行的操作（按状态、权限与认领情况） / What you may do with it now (its state, your "
                    "permissions, its claims)")
    def available_actions(self, info: Info) -> list[WishActionEnum]:
        return [WishActionEnum[action.upper()] for action in machine.available(self, actor_of(info).scope)]

    @strawberry_django.field(only=["category"])
    def category(self) -> CategoryEnum:
        return CategoryEnum[self.category]

    @strawberry_django.field(only=["estimated_value", "covered_amount"])
    def remaining(self) -> Decimal:
        return self.remaining

    @strawberry_django.field(select_related=["campaign"], description="征集所属行动 / The campaign it was collected under")
    def campaign_title(self) -> Optional[str]:
        return self.campaign.title if self.campaign_id else None

    @strawberry_django.field(select_related=["handling_organization"], only=["handling_organization__name"],
                             description="现办理组织 / Handled by now")
    def handling_organization_name(self) -> Optional[str]:
        return self.handling_organization.name if self.handling_organization_id else None

    @strawberry_django.field(select_related=["child"], description="儿童档案；无权查看时为 null / The child, null outside your scope")
    def child(self, info: Info) -> Optional[ChildType]:
        child = self.child
        if child is None or not actor_of(info).scope.allows_row("children.view_child", child):
            return None
        return child

    @strawberry_django.field(prefetch_related=["claims"])
    def claims(self) -> list[ClaimInfo]:
        return _claims(self, public=False)

    @strawberry_django.field(prefetch_related=["photos"], select_related=["child"], only=["child_id", "organization_id", "org_path"],
                             description="发放现场照片；有儿童时需个人信息权限 / Photos of the delivery: with a child, "
                                         "the personal-data permission")
    def photos(self, info: Info) -> list[PhotoInfo]:
        actor = actor_of(info)
        return photo_infos(PHOTOS, self.photos.all(), actor) if services.photos_visible(actor.scope, self) else []

    @strawberry_django.field(prefetch_related=["dispatches__unit"])
    def dispatches(self) -> list[DispatchInfo]:
        return [DispatchInfo(id=strawberry.ID(str(d.pk)), unit_name=d.unit.name, state=DispatchStateEnum[d.state],
                             deadline=d.deadline, responded_by=d.responded_by) for d in self.dispatches.all()]


@strawberry_django.type(Wish, name="PublishedWish",
                        description="公示的心愿（认领人视图，儿童脱敏） / A wish on the public board, child masked")
class PublishedWishType(relay.Node):
    title: str
    text: str
    estimated_value: Decimal
    covered_amount: Decimal
    quantity: int
    claim_deadline: date | None
    published_at: datetime | None

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return actor_of(info).visible(queryset, "wishes.view_published_wish").filter(state=State.PUBLISHED)

    @strawberry_django.field(only=["category"])
    def category(self) -> CategoryEnum:
        return CategoryEnum[self.category]

    @strawberry_django.field(only=["estimated_value", "covered_amount"])
    def remaining(self) -> Decimal:
        return self.remaining

    @strawberry_django.field(select_related=["organization"], description="村/组织名称 / The village or body")
    def place(self) -> str:
        return self.organization.name

    @strawberry_django.field(select_related=["child"], description="儿童（仅姓） / The child: surname only")
    def child_name(self) -> Optional[str]:
        return surname_only(self.child.name) if self.child_id else None

    @strawberry_django.field(select_related=["child"])
    def child_age(self, info: Info) -> Optional[int]:
        return age_on(self.child.birth_date, today(info)) if self.child_id else None

    @strawberry_django.field(only=["household"], description="困难家庭（脱敏） / The household, masked")
    def household(self) -> str:
        return masked_household(self.household)

    @strawberry_django.field(prefetch_related=["claims"])
    def claims(self) -> list[ClaimInfo]:
        return _claims(self, public=True)


# --- plain rows (graphql_api/rows.py) ---------------------------------------------------------------------------------

_PLACES = ("organization", "handling_organization")
_PLACE_COLUMNS = ("state", "covered_amount", *(f"{place}{column}" for place in _PLACES for column in (
    "_id", "__path", "__parent_id", "__parent__path")))


def _place(c: dict, place: str):
    """A wish's organization as machine.place and machine.blocked read it: path, id, parent (or None)."""
    if c[f"{place}_id"] is None:
        return None
    parent_id = c[f"{place}__parent_id"]
    parent = SimpleNamespace(id=parent_id, path=c[f"{place}__parent__path"]) if parent_id is not None else None
    return SimpleNamespace(id=c[f"{place}_id"], path=c[f"{place}__path"], parent_id=parent_id, parent=parent)


def _actions(c: dict, page: rows.Page) -> list[WishActionEnum]:
    wish = SimpleNamespace(state=c["state"], covered_amount=c["covered_amount"],
                           **{place: _place(c, place) for place in _PLACES})
    return [WishActionEnum[action.upper()] for action in machine.available(wish, page)]


def _claim_rows(public: bool) -> rows.Many:
    fields = ("donor_kind", "donor_label", "amount", "via_dispatch", "created_at")
    return rows.Many(Claim, "wish_id", fields, (), lambda c, found, page: [
        claim_info(*(claim[f] for f in fields), public) for claim in found])


_WISH_COLUMNS = rows.columns("title", "text", "estimated_value", "covered_amount", "quantity", "claim_deadline",
                             "published_at")
_REMAINING = rows.Field(("estimated_value", "covered_amount"), lambda c, page: c["estimated_value"] - c["covered_amount"])

WISH_ROWS = rows.Spec("Wish", Wish, {
    **_WISH_COLUMNS,
    **rows.columns("household", "return_reason", "close_reason", "delivery_note", "thanks", "delivered_at",
                   "fulfilled_at", "escalated_at", "created_at"),
    "state": rows.column("state", lambda stored: StateEnum[stored]),
    "category": rows.column("category", lambda stored: CategoryEnum[stored]),
    "remaining": _REMAINING,
    "campaignTitle": rows.Field(("campaign_id", "campaign__title"),
                                lambda c, page: c["campaign__title"] if c["campaign_id"] else None),
    "handlingOrganizationName": rows.Field(("handling_organization_id", "handling_organization__name"), lambda c, page: (
        c["handling_organization__name"] if c["handling_organization_id"] else None)),
    "organization": organization_row(),
    "child": child_row(),
    "availableActions": rows.Field(_PLACE_COLUMNS, _actions),
    "claims": _claim_rows(public=False),
})

PUBLISHED_WISH_ROWS = rows.Spec("PublishedWish", Wish, {
    **_WISH_COLUMNS,
    "category": rows.column("category", lambda stored: CategoryEnum[stored]),
    "remaining": _REMAINING,
    "place": rows.Field(("organization__name",), lambda c, page: c["organization__name"]),
    "childName": rows.Field(("child_id", "child__name"),
                            lambda c, page: surname_only(c["child__name"]) if c["child_id"] else None),
    "childAge": rows.Field(("child_id", "child__birth_date"),
                           lambda c, page: age_on(c["child__birth_date"], page.today) if c["child_id"] else None),
    "household": rows.column("household", masked_household),
    "claims": _claim_rows(public=True),
})
