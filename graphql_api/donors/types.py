"""The public board (anyone, the child as surname and age only) and what donors read: their claims with each
wish's progress, their unit applications."""

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Optional

import strawberry
import strawberry_django
from django.db.models import Q
from django.utils import timezone
from strawberry import Info, relay

from children.privacy import public_child
from donors import services
from donors.models import ApplicationState, UnitApplication
from graphql_api import rows
from graphql_api.context import actor_of
from graphql_api.enums import choices_enum
from graphql_api.lookups import in_subtree, with_id
from graphql_api.photos import PhotoInfo, photo_infos
from graphql_api.wishes.types import CategoryEnum, DonorKindEnum, StateEnum
from orgs.models import KINDS, Kind, Level, System
from permissions.masking import mask_name
from wishes.machine import CLAIM_CANCELLABLE
from wishes.models import Claim, Wish, WishPhoto
from wishes.services import PHOTOS, claimed_by, consents_cover_photos, photos_consented, public_board

ApplicationStateEnum = choices_enum(ApplicationState, "UnitApplicationState", "爱心单位申请状态 / State of a unit's application")
UnitKindEnum = choices_enum([k for k in Kind if k in KINDS[System.UNIT]], "UnitKind", "单位类型 / Kind of unit")


def _places(level: int, name: str, parent_name: Optional[str]) -> tuple[Optional[str], Optional[str]]:
    """(township, village) of the body that collected a wish, from its level, name and its parent's name (None
    without a parent): a village body and its township, or a township."""
    if level == Level.VILLAGE:
        return parent_name, name
    if level == Level.TOWNSHIP:
        return name, None
    return None, None


def _place_of(organization) -> tuple[int, str, Optional[str]]:
    """What ``_places`` reads of a model instance (its parent selected with it)."""
    return organization.level, organization.name, organization.parent.name if organization.parent_id else None


@strawberry_django.filter_type(Wish, lookups=False)
class PublicWishFilter:
    @strawberry_django.filter_field
    def category(self, value: CategoryEnum, prefix: str) -> Q:
        return Q(**{f"{prefix}category": value.value})

    @strawberry_django.filter_field(description="地区（组织及其下级） / An area: the organization and its subtree")
    def organization(self, value: relay.GlobalID, prefix: str) -> Q:
        return in_subtree(value, prefix)

    @strawberry_django.filter_field(description="征集所属行动 / Collected under this campaign")
    def campaign(self, value: relay.GlobalID, prefix: str) -> Q:
        return with_id(value, "campaign", prefix)


_PLACE = ["organization__name", "organization__level", "organization__parent_id", "organization__parent__name"]


@strawberry_django.type(Wish, name="PublicWish", description=(
    "公示的心愿（公开视图）：儿童只显示姓氏和年龄，没有任何可以把同一儿童的几个心愿联系起来的标识 / A wish on the public "
    "board: the child as surname and age only, with nothing that links two wishes of one child"))
class PublicWishType(relay.Node):
    title: str
    text: str
    estimated_value: Decimal = strawberry_django.field(description="估价（元） / Estimated value, yuan")
    quantity: int
    claim_deadline: Optional[date]
    published_at: Optional[datetime]

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return queryset.filter(pk__in=public_board().values("pk")).order_by("-published_at", "-id")

    @strawberry_django.field(only=["category"])
    def category(self) -> CategoryEnum:
        return CategoryEnum[self.category]

    @strawberry_django.field(only=["estimated_value", "covered_amount"], description="尚未认领的金额 / Still to claim, yuan")
    def remaining(self) -> Decimal:
        return self.remaining

    @strawberry_django.field(select_related=["organization__parent"], only=_PLACE, description="乡镇 / The township")
    def township_name(self) -> Optional[str]:
        return _places(*_place_of(self.organization))[0]

    @strawberry_django.field(select_related=["organization__parent"], only=_PLACE, description="村（社区） / The village")
    def village_name(self) -> Optional[str]:
        return _places(*_place_of(self.organization))[1]

    @strawberry_django.field(select_related=["organization"], only=["organization__name"], description="征集组织 / The collecting body")
    def organization_name(self) -> str:
        return self.organization.name

    @strawberry_django.field(select_related=["campaign"], only=["campaign__title"], description="所属行动 / The campaign")
    def campaign_title(self) -> Optional[str]:
        return self.campaign.title if self.campaign_id else None

    @strawberry_django.field(select_related=["child"], only=["child__name", "child__birth_date"],
                             description="儿童的姓氏（不含名字） / The child's surname only")
    def child_surname(self) -> Optional[str]:
        return public_child(self.child, timezone.localdate())[0] if self.child_id else None

    @strawberry_django.field(select_related=["child"], only=["child__name", "child__birth_date"],
                             description="儿童年龄（周岁） / The child's age in whole years")
    def child_age(self) -> Optional[int]:
        return public_child(self.child, timezone.localdate())[1] if self.child_id else None

    @strawberry_django.field(only=["household"], description="困难家庭（脱敏） / The household, masked")
    def household(self) -> str:
        return mask_name(self.household) if self.household else ""


@strawberry.type(name="PublicArea", description="公示心愿所在的地区 / An area with wishes on the board")
class PublicArea:
    id: relay.GlobalID
    name: str
    level: int


@strawberry.type(name="PublicCampaign", description="有公示心愿的行动 / A campaign with wishes on the board")
class PublicCampaign:
    id: relay.GlobalID
    title: str


@strawberry.type(name="PublicBoardOptions", description="心愿墙的筛选项 / The board's filter choices")
class PublicBoardOptions:
    areas: list[PublicArea]
    campaigns: list[PublicCampaign]
    min_share: Decimal = strawberry.field(description="个人认领一份的最低金额（元），剩余全部除外 / A person's smallest share, yuan, "
                                                      "unless it takes all that remains")


@strawberry.type(name="ClaimProgress", description="心愿进度中的一步 / One step of a wish's progress")
class ProgressStep:
    state: StateEnum
    done: bool
    at: Optional[datetime]


# A wish's progress as a donor follows it (备礼 may be skipped: delivered straight from claimed counts it done).
_STEPS = [("CLAIMED", "claimed_at"), ("PREPARED", None), ("DELIVERED", "delivered_at"), ("FULFILLED", "fulfilled_at")]
_RANK = {"PUBLISHED": 0, "CLAIMED": 1, "PREPARED": 2, "DELIVERED": 3, "FULFILLED": 4}


def _progress(state: str, stamp_of) -> list[ProgressStep]:
    """The four steps of a wish in ``state``, each done one with its time (``stamp_of(<the wish's field>)``)."""
    rank = _RANK.get(state, 0)
    return [ProgressStep(state=StateEnum[step], done=rank >= _RANK[step],
                         at=stamp_of(stamp) if stamp and rank >= _RANK[step] else None) for step, stamp in _STEPS]


def _claim_place(level: int, name: str, parent_name: Optional[str]) -> str:
    """Where a claimed wish was collected, as its donor reads it: village and township, or the body's name."""
    return " ".join(p for p in _places(level, name, parent_name) if p) or name


@strawberry_django.type(Claim, name="DonorClaim", description=(
    "我的认领（个人或所代表的单位）与心愿进度 / A claim of yours or of your unit, with the wish's progress"))
class DonorClaimType(relay.Node):
    amount: Decimal = strawberry_django.field(description="认领金额（元） / Amount, yuan")
    donor_label: str = strawberry_django.field(description="认领人 / Who claimed")
    created_at: datetime

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        return queryset.filter(claimed_by(actor_of(info))).order_by("-created_at", "-id")

    @strawberry_django.field(only=["donor_kind"])
    def donor_kind(self) -> DonorKindEnum:
        return DonorKindEnum[self.donor_kind]

    @strawberry_django.field(select_related=["wish"], only=["wish__title"], description="心愿 / The wish")
    def wish_title(self) -> str:
        return self.wish.title

    @strawberry_django.field(only=["wish_id"])
    def wish_id(self) -> relay.GlobalID:
        return relay.GlobalID("PublicWish", str(self.wish_id))

    @strawberry_django.field(select_related=["wish"], only=["wish__category"])
    def category(self) -> CategoryEnum:
        return CategoryEnum[self.wish.category]

    @strawberry_django.field(select_related=["wish"], only=["wish__estimated_value"], description="心愿估价（元） / The wish's value, yuan")
    def estimated_value(self) -> Decimal:
        return self.wish.estimated_value

    @strawberry_django.field(select_related=["wish"], only=["wish__estimated_value", "wish__covered_amount"],
                             description="心愿尚未认领的金额 / Still unclaimed, yuan")
    def remaining(self) -> Decimal:
        return self.wish.remaining

    @strawberry_django.field(select_related=["wish__organization__parent"], only=[f"wish__{f}" for f in _PLACE],
                             description="村（社区）或乡镇 / The village or township")
    def place(self) -> str:
        return _claim_place(*_place_of(self.wish.organization))

    @strawberry_django.field(select_related=["wish"], only=["wish__state"], description="心愿当前状态 / The wish's state now")
    def wish_state(self) -> StateEnum:
        return StateEnum[self.wish.state]

    @strawberry_django.field(select_related=["wish"], only=["wish__state", "wish__claimed_at", "wish__delivered_at",
                                                            "wish__fulfilled_at"], description=(
        "认领完成、备礼、发放、圆梦四步及其时间 / Claimed in full, prepared, delivered, fulfilled, and when"))
    def progress(self) -> list[ProgressStep]:
        return _progress(self.wish.state, lambda stamp: getattr(self.wish, stamp))

    @strawberry_django.field(select_related=["wish"], only=["wish__thanks"], description="组织的感谢语（圆梦后） / The organization's thank-you, at fulfilment")
    def thanks(self) -> str:
        return self.wish.thanks

    @strawberry_django.field(select_related=["wish"], only=["wish__state"], description="可以取消认领（备礼之前） / May still be cancelled (before preparation)")
    def cancellable(self) -> bool:
        return self.wish.state in CLAIM_CANCELLABLE

    @strawberry_django.field(select_related=["wish__child"], only=["wish__child_id", "wish__child__id"],
                             prefetch_related=["wish__photos", "wish__child__consents"],
                             description="发放现场照片：仅在监护人同意拍照时显示 / Delivery photos, only where the guardian consented")
    def photos(self, info: Info) -> list[PhotoInfo]:
        return photo_infos(PHOTOS, self.wish.photos.all(), actor_of(info)) if photos_consented(self.wish) else []


def _photo_rows(c: dict, found: list[dict], page: rows.Page) -> list[PhotoInfo]:
    """A claim's delivery photos from its wish's photos, each read once per consent of the child (``_PHOTOS``):
    shown only where the child's consents cover photos, as ``photos_consented`` decides for the model path."""
    if not found:
        return []
    consents = [(f["wish__child__consents__photos"], f["wish__child__consents__withdrawn_at"]) for f in found
                if f["wish__child__consents__photos"] is not None]
    if found[0]["wish__child_id"] is not None and not consents_cover_photos(consents):
        return []
    photos = {f["id"]: SimpleNamespace(pk=f["id"], created_at=f["created_at"]) for f in found}
    return photo_infos(PHOTOS, photos.values(), actor_of(page.info))


_PHOTOS = ("id", "created_at", "wish__child_id", "wish__child__consents__photos", "wish__child__consents__withdrawn_at")
_CLAIM_PLACE = tuple(f"wish__organization__{f}" for f in ("level", "name", "parent__name"))


def _wish_column(name: str, convert=None) -> rows.Field:
    """A field that is the claimed wish's column ``name``, as stored or converted."""
    return rows.Field((f"wish__{name}",), lambda c, page: c[f"wish__{name}"] if convert is None else convert(
        c[f"wish__{name}"]))


DONOR_CLAIM_ROWS = rows.Spec("DonorClaim", Claim, {
    **rows.columns("amount", "donor_label", "created_at"),
    "donorKind": rows.column("donor_kind", lambda stored: DonorKindEnum[stored]),
    "wishId": rows.Field(("wish_id",), lambda c, page: relay.GlobalID("PublicWish", str(c["wish_id"]))),
    "wishTitle": _wish_column("title"),
    "category": _wish_column("category", lambda stored: CategoryEnum[stored]),
    "estimatedValue": _wish_column("estimated_value"),
    "remaining": rows.Field(("wish__estimated_value", "wish__covered_amount"),
                            lambda c, page: c["wish__estimated_value"] - c["wish__covered_amount"]),
    "place": rows.Field(_CLAIM_PLACE, lambda c, page: _claim_place(*(c[f] for f in _CLAIM_PLACE))),
    "wishState": _wish_column("state", lambda stored: StateEnum[stored]),
    "progress": rows.Field(tuple(f"wish__{f}" for f in ("state", "claimed_at", "delivered_at", "fulfilled_at")),
                           lambda c, page: _progress(c["wish__state"], lambda stamp: c[f"wish__{stamp}"])),
    "thanks": _wish_column("thanks"),
    "cancellable": _wish_column("state", lambda stored: stored in CLAIM_CANCELLABLE),
    "photos": rows.Many(WishPhoto, "wish_id", _PHOTOS, (), _photo_rows, by="wish_id"),
})


@strawberry_django.type(UnitApplication, name="UnitApplication", description="爱心单位申请 / A unit's application to claim")
class UnitApplicationType(relay.Node):
    name: str
    note: str
    reason: str = strawberry_django.field(description="审核意见 / The decision's reason")
    decided_by: str
    decided_at: Optional[datetime]
    created_at: datetime

    @classmethod
    def get_queryset(cls, queryset, info: Info, **kwargs):
        actor = actor_of(info)
        return queryset.filter(Q(pk__in=services.visible_applications(actor).values("pk"))
                               | Q(pk__in=services.applications_of(actor).values("pk"))).order_by("-created_at", "-id")

    @strawberry_django.field(only=["state"])
    def state(self) -> ApplicationStateEnum:
        return ApplicationStateEnum[self.state]

    @strawberry_django.field(only=["kind"])
    def kind(self) -> UnitKindEnum:
        return UnitKindEnum[self.kind]

    @strawberry_django.field(select_related=["organization"], only=["organization__name"], description="向其申请的组织 / The body applied to")
    def organization_name(self) -> str:
        return self.organization.name

    @strawberry_django.field(select_related=["applicant"], only=["applicant__first_name", "applicant__last_name"],
                             description="申请人 / The applicant")
    def applicant_name(self) -> str:
        return self.applicant.get_full_name() or "—"

    @strawberry_django.field(only=["unit_id"], description="成为的合作单位 / The partner unit it became")
    def unit_id(self) -> Optional[relay.GlobalID]:
        return relay.GlobalID("Organization", str(self.unit_id)) if self.unit_id else None


@strawberry.type(name="Donor", description="爱心人士本人 / The signed-in donor")
class DonorInfo:
    display_name: str
    phone: str = strawberry.field(description="手机号（脱敏） / The phone, masked")
