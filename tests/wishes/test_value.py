"""A wish's estimated value (元), corrected by its staff before the gift is prepared (issue 20 item 4's field), and
shown on the public board; never below what donors have claimed; a neighbour's staff cannot reach it."""

import pytest

from permissions import services as access_services
from permissions.actor import Actor
from tests.conftest import GraphQLClient
from tests.permissions.helpers import SYSTEM, gid, org
from tests.programs.helpers import new_user
from tests.wishes.helpers import new_donor, wish_in
from wishes import services
from wishes.models import State

pytestmark = pytest.mark.django_db

UPDATE = """mutation($id: ID!, $value: Decimal!) { updateWishValue(input: {id: $id, estimatedValue: $value}) {
  wish { estimatedValue remaining } errors { field code message } } }"""


def update(client, wish, value) -> dict:
    return client(UPDATE, {"id": gid("Wish", wish.pk), "value": value})["updateWishValue"]


def codes(payload) -> list[str]:
    return [e["code"] for e in payload["errors"]]


def test_staff_change_the_value_and_the_board_shows_it(as_user):
    wish = wish_in(State.PUBLISHED, value="100")
    staff = as_user("maliang_league_staff")
    assert update(staff, wish, "135.50") == {"wish": {"estimatedValue": "135.50", "remaining": "135.50"}, "errors": []}
    board = GraphQLClient()("{ publicWishes(first: 100) { edges { node { id estimatedValue } } } }")["publicWishes"]
    assert {"id": gid("PublicWish", wish.pk), "estimatedValue": "135.50"} in [e["node"] for e in board["edges"]]
    assert codes(update(staff, wish, "0")) == ["INVALID_VALUE"]


def test_never_below_what_is_claimed_nor_once_covered(as_user):
    wish = wish_in(State.PUBLISHED, value="100")
    services.claim_wishes(Actor.for_user(new_donor("value_donor")), wish_ids=[wish.pk], shares=["60"])
    staff = as_user("maliang_league_staff")
    below = update(staff, wish, "50")
    assert codes(below) == ["VALUE_BELOW_CLAIMED"] and "60" in below["errors"][0]["message"]
    assert update(staff, wish, "60")["wish"]["remaining"] == "0.00"  # down to what is claimed: claimed in full
    wish.refresh_from_db()
    assert wish.state == State.CLAIMED and wish.claimed_at is not None
    claimed = wish_in(State.CLAIMED, value="80", donor=new_donor("value_donor_2"))
    assert codes(update(staff, claimed, "90")) == ["ILLEGAL_TRANSITION"]


def test_a_neighbour_finds_nothing_and_a_viewer_may_not_change_it(as_user):
    wish = wish_in(State.PUBLISHED, value="100")
    assert codes(update(as_user("huangbao_league_staff"), wish, "120")) == ["NOT_FOUND"]
    new_user("value_viewer")
    access_services.grant_role(SYSTEM, organization_id=org("马良镇团委").pk, role="VIEWER", username="value_viewer")
    assert codes(update(as_user("value_viewer"), wish, "120")) == ["PERMISSION_DENIED"]
    wish.refresh_from_db()
    assert str(wish.estimated_value) == "100.00"
