"""The micro-wish state machine, in one place: which action moves a wish from which states to which state.

征集 collected → 审核 reviewed → 公示 published → 认领 claimed (when fully covered) → 备礼 prepared →
发放 delivered → 圆梦 fulfilled (销号). Side paths: returned for revision, withdrawn, closed as unfulfillable,
escalated to the superior body and taken over by it (published again, handled there).
"""

from core.errors import ServiceError, Texts
from wishes.errors import WishErrorCode
from wishes.models import State as S

CHANGE = "wishes.change_wish"



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


A = Action
# action: (states it may start from, state it leads to, label for messages)
TRANSITIONS: dict[str, tuple[frozenset, str, Action]] = {
    "review": (frozenset({S.COLLECTED}), S.REVIEWED, A.review),
    "return": (frozenset({S.COLLECTED, S.REVIEWED}), S.RETURNED, A.return_),
    "resubmit": (frozenset({S.RETURNED}), S.COLLECTED, A.resubmit),
    "publish": (frozenset({S.REVIEWED}), S.PUBLISHED, A.publish),
    "claim": (frozenset({S.PUBLISHED}), S.CLAIMED, A.claim),
    "prepare": (frozenset({S.CLAIMED}), S.PREPARED, A.prepare),
    "deliver": (frozenset({S.CLAIMED, S.PREPARED}), S.DELIVERED, A.deliver),
    "fulfil": (frozenset({S.DELIVERED}), S.FULFILLED, A.fulfil),
    "withdraw": (frozenset({S.COLLECTED, S.RETURNED, S.REVIEWED, S.PUBLISHED}), S.WITHDRAWN, A.withdraw),
    "close": (frozenset({S.COLLECTED, S.RETURNED, S.REVIEWED, S.PUBLISHED, S.ESCALATED}), S.CLOSED, A.close),
    "escalate": (frozenset({S.REVIEWED, S.PUBLISHED}), S.ESCALATED, A.escalate),
    "take_over": (frozenset({S.ESCALATED}), S.PUBLISHED, A.take_over),
}

# Actions that are refused once a donor has claimed part of the wish.
NEED_NO_CLAIMS = frozenset({"withdraw", "close", "escalate"})


def target(action: str, state: str) -> str:
    """The state ``action`` leads to from ``state``, or ILLEGAL_TRANSITION."""
    sources, to, label = TRANSITIONS[action]
    if state not in sources:
        raise ServiceError(WishErrorCode.ILLEGAL_TRANSITION, "state", state=S(state).label, action=label)
    return to
