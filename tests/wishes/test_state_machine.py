"""The whole micro-wish state machine: every action from every state, through GraphQL where a mutation exists."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.errors import ServiceError
from permissions.actor import Actor
from permissions.models import AuditEntry
from tests.permissions.helpers import grant, org
from tests.wishes.helpers import codes, forced, new_donor, snapshot, wish_gid, wish_in
from wishes import machine, services
from wishes.models import Claim, State, Wish

pytestmark = pytest.mark.django_db

ACTION = """
mutation($id: ID!, $reason: String!) {
  %s(input: {id: $id, reason: $reason}) { wish { id state handlingOrganizationName } errors { field code message } }
}"""

DELIVER = """
mutation($id: ID!) {
  recordDelivery(input: {wishId: $id, note: "六一儿童节在马良镇中心小学发放"}) { wish { id state deliveryNote } errors { field code } }
}"""

WISH = "query($id: ID!) { wish(id: $id) { state closeReason returnReason coveredAmount } }"

# action of wishes/machine.py → its mutation; "claim" happens through claimWishes (tests/wishes/test_claims.py).
MUTATIONS = {
    "review": "reviewWish", "return": "returnWish", "resubmit": "resubmitWish", "publish": "publishWish",
    "prepare": "prepareWish", "deliver": "recordDelivery", "fulfil": "confirmFulfilment", "withdraw": "withdrawWish",
    "close": "closeWish", "escalate": "escalateWish", "take_over": "takeOverWish",
}
STAFF = "baokang_league_admin"  # acts on 马良镇's wishes and, after escalation, at 共青团保康县委
STEPS = {a: step for a, step in machine.TRANSITIONS.items() if step.target is not None}  # dispatch changes no state
CASES = [(action, state) for action in STEPS for state in State.values]
LEGAL = [(a, s) for a, s in CASES if s in STEPS[a].sources]
ILLEGAL = [(a, s) for a, s in CASES if s not in STEPS[a].sources]


def act(client, action: str, wish, reason: str = "测试原因") -> dict:
    if action == "deliver":
        return client(DELIVER, {"id": wish_gid(wish)})["recordDelivery"]
    name = MUTATIONS[action]
    return client(ACTION % name, {"id": wish_gid(wish), "reason": reason})[name]


@pytest.fixture
def donor(db):
    return new_donor("donor_state_machine")


# The life cycle as the issue gives it (征集 → 审核 → 公示 → 认领 → 备礼 → 发放 → 圆梦, with the side paths),
# written out independently of wishes/machine.py so that a change to the table has to change this too.
LIFE_CYCLE = {
    "review": ({"COLLECTED"}, "REVIEWED"),
    "return": ({"COLLECTED", "REVIEWED"}, "RETURNED"),
    "resubmit": ({"RETURNED"}, "COLLECTED"),
    "publish": ({"REVIEWED"}, "PUBLISHED"),
    "claim": ({"PUBLISHED"}, "CLAIMED"),
    "prepare": ({"CLAIMED"}, "PREPARED"),
    "deliver": ({"CLAIMED", "PREPARED"}, "DELIVERED"),
    "fulfil": ({"DELIVERED"}, "FULFILLED"),
    "withdraw": ({"COLLECTED", "RETURNED", "REVIEWED", "PUBLISHED"}, "WITHDRAWN"),
    "close": ({"COLLECTED", "RETURNED", "REVIEWED", "PUBLISHED", "ESCALATED"}, "CLOSED"),
    "escalate": ({"REVIEWED", "PUBLISHED"}, "ESCALATED"),
    "take_over": ({"ESCALATED"}, "PUBLISHED"),
}


def test_the_machine_is_the_life_cycle_of_the_issue():
    assert {a: (set(step.sources), step.target) for a, step in STEPS.items()} == LIFE_CYCLE
    assert {a for a, step in machine.TRANSITIONS.items() if step.refused_with_claims} == {"withdraw", "close", "escalate"}
    assert machine.TRANSITIONS["dispatch"].sources == {"PUBLISHED"} and machine.TRANSITIONS["dispatch"].target is None


def test_every_action_of_the_machine_is_covered():
    assert set(MUTATIONS) | {"claim"} == set(STEPS)
    assert {s for a, s in LEGAL} | {s for a, s in ILLEGAL} == set(State.values)


@pytest.mark.parametrize("action, state", [c for c in LEGAL if c[0] != "claim"])
def test_legal_transition_succeeds_and_is_audited(as_user, donor, action, state):
    # given a wish of 马良坪村团支部 brought into a legal source state through the real transitions
    wish = wish_in(state, donor=donor)
    audited = AuditEntry.objects.filter(action=f"wish.{action}", target_id=str(wish.pk)).count()
    # when the county admin performs the action over GraphQL
    result = act(as_user(STAFF), action, wish)
    # then the wish is in the machine's target state, and one audit entry names the action
    target = STEPS[action].target
    assert result["errors"] == [] and result["wish"]["state"] == target
    assert Wish.objects.get(pk=wish.pk).state == target
    entries = AuditEntry.objects.filter(action=f"wish.{action}", target_id=str(wish.pk))
    assert entries.count() == audited + 1
    assert entries.first().actor_user.username == STAFF


@pytest.mark.parametrize("action, state", [c for c in ILLEGAL if c[0] != "claim"])
def test_illegal_transition_is_refused_and_changes_nothing(as_user, action, state):
    # given a wish put directly into a state the action may not start from
    wish = forced(state)
    before = snapshot(wish)
    # when the county admin tries the action
    result = act(as_user(STAFF), action, wish)
    # then ILLEGAL_TRANSITION, and neither the wish, its claims nor the audit log changed
    assert codes(result["errors"]) == ["ILLEGAL_TRANSITION"] and result["wish"] is None
    assert snapshot(wish) == before


def test_claim_from_its_legal_source_state_succeeds_and_is_audited(donor):
    # given a published wish
    wish = wish_in(State.PUBLISHED)
    # when a donor claims all of it (claimWishes calls this service)
    [claim] = services.claim_wishes(Actor.for_user(donor), wish_ids=[wish.pk])
    # then it is claimed, covered and audited
    wish.refresh_from_db()
    assert wish.state == STEPS["claim"].target == State.CLAIMED
    assert claim.amount == wish.estimated_value == wish.covered_amount
    assert AuditEntry.objects.filter(action="wish.claim", target_id=str(wish.pk), actor_label=donor.username).count() == 1


CLAIMED_ALREADY = {State.CLAIMED, State.PREPARED, State.DELIVERED, State.FULFILLED}
NEVER_ON_THE_BOARD = {State.COLLECTED, State.RETURNED, State.REVIEWED}


@pytest.mark.parametrize("state", [s for a, s in ILLEGAL if a == "claim"])
def test_claim_from_any_other_state_is_refused_and_changes_nothing(donor, state):
    # given a wish in a state that is not on the board (published once, unless it never got that far)
    wish = forced(state)
    if state not in NEVER_ON_THE_BOARD:
        Wish.objects.filter(pk=wish.pk).update(published_at=timezone.now())
        wish.refresh_from_db()
    before = snapshot(wish)
    # when a donor, who sees only the board, claims it
    with pytest.raises(ServiceError) as caught:
        services.claim_wishes(Actor.for_user(donor), wish_ids=[wish.pk])
    # then a wish that was on the board answers with the claim's own codes ("already claimed" or "not
    # claimable"); one never published reads as missing; nothing changed
    expected = "NOT_FOUND" if state in NEVER_ON_THE_BOARD else "ALREADY_CLAIMED" if state in CLAIMED_ALREADY else "NOT_CLAIMABLE"
    assert caught.value.code.name == expected
    assert snapshot(wish) == before


@pytest.mark.parametrize("action", sorted(a for a, step in machine.TRANSITIONS.items() if step.refused_with_claims))
def test_a_partly_claimed_wish_cannot_be_withdrawn_closed_or_escalated(as_user, donor, action):
    # given a published wish with a claim for part of its value
    wish = wish_in(State.PUBLISHED, value="100")
    services.claim_wishes(Actor.for_user(donor), wish_ids=[wish.pk], shares=["30"])
    before = snapshot(wish)
    # when staff try to withdraw, close or escalate it
    result = act(as_user(STAFF), action, wish)
    # then HAS_CLAIMS and the wish stays published with its claim
    assert codes(result["errors"]) == ["HAS_CLAIMS"]
    assert snapshot(wish) == before and before["row"]["state"] == State.PUBLISHED and len(before["claims"]) == 1


@pytest.mark.parametrize("action", ["return", "close"])
@pytest.mark.parametrize("reason", ["", "   "])
def test_return_and_close_need_a_reason(as_user, action, reason):
    # given a reviewed wish
    wish = wish_in(State.REVIEWED)
    before = snapshot(wish)
    # when staff return or close it without a reason
    result = act(as_user(STAFF), action, wish, reason=reason)
    # then REASON_REQUIRED on the reason field, nothing changed
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("reason", "REASON_REQUIRED")]
    assert snapshot(wish) == before


def test_return_keeps_its_reason_and_resubmit_starts_again(as_user):
    wish = wish_in(State.REVIEWED)
    staff = as_user("maliang_league_staff")
    assert act(staff, "return", wish, reason="请写清楚尺码")["wish"]["state"] == "RETURNED"
    assert staff(WISH, {"id": wish_gid(wish)})["wish"]["returnReason"] == "请写清楚尺码"
    assert act(staff, "resubmit", wish)["wish"]["state"] == "COLLECTED"


def test_the_wish_for_parents_home_is_closed_as_unfulfillable_with_its_reason(as_user):
    # given the demo wish "想爸爸妈妈回家过年" (reviewed, not something a donor can buy)
    wish = Wish.objects.get(title="想爸爸妈妈回家过年")
    assert wish.child.name == "张小明" and wish.state == State.REVIEWED
    reason = "亲情类心愿无法以物质实现，已安排与父母视频通话并转介代理妈妈结对"
    # when 马良镇's staff close it with the reason
    result = act(as_user("maliang_league_staff"), "close", wish, reason=reason)
    # then it is CLOSED, the reason is kept and audited, and it never reaches the board
    assert result["errors"] == [] and result["wish"]["state"] == "CLOSED"
    seen = as_user("maliang_league_staff")(WISH, {"id": wish_gid(wish)})["wish"]
    assert seen["state"] == "CLOSED" and seen["closeReason"] == reason
    entry = AuditEntry.objects.get(action="wish.close", target_id=str(wish.pk))
    assert entry.changes == {"from": "REVIEWED", "to": "CLOSED", "reason": reason}
    assert not Claim.objects.filter(wish=wish).exists()


def test_staff_without_change_permission_at_the_handler_cannot_act(as_user):
    # a viewer of 马良镇 sees the wish but may not change it
    get_user_model().objects.create_user("maliang_viewer_w", password="x")
    grant("maliang_viewer_w", org("马良镇团委"), "VIEWER")
    wish = wish_in(State.COLLECTED)
    before = snapshot(wish)
    viewer = as_user("maliang_viewer_w")
    assert viewer(WISH, {"id": wish_gid(wish)})["wish"]["state"] == "COLLECTED"
    assert codes(act(viewer, "review", wish)["errors"]) == ["PERMISSION_DENIED"]
    assert snapshot(wish) == before
