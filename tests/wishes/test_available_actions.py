"""availableActions (issue 16 item 7): what the API offers on a wish is exactly what the services then allow,
for each state and for actors of different reach, read from the one table of wishes/machine.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ServiceError
from orgs.models import Organization, System
from permissions.actor import Actor
from tests.conftest import user
from tests.wishes.helpers import new_donor, wish_gid, wish_in
from wishes import machine, services
from wishes.models import State, Wish

pytestmark = pytest.mark.django_db

OFFERED = "query($id: ID!) { wish(id: $id) { state availableActions } }"


def attempt(actor: Actor, action: str, wish: Wish) -> bool:
    """Whether the service lets ``actor`` take ``action`` on ``wish`` (each try in a savepoint, undone)."""
    from django.db import transaction

    try:
        with transaction.atomic():
            if action == "claim":
                services.claim_wishes(actor, wish_ids=[wish.pk])
            elif action == "dispatch":  # to a unit the actor can see (the offer is about the wish, not the unit)
                unit = actor.visible(Organization.objects.filter(system=System.UNIT), "orgs.view_organization").first()
                services.dispatch_wish(actor, wish_id=wish.pk, unit_id=unit.pk if unit else None,
                                       deadline=timezone.now() + timedelta(days=3))
            else:
                services.transition(actor, wish_id=wish.pk, action=action, reason="测试原因")
            transaction.set_rollback(True)
        return True
    except ServiceError:
        return False


@pytest.mark.parametrize("username", ["maliang_league_staff", "baokang_league_admin", "huangbao_league_staff"])
@pytest.mark.parametrize("state", State.values)
def test_what_is_offered_is_what_the_services_allow(as_user, username, state):
    wish = wish_in(state, donor=new_donor(f"donor_{state.lower()}"))
    data = as_user(username)(OFFERED, {"id": wish_gid(wish)})["wish"]
    allowed = {action for action in machine.TRANSITIONS if attempt(Actor.for_user(user(username)), action, wish)}
    if data is None:  # a neighbour does not see the wish at all, and may do nothing with it
        assert username == "huangbao_league_staff" and allowed == set()
        return
    offered = {a.lower() for a in data["availableActions"]}
    if not Actor.for_user(user(username)).visible(Organization.objects.filter(system=System.UNIT), "orgs.view_organization"):
        offered.discard("dispatch")  # offered on the wish, but this actor sees no unit to dispatch to
    assert offered == allowed


def test_a_claimed_share_takes_withdraw_close_and_escalate_off_the_offer(as_user):
    wish = wish_in(State.PUBLISHED, value="100")
    before = set(as_user("maliang_league_staff")(OFFERED, {"id": wish_gid(wish)})["wish"]["availableActions"])
    services.claim_wishes(Actor.for_user(new_donor("donor_share")), wish_ids=[wish.pk], shares=["30"])
    after = set(as_user("maliang_league_staff")(OFFERED, {"id": wish_gid(wish)})["wish"]["availableActions"])
    assert {"WITHDRAW", "CLOSE", "ESCALATE"} <= before and before - after == {"WITHDRAW", "CLOSE", "ESCALATE"}


def test_only_the_superior_is_offered_to_take_an_escalated_wish_over(as_user):
    # a wish of 马良镇团委 itself, escalated: the county takes it over, the township cannot
    wish = wish_in(State.ESCALATED, organization="马良镇团委")
    township = as_user("maliang_league_staff")(OFFERED, {"id": wish_gid(wish)})["wish"]["availableActions"]
    county = as_user("baokang_league_admin")(OFFERED, {"id": wish_gid(wish)})["wish"]["availableActions"]
    assert "TAKE_OVER" not in township and "TAKE_OVER" in county
