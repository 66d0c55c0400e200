"""组织派单 (dispatch to a unit: accept, decline, expiry) and 分级圆梦 (escalation and the superior's take-over)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from permissions import services as access_services
from permissions.actor import Actor
from permissions.models import AuditEntry
from tests.permissions.helpers import SYSTEM, gid, org
from tests.wishes.helpers import codes, new_donor, snapshot, wish_gid, wish_in
from wishes import services
from wishes.models import Claim, Dispatch, DispatchState, DonorKind, State, Wish

pytestmark = pytest.mark.django_db

DISPATCH = """
mutation($input: DispatchWishInput!) { dispatchWish(input: $input) { dispatchId state errors { field code } } }"""

RESPOND = """
mutation($id: ID!, $accept: Boolean!) {
  respondToDispatch(input: {dispatchId: $id, accept: $accept}) { dispatchId state errors { field code } }
}"""

WISH = """
query($id: ID!) {
  wish(id: $id) {
    state handlingOrganizationName escalatedAt publishedAt
    claims { donorKind donorLabel amount viaDispatch }
    dispatches { id unitName state respondedBy }
  }
}"""

WISHES = """
query($filters: WishFilter) { wishes(first: 100, filters: $filters) { totalCount edges { node { id state } } } }"""

ACTION = """
mutation($id: ID!) { %s(input: {id: $id}) { wish { state handlingOrganizationName } errors { field code } } }"""


def dispatch(client, wish, unit_name="保康县农商行", deadline=None) -> dict:
    deadline = deadline or timezone.now() + timedelta(days=3)
    return client(DISPATCH, {"input": {"wishId": wish_gid(wish), "unitId": gid("Organization", org(unit_name).pk),
                                       "deadline": deadline.isoformat()}})["dispatchWish"]


# --- 组织派单 -------------------------------------------------------------------------------------------


def test_the_unit_accepts_a_dispatch_and_holds_the_claim(as_user, as_token, demo_token):
    # given a published wish of 马良镇 dispatched by the county admin to 保康县农商行
    wish = wish_in(State.PUBLISHED, value="260")
    admin = as_user("baokang_league_admin")
    sent = dispatch(admin, wish)
    assert sent["errors"] == [] and sent["state"] == "PENDING"
    assert AuditEntry.objects.filter(action="wish.dispatch", target_id=str(wish.pk)).count() == 1
    # when the unit accepts through its partner token
    answer = as_token(demo_token)(RESPOND, {"id": sent["dispatchId"], "accept": True})["respondToDispatch"]
    # then the dispatch is accepted and the wish is claimed in full by the unit, via dispatch
    assert answer == {"dispatchId": sent["dispatchId"], "state": "ACCEPTED", "errors": []}
    seen = admin(WISH, {"id": wish_gid(wish)})["wish"]
    assert seen["state"] == "CLAIMED"
    assert seen["claims"] == [{"donorKind": "UNIT", "donorLabel": "保康县农商行", "amount": "260.00", "viaDispatch": True}]
    assert seen["dispatches"] == [{"id": sent["dispatchId"], "unitName": "保康县农商行", "state": "ACCEPTED",
                                   "respondedBy": "保康县农商行微心愿对接"}]
    claim = Claim.objects.get(wish=wish)
    assert claim.via_dispatch and claim.donor_kind == DonorKind.UNIT and claim.donor_unit == org("保康县农商行")
    assert AuditEntry.objects.filter(action="wish.dispatch_accept", target_id=str(wish.pk)).count() == 1
    # and a second answer is refused
    again = as_token(demo_token)(RESPOND, {"id": sent["dispatchId"], "accept": False})["respondToDispatch"]
    assert codes(again["errors"]) == ["DISPATCH_NOT_PENDING"]


def test_a_declined_dispatch_leaves_the_wish_on_the_board(as_user, as_token, demo_token):
    wish = wish_in(State.PUBLISHED)
    sent = dispatch(as_user("baokang_league_admin"), wish)
    before = snapshot(wish)
    answer = as_token(demo_token)(RESPOND, {"id": sent["dispatchId"], "accept": False})["respondToDispatch"]
    assert answer["errors"] == [] and answer["state"] == "DECLINED"
    assert Dispatch.objects.get(pk=sent["dispatchId"]).state == DispatchState.DECLINED
    after = snapshot(wish)
    assert after["row"] == before["row"] and after["row"]["state"] == State.PUBLISHED and after["claims"] == []


def test_a_dispatch_past_its_deadline_cannot_be_accepted_and_expires(as_user, as_token, demo_token):
    # given two dispatches of one wish: one past its deadline (set in the database), one still open
    wish = wish_in(State.PUBLISHED)
    admin = as_user("baokang_league_admin")
    late = dispatch(admin, wish)["dispatchId"]
    open_ = dispatch(admin, wish)["dispatchId"]
    Dispatch.objects.filter(pk=late).update(deadline=timezone.now() - timedelta(hours=1))
    before = snapshot(wish)
    # when the unit accepts the late one
    answer = as_token(demo_token)(RESPOND, {"id": late, "accept": True})["respondToDispatch"]
    # then DISPATCH_EXPIRED and the wish is untouched
    assert codes(answer["errors"]) == ["DISPATCH_EXPIRED"] and answer["state"] is None
    assert snapshot(wish) == before
    assert Dispatch.objects.get(pk=late).state != DispatchState.ACCEPTED
    # when the periodic job runs, the overdue pending dispatch expires and the open one stays pending
    overdue = Dispatch.objects.filter(state=DispatchState.PENDING, deadline__lte=timezone.now()).count()
    assert services.expire_dispatches() == overdue >= 1
    assert Dispatch.objects.get(pk=late).state == DispatchState.EXPIRED
    assert Dispatch.objects.get(pk=open_).state == DispatchState.PENDING
    assert Wish.objects.get(pk=wish.pk).state == State.PUBLISHED


def test_only_those_acting_for_the_unit_may_answer(as_user, as_token, demo_token):
    # given a dispatch to 保康县农商行
    wish = wish_in(State.PUBLISHED)
    sent = dispatch(as_user("baokang_league_admin"), wish)
    # when a signed-in user who does not act for the unit (but may claim) answers it, or names no dispatch at all
    stranger = as_user("maliang_league_staff")
    answer = stranger(RESPOND, {"id": sent["dispatchId"], "accept": True})["respondToDispatch"]
    missing = stranger(RESPOND, {"id": str(int(sent["dispatchId"]) + 1000), "accept": True})["respondToDispatch"]
    garbage = stranger(RESPOND, {"id": "abc", "accept": True})["respondToDispatch"]
    # then NOT_FOUND, exactly like a dispatch that does not exist, and nothing changed
    assert answer["errors"] == missing["errors"] == [{"field": "id", "code": "NOT_FOUND"}]
    assert codes(garbage["errors"]) == ["NOT_FOUND"]
    assert Dispatch.objects.get(pk=sent["dispatchId"]).state == DispatchState.PENDING
    assert not Claim.objects.filter(wish=wish).exists()


def test_a_unit_token_that_may_not_claim_cannot_answer_a_dispatch(as_user, as_token):
    # given a dispatch to 保康县农商行 and a token of that unit that may read the board but not claim
    wish = wish_in(State.PUBLISHED)
    sent = dispatch(as_user("baokang_league_admin"), wish)
    _, board_only = access_services.create_token(SYSTEM, organization_id=org("保康县农商行").pk, name="只读看板",
                                                 permissions=["wishes.view_published_wish"])
    before = snapshot(wish)
    # when it accepts or declines the dispatch
    for accept in (True, False):
        answer = as_token(board_only)(RESPOND, {"id": sent["dispatchId"], "accept": accept})["respondToDispatch"]
        # then PERMISSION_DENIED (the dispatch is addressed to its unit) and nothing changed
        assert answer["errors"] == [{"field": "id", "code": "PERMISSION_DENIED"}]
    assert snapshot(wish) == before
    assert Dispatch.objects.get(pk=sent["dispatchId"]).state == DispatchState.PENDING


def test_dispatch_needs_a_published_wish_and_a_future_deadline(as_user):
    admin = as_user("baokang_league_admin")
    assert codes(dispatch(admin, wish_in(State.REVIEWED))["errors"]) == ["NOT_CLAIMABLE"]
    past = dispatch(admin, wish_in(State.PUBLISHED), deadline=timezone.now() - timedelta(minutes=1))
    assert [(e["field"], e["code"]) for e in past["errors"]] == [("deadline", "DEADLINE_IN_PAST")]
    assert not Dispatch.objects.filter(wish__title="一盒彩笔").exists()


# --- 分级圆梦: escalation and take-over --------------------------------------------------------------------


def test_escalated_wish_is_taken_over_by_the_superior(as_user):
    # given a reviewed wish of 马良镇团委 that the town cannot fulfil
    wish = wish_in(State.REVIEWED, organization="马良镇团委", title="一台电子琴", value="1800")
    town = as_user("maliang_league_staff")
    # when the town escalates it
    escalated = town(ACTION % "escalateWish", {"id": wish_gid(wish)})["escalateWish"]
    assert escalated == {"wish": {"state": "ESCALATED", "handlingOrganizationName": None}, "errors": []}
    # then the superior body's admin finds it among the escalated wishes
    county = as_user("baokang_league_admin")
    listed = county(WISHES, {"filters": {"state": "ESCALATED"}})["wishes"]
    assert wish_gid(wish) in {e["node"]["id"] for e in listed["edges"]}
    assert {e["node"]["state"] for e in listed["edges"]} == {"ESCALATED"}
    assert county(WISH, {"id": wish_gid(wish)})["wish"]["escalatedAt"] is not None
    # and the town, which still sees the wish, may not take it over at its superior
    before = snapshot(wish)
    assert town(WISH, {"id": wish_gid(wish)})["wish"]["state"] == "ESCALATED"
    denied = town(ACTION % "takeOverWish", {"id": wish_gid(wish)})["takeOverWish"]
    assert codes(denied["errors"]) == ["PERMISSION_DENIED"] and snapshot(wish) == before
    # when the county takes it over
    taken = county(ACTION % "takeOverWish", {"id": wish_gid(wish)})["takeOverWish"]
    # then it is published again, handled by 共青团保康县委, and the take-over is audited
    assert taken == {"wish": {"state": "PUBLISHED", "handlingOrganizationName": "共青团保康县委"}, "errors": []}
    wish.refresh_from_db()
    assert wish.handling_organization == org("共青团保康县委") and wish.published_at is not None
    assert AuditEntry.objects.filter(action="wish.take_over", target_id=str(wish.pk)).count() == 1
    # and the town can no longer change it (it is handled above)
    assert codes(town(ACTION % "withdrawWish", {"id": wish_gid(wish)})["withdrawWish"]["errors"]) == ["PERMISSION_DENIED"]


def test_escalate_overdue_moves_unclaimed_published_wishes_up(db):
    # given wishes with claim deadlines around today
    today = timezone.localdate()
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    donor = new_donor("donor_overdue")
    overdue = wish_in(State.PUBLISHED, title="逾期未认领", claim_deadline=yesterday)
    not_yet = wish_in(State.PUBLISHED, title="未到期", claim_deadline=tomorrow)
    partly = wish_in(State.PUBLISHED, title="逾期部分认领", value="100", claim_deadline=yesterday)
    services.claim_wishes(Actor.for_user(donor), wish_ids=[partly.pk], shares=["10"])
    unpublished = wish_in(State.REVIEWED, title="逾期未公示", claim_deadline=yesterday)
    top = wish_in(State.PUBLISHED, organization="共青团襄阳市委", title="无上级", claim_deadline=yesterday)
    # when the periodic job runs
    count = services.escalate_overdue(SYSTEM)
    # then only the published, unclaimed, overdue wish with a superior is escalated
    states = {w.title: Wish.objects.get(pk=w.pk).state for w in (overdue, not_yet, partly, unpublished, top)}
    assert states == {"逾期未认领": State.ESCALATED, "未到期": State.PUBLISHED, "逾期部分认领": State.PUBLISHED,
                      "逾期未公示": State.REVIEWED, "无上级": State.PUBLISHED}
    assert count == 1
    assert AuditEntry.objects.filter(action="wish.escalate", target_id=str(overdue.pk)).count() == 1


UNIT_DISPATCHES = """
query($filters: UnitDispatchFilter) {
  myDispatches(first: 20, filters: $filters) {
    totalCount edges { node { dispatchId state unitName wish { title place childName remaining } } }
  }
}"""


def test_a_unit_lists_the_dispatches_addressed_to_it_and_no_one_elses(as_user, as_token, demo_token):
    # given two dispatches: one to 保康县农商行, one to 保康县电力公司
    ours, theirs = wish_in(State.PUBLISHED, value="120"), wish_in(State.PUBLISHED, value="90")
    admin = as_user("baokang_league_admin")
    sent = dispatch(admin, ours)
    dispatch(admin, theirs, unit_name="保康县电力公司")
    # when the partner unit (its token) lists its dispatches
    partner = as_token(demo_token)
    listed = partner(UNIT_DISPATCHES, {"filters": {"state": "PENDING"}})["myDispatches"]
    # then it sees its own only, with the child masked, and can answer it by the id given
    assert listed["totalCount"] == 1
    node = listed["edges"][0]["node"]
    assert (node["dispatchId"], node["wish"]["title"], node["unitName"], node["state"]) == \
        (sent["dispatchId"], ours.title, "保康县农商行", "PENDING")
    assert node["wish"]["childName"] is None or node["wish"]["childName"].endswith("*")
    answer = partner(RESPOND, {"id": node["dispatchId"], "accept": False})["respondToDispatch"]
    assert answer["state"] == "DECLINED"
    assert partner(UNIT_DISPATCHES, {"filters": {"state": "PENDING"}})["myDispatches"]["totalCount"] == 0
    # the county staff who dispatched act for no unit: they see none of the units' dispatches
    assert admin(UNIT_DISPATCHES, {})["myDispatches"]["totalCount"] == 0
