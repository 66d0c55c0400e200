"""The micro-wish state machine, in one table: every action, the states it may start from, the state it leads
to, and what it needs and does. wishes/services.py reads it (no action-name branches there), and
``available`` answers which actions an actor may take on a wish now, for the API's ``availableActions``.

征集 collected → 审核 reviewed → 公示 published → 认领 claimed (when fully covered) → 备礼 prepared →
发放 delivered → 圆梦 fulfilled (销号). Side paths: returned for revision, withdrawn, closed as unfulfillable,
escalated to the superior body and taken over by it (published again, handled there). 派单 (dispatch to a unit)
changes no state: it is offered on a published wish.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import ServiceError, Texts
from wishes.errors import WishErrorCode
from wishes.models import State as S

CHANGE = "wishes.change_wish"
CLAIM = "wishes.claim_wish"
DISPATCH = "wishes.dispatch_wish"

HANDLER, SUPERIOR, OWNER = "handler", "superior", "owner"


class Action(Texts):
    """Each action's name in messages (ILLEGAL_TRANSITION), rendered in the request's language."""

    review = ("审核", "review")
    return_ = ("退回修改", "return")
    resubmit = ("重新提交", "resubmit")
    publish = ("公示", "publish")
    claim = ("认领", "claim")
    prepare = ("备礼", "prepare")
    deliver = ("发放", "deliver")
    fulfil = ("圆梦销号", "confirm fulfilment")
    withdraw = ("撤回", "withdraw")
    close = ("无法实现", "close")
    escalate = ("交上级协调", "escalate")
    take_over = ("上级接办", "take over")
    dispatch = ("派单", "dispatch")
    revalue = ("修改估价", "change the estimated value")


A = Action


@dataclass(frozen=True)
class Step:
    sources: frozenset
    target: str | None  # None: the action changes no state (dispatch)
    label: Action
    permission: str = CHANGE
    at: str = HANDLER  # where the permission is needed: the body handling the wish, its superior, or the collector
    reason: str | None = None  # the field a required reason is written to
    note: str | None = None  # the field a free note is written to
    stamp: str | None = None  # the time stamp the step sets
    refused_with_claims: bool = False  # not once a donor has claimed part of the wish
    needs_superior: bool = False  # the handling body must have a superior (escalate)
    refusal: tuple | None = None  # (code, field) answering a wish in any other state; ILLEGAL_TRANSITION otherwise


_OPEN = frozenset({S.COLLECTED, S.RETURNED, S.REVIEWED, S.PUBLISHED})

TRANSITIONS: dict[str, Step] = {
    "review": Step(frozenset({S.COLLECTED}), S.REVIEWED, A.review),
    "return": Step(frozenset({S.COLLECTED, S.REVIEWED}), S.RETURNED, A.return_, reason="return_reason"),
    "resubmit": Step(frozenset({S.RETURNED}), S.COLLECTED, A.resubmit),
    "publish": Step(frozenset({S.REVIEWED}), S.PUBLISHED, A.publish, stamp="published_at"),
    "claim": Step(frozenset({S.PUBLISHED}), S.CLAIMED, A.claim, permission=CLAIM, at=OWNER, stamp="claimed_at"),
    "prepare": Step(frozenset({S.CLAIMED}), S.PREPARED, A.prepare),
    "deliver": Step(frozenset({S.CLAIMED, S.PREPARED}), S.DELIVERED, A.deliver, note="delivery_note", stamp="delivered_at"),
    "fulfil": Step(frozenset({S.DELIVERED}), S.FULFILLED, A.fulfil, note="thanks", stamp="fulfilled_at"),
    "withdraw": Step(_OPEN, S.WITHDRAWN, A.withdraw, refused_with_claims=True),
    "close": Step(_OPEN | {S.ESCALATED}, S.CLOSED, A.close, reason="close_reason", stamp="closed_at",
                  refused_with_claims=True),
    "escalate": Step(frozenset({S.REVIEWED, S.PUBLISHED}), S.ESCALATED, A.escalate, stamp="escalated_at",
                     refused_with_claims=True, needs_superior=True),
    "take_over": Step(frozenset({S.ESCALATED}), S.PUBLISHED, A.take_over, at=SUPERIOR, stamp="published_at"),
    "dispatch": Step(frozenset({S.PUBLISHED}), None, A.dispatch, permission=DISPATCH,
                     refusal=(WishErrorCode.NOT_CLAIMABLE, "wish_id")),
}


# A donor may take a claim back until the gift is prepared: the wish returns to the board (uncovered by that much).
CLAIM_CANCELLABLE = frozenset({S.PUBLISHED, S.CLAIMED})


def target(action: str, state: str) -> str | None:
    """The state ``action`` leads to from ``state``, or ILLEGAL_TRANSITION."""
    step = TRANSITIONS[action]
    if state not in step.sources:
        if step.refusal:
            raise ServiceError(*step.refusal)
        raise ServiceError(WishErrorCode.ILLEGAL_TRANSITION, "state", state=S(state).label, action=step.label)
    return step.target


def place(action: str, wish):
    """The organization where ``action``'s permission is needed (None: a superior that does not exist)."""
    at = TRANSITIONS[action].at
    handler = wish.handling_organization or wish.organization
    if at == SUPERIOR:
        return handler.parent
    return wish.organization if at == OWNER else handler


def blocked(action: str, wish) -> ServiceError | None:
    """Why ``action`` cannot be taken on ``wish`` as it stands (besides its state and the permission), or None."""
    step = TRANSITIONS[action]
    if step.refused_with_claims and wish.covered_amount > 0:
        return ServiceError(WishErrorCode.HAS_CLAIMS, "id")
    if (step.needs_superior or step.at == SUPERIOR) and (wish.handling_organization or wish.organization).parent_id is None:
        return ServiceError(WishErrorCode.NO_SUPERIOR, "id")
    return None


def available(wish, scope) -> list[str]:
    """The actions ``scope`` may take on ``wish`` now: its state allows them, the permission reaches their place,
    and nothing blocks them (claims, a missing superior). The organizations must be loaded with their parents."""
    found = []
    for action, step in TRANSITIONS.items():
        if wish.state not in step.sources or blocked(action, wish) is not None:
            continue
        where = place(action, wish)
        if where is not None and scope.allows(step.permission, where):
            found.append(action)
    return found
