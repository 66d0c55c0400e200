"""Public board, donors and partner units: the root fields and mutations (services in donors/ and wishes/)."""

from decimal import Decimal
from typing import Optional

import strawberry
import strawberry_django
from django.contrib.auth import login as django_login
from graphql import GraphQLError
from strawberry import Info, relay

from core import ratelimit
from core.errors import CommonErrorCode, ServiceError
from donors import limits, services
from donors.errors import DonorErrorCode
from donors.models import Donor
from graphql_api.accounts import gate
from graphql_api.connection import Connection
from graphql_api.context import actor_of
from graphql_api.declare import authenticated, public, requires
from graphql_api.donors.types import (
    ApplicationStateEnum, DonorClaimType, DonorInfo, PublicArea, PublicBoardOptions, PublicCampaign, PublicWishFilter,
    PublicWishType, UnitApplicationType, UnitKindEnum,
)
from graphql_api.errors import as_errors, decode_id, error_type, run
from orgs.errors import OrgErrorCode
from orgs.models import Level, Organization
from permissions.errors import PermissionsErrorCode
from permissions.masking import mask_phone
from programs.models import Campaign
from wishes.errors import WishErrorCode
from wishes.models import Wish
from wishes.services import public_board

DonorError = error_type("DonorError", DonorErrorCode, WishErrorCode, OrgErrorCode, PermissionsErrorCode)
MANAGE_MEMBERS = services.MANAGE_MEMBERS
MAX_AREAS = 500


def _rate_limited(info: Info) -> None:
    """The public board's reads per client address and minute (donors/limits.py): RATE_LIMITED beyond them."""
    if ratelimit.over(f"public-board:{actor_of(info).ip}", limits.public_board_per_minute()):
        raise GraphQLError(CommonErrorCode.RATE_LIMITED.render(), extensions={"code": CommonErrorCode.RATE_LIMITED.name})


def _public_wish_id(global_id: relay.GlobalID, field: str = "wishIds") -> int:
    return decode_id(global_id, "PublicWish", field)


def _board_options() -> PublicBoardOptions:
    """The areas (county, township, village bodies above or at each wish on the board) and the campaigns."""
    bodies = (Organization.objects.filter(pk__in=public_board().values("organization_id"))
              .select_related("parent__parent")[:MAX_AREAS])
    areas = {}
    for body in bodies:
        node = body
        while node is not None and node.level >= Level.COUNTY:
            areas[node.pk] = node
            node = node.parent if node.level > Level.COUNTY else None
    campaigns = Campaign.objects.filter(pk__in=public_board().values("campaign_id")).order_by("-id")[:MAX_AREAS]
    return PublicBoardOptions(
        areas=[PublicArea(id=relay.GlobalID("Organization", str(o.pk)), name=o.name, level=o.level)
               for o in sorted(areas.values(), key=lambda o: o.path)],
        campaigns=[PublicCampaign(id=relay.GlobalID("Campaign", str(c.pk)), title=c.title) for c in campaigns],
        min_share=limits.MIN_SHARE)


def _donor_info(user) -> Optional[DonorInfo]:
    donor = Donor.objects.filter(user=user).first() if user is not None else None
    return DonorInfo(display_name=user.get_full_name(), phone=mask_phone(donor.phone)) if donor else None


@strawberry.type
class Query:
    @strawberry_django.connection(Connection[PublicWishType], filters=PublicWishFilter, extensions=public(), description=(
        "公开心愿墙：无需登录；儿童只显示姓氏和年龄；每个地址每分钟限次 / The public wish board: no sign-in, the child as "
        "surname and age, rate-limited per address"))
    def public_wishes(self, info: Info) -> list[PublicWishType]:
        _rate_limited(info)
        return Wish.objects.all()

    @strawberry.field(extensions=public(), description="心愿墙的地区与行动筛选项 / The board's areas and campaigns")
    def public_board_options(self, info: Info) -> PublicBoardOptions:
        _rate_limited(info)
        return _board_options()

    @strawberry.field(extensions=authenticated(), description="登记的爱心人士本人；不是爱心人士为 null / The donor, or null")
    def my_donor(self, info: Info) -> Optional[DonorInfo]:
        return _donor_info(actor_of(info).user)

    @strawberry_django.connection(Connection[DonorClaimType], extensions=authenticated(),
                                  description="我以个人名义的认领，最新在前 / My own claims, newest first")
    def my_claims(self, info: Info) -> list[DonorClaimType]:
        return services.my_claims(actor_of(info))

    @strawberry_django.connection(Connection[DonorClaimType], extensions=authenticated(), description=(
        "我所代表单位的认领（单位成员或单位令牌），最新在前 / The claims of the units you act for, newest first"))
    def unit_claims(self, info: Info) -> list[DonorClaimType]:
        return services.my_claims(actor_of(info), for_units=True)

    @strawberry_django.connection(Connection[UnitApplicationType], extensions=authenticated(),
                                  description="我提交的爱心单位申请 / The unit applications I made")
    def my_unit_applications(self, info: Info) -> list[UnitApplicationType]:
        return services.applications_of(actor_of(info))

    @strawberry_django.connection(Connection[UnitApplicationType], extensions=requires(MANAGE_MEMBERS),
                                  description="待本组织审核的爱心单位申请 / Unit applications to the bodies you manage")
    def unit_applications(self, info: Info, state: Optional[ApplicationStateEnum] = None) -> list[UnitApplicationType]:
        found = services.visible_applications(actor_of(info))
        return found.filter(state=state.value) if state is not None else found


@strawberry.input
class SendDonorCodeInput:
    phone: str


@strawberry.type
class SendDonorCodePayload:
    sent: bool = False
    resend_after_seconds: int = strawberry.field(default=limits.CODE_RESEND_SECONDS, description="再次获取前的秒数 / Seconds before another code")
    errors: list[DonorError]


@strawberry.input
class SignInDonorInput:
    phone: str
    code: str
    display_name: str = strawberry.field(default="", description="首次登记时必填的称呼 / The name to show; required the first time")


@strawberry.type
class SignInDonorPayload:
    donor: Optional[DonorInfo] = None
    registered: bool = strawberry.field(default=False, description="本次新登记 / Registered just now")
    errors: list[DonorError]


@strawberry.input
class ClaimAsDonorInput:
    wish_ids: list[relay.GlobalID] = strawberry.field(description="公示心愿的 ID / PublicWish IDs")
    shares: Optional[list[Optional[Decimal]]] = strawberry.field(
        default=None, description="每个心愿认领的金额，null 为剩余全部 / Amount per wish; null: all that remains")


@strawberry.type
class ClaimAsDonorPayload:
    claims: list[DonorClaimType] = strawberry.field(default_factory=list)
    errors: list[DonorError]


@strawberry.input
class CancelClaimInput:
    id: relay.GlobalID


@strawberry.type
class CancelClaimPayload:
    ok: bool = False
    errors: list[DonorError]


@strawberry.input
class ApplyForUnitInput:
    organization_id: relay.GlobalID = strawberry.field(description="认领其心愿的组织（心愿墙的地区） / The body whose board the unit claims from")
    name: str
    kind: UnitKindEnum
    note: str = ""


@strawberry.input
class DecideUnitApplicationInput:
    id: relay.GlobalID
    approve: bool
    reason: str = ""


@strawberry.type
class UnitApplicationPayload:
    application: Optional[UnitApplicationType] = None
    errors: list[DonorError]


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=public(), description="发送手机验证码（爱心人士登记与登录） / Send a donor's phone code")
    def send_donor_code(self, info: Info, input: SendDonorCodeInput) -> SendDonorCodePayload:
        actor = actor_of(info)

        def send():
            services.send_code(phone=input.phone, ip=actor.ip)
            return {"sent": True}

        return run(SendDonorCodePayload, DonorError, send)

    @strawberry.mutation(extensions=public(), description=(
        "用手机验证码登记或登录爱心人士（会话） / Register or sign in as a donor with the phone's code (a session)"))
    def sign_in_donor(self, info: Info, input: SignInDonorInput) -> SignInDonorPayload:
        request = info.context.request
        try:  # not in one transaction: a wrong code's attempt stays counted
            user, registered = services.sign_in(phone=input.phone, code=input.code, display_name=input.display_name,
                                                 ip=actor_of(info).ip)
        except ServiceError as error:
            return SignInDonorPayload(errors=as_errors(DonorError, error))
        django_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        gate.remember(request, user)
        return SignInDonorPayload(donor=_donor_info(user), registered=registered, errors=[])

    @strawberry.mutation(extensions=authenticated(), description=(
        "爱心人士从公开心愿墙认领（1+1、N+1、1+N，个人限额见说明），全部成功或全部不变 / A donor claims from the public "
        "board within the personal limits, all or nothing"))
    def claim_as_donor(self, info: Info, input: ClaimAsDonorInput) -> ClaimAsDonorPayload:
        actor = actor_of(info)
        return run(ClaimAsDonorPayload, DonorError, lambda: {"claims": services.claim(
            actor, wish_ids=[_public_wish_id(g) for g in input.wish_ids], shares=input.shares)})

    @strawberry.mutation(extensions=authenticated(), description=(
        "备礼之前取消自己（或所代表单位）的认领 / Cancel your own (or your unit's) claim before the gift is prepared"))
    def cancel_claim(self, info: Info, input: CancelClaimInput) -> CancelClaimPayload:
        actor = actor_of(info)

        def cancel():
            services.cancel_claim(actor, claim_id=decode_id(input.id, "DonorClaim"))
            return {"ok": True}

        return run(CancelClaimPayload, DonorError, cancel)

    @strawberry.mutation(extensions=authenticated(), description=(
        "爱心人士为所在企业或单位申请认领某组织的心愿 / A donor applies for their enterprise or unit"))
    def apply_for_unit(self, info: Info, input: ApplyForUnitInput) -> UnitApplicationPayload:
        actor = actor_of(info)
        return run(UnitApplicationPayload, DonorError, lambda: {"application": services.apply_for_unit(
            actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"), name=input.name,
            kind=input.kind.value, note=input.note)})

    @strawberry.mutation(extensions=requires(MANAGE_MEMBERS), description=(
        "审核爱心单位申请：通过后成为本组织的合作单位，申请人成为单位成员 / Decide a unit's application: approved, it "
        "becomes a partner unit here and the applicant its member"))
    def decide_unit_application(self, info: Info, input: DecideUnitApplicationInput) -> UnitApplicationPayload:
        actor = actor_of(info)
        return run(UnitApplicationPayload, DonorError, lambda: {"application": services.decide_unit_application(
            actor, application_id=decode_id(input.id, "UnitApplication"), approve=input.approve, reason=input.reason)})

