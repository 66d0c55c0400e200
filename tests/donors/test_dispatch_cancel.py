"""A unit that accepted a dispatch (组织派单) and then cancels the claim it got: the dispatch leaves 已接单 for 已撤回,
the wish is back on the board, and the staff's view of the wish says so."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.donors.helpers import codes
from tests.permissions.helpers import gid, org
from tests.wishes.helpers import wish_gid, wish_in
from wishes.models import Dispatch, DispatchState, State

pytestmark = pytest.mark.django_db

DISPATCH = """mutation($input: DispatchWishInput!) { dispatchWish(input: $input) { dispatchId state errors { field code } } }"""
RESPOND = """mutation($id: ID!) { respondToDispatch(input: {dispatchId: $id, accept: true}) { state errors { field code } } }"""
UNIT_CLAIMS = "{ unitClaims(first: 20) { edges { node { id wishTitle cancellable } } } }"
CANCEL = "mutation($id: ID!) { cancelClaim(input: {id: $id}) { ok errors { field code message } } }"
WISH = "query($id: ID!) { wish(id: $id) { state dispatches { unitName state } claims { donorLabel } } }"


def test_a_cancelled_dispatch_claim_withdraws_the_dispatch(as_user, as_token, demo_token):
    wish = wish_in(State.PUBLISHED, value="180", title="一套美术用品")
    admin = as_user("baokang_league_admin")
    sent = admin(DISPATCH, {"input": {"wishId": wish_gid(wish), "unitId": gid("Organization", org("保康县农商行").pk),
                                      "deadline": (timezone.now() + timedelta(days=3)).isoformat()}})["dispatchWish"]
    unit = as_token(demo_token)
    assert unit(RESPOND, {"id": sent["dispatchId"]})["respondToDispatch"] == {"state": "ACCEPTED", "errors": []}
    claim = next(e["node"] for e in unit(UNIT_CLAIMS)["unitClaims"]["edges"] if e["node"]["wishTitle"] == "一套美术用品")
    assert claim["cancellable"]

    assert unit(CANCEL, {"id": claim["id"]})["cancelClaim"] == {"ok": True, "errors": []}

    seen = admin(WISH, {"id": wish_gid(wish)})["wish"]
    assert seen["state"] == "PUBLISHED" and seen["claims"] == []
    assert seen["dispatches"] == [{"unitName": "保康县农商行", "state": "WITHDRAWN"}]
    assert Dispatch.objects.get(pk=sent["dispatchId"]).state == DispatchState.WITHDRAWN


def test_cancelling_a_claim_made_from_the_board_leaves_other_dispatches_alone(as_user, as_token, demo_token):
    wish = wish_in(State.PUBLISHED, value="180", title="一副羽毛球拍")
    admin = as_user("baokang_league_admin")
    sent = admin(DISPATCH, {"input": {"wishId": wish_gid(wish), "unitId": gid("Organization", org("保康县农商行").pk),
                                      "deadline": (timezone.now() + timedelta(days=3)).isoformat()}})["dispatchWish"]
    unit = as_token(demo_token)
    claimed = unit("""mutation($ids: [ID!]!) { claimWishes(input: {wishIds: $ids}) { errors { code } } }""",
                   {"ids": [gid("PublishedWish", wish.pk)]})["claimWishes"]
    assert codes(claimed) == []
    claim = next(e["node"] for e in unit(UNIT_CLAIMS)["unitClaims"]["edges"] if e["node"]["wishTitle"] == "一副羽毛球拍")
    assert unit(CANCEL, {"id": claim["id"]})["cancelClaim"]["ok"]
    assert Dispatch.objects.get(pk=sent["dispatchId"]).state == DispatchState.PENDING  # still awaiting an answer
