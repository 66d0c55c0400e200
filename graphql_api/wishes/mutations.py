from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import strawberry
from strawberry import Info, relay
from strawberry.file_uploads import Upload

from core.errors import CommonErrorCode, ServiceError
from graphql_api.context import actor_of
from graphql_api.declare import requires
from graphql_api.errors import decode_id, error_type, run
from graphql_api.wishes.types import CategoryEnum, DispatchStateEnum, PublishedWishType, WishType
from wishes import services
from children.errors import ChildErrorCode
from programs.errors import ProgramErrorCode
from wishes.errors import WishErrorCode

# A child's photo consent governs delivery photos; a campaign's coverage governs collecting under it.
WishError = error_type("WishError", WishErrorCode, ChildErrorCode, ProgramErrorCode)
CHANGE = "wishes.change_wish"


def _wish_id(global_id, field="id"):
    """Staff use Wish IDs, donors PublishedWish IDs from the board: both name the same wish."""
    if global_id.type_name == "PublishedWish":
        return decode_id(relay.GlobalID("Wish", global_id.node_id), "Wish", field)
    return decode_id(global_id, "Wish", field)


@strawberry.input
class CollectWishInput:
    organization_id: relay.GlobalID
    title: str
    category: CategoryEnum
    estimated_value: Decimal
    child_id: Optional[relay.GlobalID] = None
    household: str = ""
    text: str = strawberry.field(default="", description="孩子的原话 / In the child's words")
    quantity: int = 1
    claim_deadline: Optional[date] = None
    campaign_id: Optional[relay.GlobalID] = strawberry.field(default=None, description="征集所属行动 / The campaign it is collected under")


@strawberry.input
class UpdateWishValueInput:
    id: relay.GlobalID
    estimated_value: Decimal = strawberry.field(description="估价（元） / Estimated value, yuan")


@strawberry.input
class WishActionInput:
    id: relay.GlobalID
    reason: str = strawberry.field(default="", description="退回、无法实现时必填 / Required to return or close")
    note: str = strawberry.field(default="", description="圆梦销号时给认领人的感谢语 / At fulfilment: the thank-you the donors read")


@strawberry.input
class RecordDeliveryInput:
    wish_id: relay.GlobalID
    note: str = ""
    photos: list[Upload] = strawberry.field(default_factory=list, description="发放现场照片（去除 EXIF/GPS） / Photos, EXIF/GPS stripped")


@strawberry.input
class ClaimWishesInput:
    wish_ids: list[relay.GlobalID]
    shares: Optional[list[Optional[Decimal]]] = strawberry.field(
        default=None, description="每个心愿认领的金额，null 为剩余全部 / Amount per wish; null: all that remains")
    unit_id: Optional[relay.GlobalID] = strawberry.field(default=None, description="代表单位认领 / Claim for a unit you act for")


@strawberry.input
class DispatchWishInput:
    wish_id: relay.GlobalID
    unit_id: relay.GlobalID
    deadline: datetime


@strawberry.input
class RespondToDispatchInput:
    dispatch_id: strawberry.ID
    accept: bool


@strawberry.type
class WishPayload:
    wish: Optional[WishType] = None
    errors: list[WishError]


@strawberry.type
class ClaimWishesPayload:
    wishes: list[PublishedWishType] = strawberry.field(default_factory=list, description="认领后的心愿（公示视图） / The claimed wishes, as the board shows them")
    errors: list[WishError]


@strawberry.type
class DispatchPayload:
    dispatch_id: Optional[strawberry.ID] = None
    state: Optional[DispatchStateEnum] = None
    errors: list[WishError]


def _transition(info: Info, input: WishActionInput, action: str) -> WishPayload:
    actor = actor_of(info)
    return run(WishPayload, WishError, lambda: {"wish": services.transition(
        actor, wish_id=_wish_id(input.id), action=action, reason=input.reason, note=input.note)})


def _dispatch_id(raw: str) -> int:
    if not str(raw).isdigit():
        raise ServiceError(CommonErrorCode.NOT_FOUND, "dispatchId")
    return int(raw)


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=requires(CHANGE), description="征集心愿 / Collect a wish")
    def collect_wish(self, info: Info, input: CollectWishInput) -> WishPayload:
        actor = actor_of(info)
        return run(WishPayload, WishError, lambda: {"wish": services.collect_wish(
            actor, organization_id=decode_id(input.organization_id, "Organization", "organizationId"), title=input.title,
            category=input.category.value, estimated_value=input.estimated_value,
            child_id=decode_id(input.child_id, "Child", "childId"), household=input.household, text=input.text,
            quantity=input.quantity, claim_deadline=input.claim_deadline,
            campaign_id=decode_id(input.campaign_id, "Campaign", "campaignId"))})

    @strawberry.mutation(extensions=requires(CHANGE), description=(
        "修改心愿估价（备礼前，不低于已认领金额） / Change the estimated value (before preparation, not below what is claimed)"))
    def update_wish_value(self, info: Info, input: UpdateWishValueInput) -> WishPayload:
        actor = actor_of(info)
        return run(WishPayload, WishError, lambda: {"wish": services.update_value(
            actor, wish_id=_wish_id(input.id), estimated_value=input.estimated_value)})

    @strawberry.mutation(extensions=requires(CHANGE), description="审核 / Review")
    def review_wish(self, info: Info, input: WishActionInput) -> WishPayload:
        return _transition(info, input, "review")

    @strawberry.mutation(extensions=requires(CHANGE), description="退回修改 / Return for revision")
    def return_wish(self, info: Info, input: WishActionInput) -> WishPayload:
        return _transition(info, input, "return")

    @strawberry.mutation(extensions=requires(CHANGE), description="重新提交 / Resubmit after revision")
    def resubmit_wish(self, info: Info, input: WishActionInput) -> WishPayload:
        return _transition(info, input, "resubmit")

    @strawberry.mutation(extensions=requires(CHANGE), description="公示 / Publish on the board")
    def publish_wish(self, info: Info, input: WishActionInput) -> WishPayload:
        return _transition(info, input, "publish")

    @strawberry.mutation(extensions=requires(CHANGE), description="备好礼物 / Gift prepared")
    def prepare_wish(self, info: Info, input: WishActionInput) -> WishPayload:
        return _transition(info, input, "prepare")

    @strawberry.mutation(extensions=requires(CHANGE), description="确认圆梦、销号 / Confirm fulfilment")
    def confirm_fulfilment(self, info: Info, input: WishActionInput) -> WishPayload:
        return _transition(info, input, "fulfil")

    @strawberry.mutation(extensions=requires(CHANGE), description="撤回 / Withdraw")
    def withdraw_wish(self, info: Info, input: WishActionInput) -> WishPayload:
        return _transition(info, input, "withdraw")

    @strawberry.mutation(extensions=requires(CHANGE), description="无法实现，结束 / Close as unfulfillable")
    def close_wish(self, info: Info, input: WishActionInput) -> WishPayload:
        return _transition(info, input, "close")

    @strawberry.mutation(extensions=requires(CHANGE), description="交上级协调 / Escalate to the superior body")
    def escalate_wish(self, info: Info, input: WishActionInput) -> WishPayload:
        return _transition(info, input, "escalate")

    @strawberry.mutation(extensions=requires(CHANGE), description="上级接办并公示 / The superior takes it over and publishes it")
    def take_over_wish(self, info: Info, input: WishActionInput) -> WishPayload:
        actor = actor_of(info)
        return run(WishPayload, WishError, lambda: {"wish": services.transition(actor, wish_id=_wish_id(input.id), action="take_over")})

    @strawberry.mutation(extensions=requires(CHANGE), description="记录发放 / Record the delivery")
    def record_delivery(self, info: Info, input: RecordDeliveryInput) -> WishPayload:
        actor = actor_of(info)
        return run(WishPayload, WishError, lambda: {"wish": services.record_delivery(
            actor, wish_id=_wish_id(input.wish_id, "wishId"), note=input.note, uploads=input.photos)})

    @strawberry.mutation(extensions=requires("wishes.claim_wish"),
                         description="认领一个或多个心愿（1+1、N+1、1+N），全部成功或全部不变 / Claim wishes, all or nothing")
    def claim_wishes(self, info: Info, input: ClaimWishesInput) -> ClaimWishesPayload:
        actor = actor_of(info)

        def action():
            claims = services.claim_wishes(
                actor, wish_ids=[_wish_id(g, "wishIds") for g in input.wish_ids], shares=input.shares,
                unit_id=decode_id(input.unit_id, "Organization", "unitId"))
            return {"wishes": [c.wish for c in claims]}

        return run(ClaimWishesPayload, WishError, action)

    @strawberry.mutation(extensions=requires("wishes.dispatch_wish"), description="派单给单位 / Dispatch to a unit")
    def dispatch_wish(self, info: Info, input: DispatchWishInput) -> DispatchPayload:
        actor = actor_of(info)

        def action():
            dispatch = services.dispatch_wish(actor, wish_id=_wish_id(input.wish_id, "wishId"),
                                              unit_id=decode_id(input.unit_id, "Organization", "unitId"), deadline=input.deadline)
            return {"dispatch_id": strawberry.ID(str(dispatch.pk)), "state": DispatchStateEnum[dispatch.state]}

        return run(DispatchPayload, WishError, action)

    @strawberry.mutation(extensions=requires("wishes.claim_wish"), description="单位接单或拒绝 / A unit accepts or declines")
    def respond_to_dispatch(self, info: Info, input: RespondToDispatchInput) -> DispatchPayload:
        actor = actor_of(info)

        def action():
            dispatch = services.respond_to_dispatch(actor, dispatch_id=_dispatch_id(input.dispatch_id), accept=input.accept)
            return {"dispatch_id": strawberry.ID(str(dispatch.pk)), "state": DispatchStateEnum[dispatch.state]}

        return run(DispatchPayload, WishError, action)
