"""The three claim patterns over GraphQL (1+1, N+1, 1+N), all or nothing, and claiming for a unit."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from permissions import services as access_services
from permissions.models import AuditEntry
from tests.permissions.helpers import SYSTEM, gid, org
from tests.wishes.helpers import board_gid, codes, money, new_donor, snapshot, wish_gid, wish_in
from wishes.models import Claim, DonorKind, State, Wish

pytestmark = pytest.mark.django_db

CLAIM = """
mutation($input: ClaimWishesInput!) {
  claimWishes(input: $input) {
    wishes { id remaining coveredAmount claims { donorKind donorLabel amount viaDispatch } }
    errors { field code message }
  }
}"""

WISH = "query($id: ID!) { wish(id: $id) { state coveredAmount remaining claims { donorKind donorLabel amount } } }"


@pytest.fixture
def donors(db):
    return [new_donor(name) for name in ("donor_chen", "donor_zhou", "donor_wu")]


def claim(client, wishes, shares=None, unit=None) -> dict:
    data = {"wishIds": [board_gid(w) for w in wishes]}
    if shares is not None:
        data["shares"] = [str(s) for s in shares]
    if unit is not None:
        data["unitId"] = gid("Organization", unit.pk)
    return client(CLAIM, {"input": data})["claimWishes"]


def test_one_plus_one_a_second_claimer_gets_already_claimed(as_user, donors):
    # given a wish on the board that nobody has claimed from (the demo's donor holds a share of 一双运动鞋)
    wish = wish_in(State.PUBLISHED, "三岔村团支部", value="150", title="一双跑鞋")
    first, second = donors[:2]
    # when one donor claims it whole, then another tries
    won = claim(as_user(first.username), [wish])
    lost = claim(as_user(second.username), [wish])
    # then the first holds the one claim for the whole value and the second is told it is taken
    assert won["errors"] == [] and money(won["wishes"][0]["remaining"]) == 0
    assert codes(lost["errors"]) == ["ALREADY_CLAIMED"] and lost["wishes"] == []
    wish.refresh_from_db()
    assert wish.state == State.CLAIMED and wish.covered_amount == wish.estimated_value
    assert list(Claim.objects.filter(wish=wish).values_list("donor_user__username", "amount")) == [(first.username, wish.estimated_value)]


def test_n_plus_one_shares_cover_the_value_and_never_more(as_user, donors):
    # given the demo wish 一套课外读物 and three shares that sum to its value
    wish = Wish.objects.get(title="一套课外读物")
    value = wish.estimated_value
    a = (value / 2).quantize(Decimal("0.01"))
    b = ((value - a) / 2).quantize(Decimal("0.01"))
    c = value - a - b
    assert a > 0 and b > 0 and c > 0 and a + b + c == value
    clients = [as_user(d.username) for d in donors]
    # when the first two donors claim their shares, the state stays PUBLISHED
    for client, share, covered in ((clients[0], a, a), (clients[1], b, a + b)):
        result = claim(client, [wish], [share])
        assert result["errors"] == [] and money(result["wishes"][0]["coveredAmount"]) == covered
        assert Wish.objects.get(pk=wish.pk).state == State.PUBLISHED
    # and a share above what remains is refused with OVER_COVER, naming the remaining amount
    before = snapshot(wish)
    over = claim(clients[2], [wish], [c + Decimal("0.01")])
    assert codes(over["errors"]) == ["OVER_COVER"] and str(c) in over["errors"][0]["message"]
    assert snapshot(wish) == before
    # when the third donor claims exactly the rest
    last = claim(clients[2], [wish], [c])
    # then the wish is covered exactly and CLAIMED, with three claims and three audit entries
    assert last["errors"] == []
    wish.refresh_from_db()
    assert wish.state == State.CLAIMED and wish.covered_amount == value
    assert sorted(Claim.objects.filter(wish=wish).values_list("amount", flat=True)) == sorted([a, b, c])
    assert AuditEntry.objects.filter(action="wish.claim", target_id=str(wish.pk)).count() == 3
    # and a fourth claim of any amount finds it taken
    assert codes(claim(clients[0], [wish], ["1"])["errors"]) == ["ALREADY_CLAIMED"]


@pytest.mark.parametrize("share", ["0", "-5"])
def test_a_share_must_be_positive(as_user, donors, share):
    wish = wish_in(State.PUBLISHED)
    before = snapshot(wish)
    assert codes(claim(as_user(donors[0].username), [wish], [share])["errors"]) == ["INVALID_AMOUNT"]
    assert snapshot(wish) == before


def test_one_plus_n_one_donor_claims_several_wishes_at_once(as_user, donors):
    # given three published wishes
    wishes = [wish_in(State.PUBLISHED, title=f"心愿{i}", value=str(50 + i)) for i in range(3)]
    # when one donor claims them all in one call
    result = claim(as_user(donors[0].username), wishes)
    # then every one is claimed in full by that donor
    assert result["errors"] == [] and {w["id"] for w in result["wishes"]} == {board_gid(w) for w in wishes}
    for wish in wishes:
        wish.refresh_from_db()
        assert wish.state == State.CLAIMED and wish.covered_amount == wish.estimated_value
        assert list(Claim.objects.filter(wish=wish).values_list("donor_user", flat=True)) == [donors[0].pk]


# A wish never published reads to a donor as missing (NOT_FOUND), one claimed since it was on the board as claimed.
@pytest.mark.parametrize("spoiler_state, code", [(State.REVIEWED, "NOT_FOUND"), (State.CLAIMED, "ALREADY_CLAIMED")])
def test_one_plus_n_is_all_or_nothing(as_user, donors, spoiler_state, code):
    # given two claimable wishes and, last in the list, one that is not claimable
    good = [wish_in(State.PUBLISHED, title=f"可认领{i}") for i in range(2)]
    spoiler = wish_in(spoiler_state, donor=donors[1], title="不可认领")
    before = {w.pk: snapshot(w) for w in good + [spoiler]}
    # when one donor claims all three in one call
    result = claim(as_user(donors[0].username), good + [spoiler])
    # then the whole call fails and no claim was written for the others
    assert codes(result["errors"]) == [code] and result["wishes"] == []
    assert {w.pk: snapshot(w) for w in good + [spoiler]} == before
    assert not Claim.objects.filter(wish__in=good).exists()


def test_claim_for_a_unit_by_a_member_of_the_unit(as_user):
    # given a user added to 保康县农商行 (whose group holds the PARTNER role at 共青团保康县委)
    unit = org("保康县农商行")
    get_user_model().objects.create_user("nongshang_clerk", password="x")
    access_services.add_unit_member(SYSTEM, unit_id=unit.pk, username="nongshang_clerk")
    wish = wish_in(State.PUBLISHED)
    # when the clerk claims the wish for the unit
    result = claim(as_user("nongshang_clerk"), [wish], unit=unit)
    # then the claim is the unit's, named on the board
    assert result["errors"] == []
    assert result["wishes"][0]["claims"] == [{"donorKind": "UNIT", "donorLabel": unit.name,
                                              "amount": str(wish.estimated_value), "viaDispatch": False}]
    claim_row = Claim.objects.get(wish=wish)
    assert claim_row.donor_kind == DonorKind.UNIT and claim_row.donor_unit == unit and claim_row.donor_user is None


def test_claim_for_a_unit_one_does_not_act_for(as_user, donors):
    # given a donor who is not a member of 保康县农商行
    unit = org("保康县农商行")
    wish = wish_in(State.PUBLISHED)
    before = snapshot(wish)
    # when the donor claims for that unit
    result = claim(as_user(donors[0].username), [wish], unit=unit)
    # then NOT_A_UNIT_MEMBER on unitId, nothing written
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("unitId", "NOT_A_UNIT_MEMBER")]
    assert snapshot(wish) == before


def test_claiming_by_staff_id_or_board_id_names_the_same_wish(as_user, donors):
    wish = wish_in(State.PUBLISHED)
    result = as_user(donors[0].username)(CLAIM, {"input": {"wishIds": [wish_gid(wish)]}})["claimWishes"]
    assert result["errors"] == [] and result["wishes"][0]["id"] == board_gid(wish)


def test_a_wish_outside_the_donors_reach_is_not_found(as_user, donors):
    # a donor of 保康县 cannot claim 怀化's wish: it answers like a wish that does not exist
    far = wish_in(State.PUBLISHED, organization="颜容村妇联")
    missing = claim(as_user(donors[0].username), [Wish(pk=Wish.objects.order_by("-pk").first().pk + 1000)])
    outside = claim(as_user(donors[0].username), [far])
    assert codes(outside["errors"]) == codes(missing["errors"]) == ["NOT_FOUND"]
    assert not Claim.objects.filter(wish=far).exists()


def test_the_same_wish_twice_in_one_claim_is_refused():
    from core.errors import ServiceError
    from permissions.actor import Actor
    from wishes import services as wish_services

    donor = Actor.for_user(new_donor("twice_donor"))
    wish = wish_in("PUBLISHED")
    with pytest.raises(ServiceError) as caught:
        wish_services.claim_wishes(donor, wish_ids=[wish.pk, wish.pk], shares=["1", "1"])
    assert caught.value.code.name == "INVALID"
    assert not Claim.objects.filter(wish=wish).exists()
