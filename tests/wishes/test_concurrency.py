"""Claims under contention, on PostgreSQL's row locks: 1+1 has one winner, N+1 never over-covers, 1+N is all or nothing.

The race tests need rows committed for other connections, so they are transactional: pytest-django flushes the
database after each. They build every row they need themselves, and ``postgres_transactional`` (tests/conftest.py)
loads the demo data again for the tests that follow. On SQLite (one writer, no row locks) they are skipped and a
sequential version checks the same semantics.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from core.errors import ServiceError
from orgs import services as org_services
from orgs.models import Kind, Level, System
from permissions import services as access_services
from permissions.actor import Actor
from tests.permissions.helpers import SYSTEM
from wishes import services
from wishes.models import Claim, State, Wish

POOL = 32  # threads with a connection each, well under PostgreSQL's default max_connections of 100


def race(test):
    return pytest.mark.usefixtures("postgres_transactional")(pytest.mark.django_db(transaction=True)(test))


def world(donor_count: int = 4):
    """A league tree of its own, a staff member, and donors with the PARTNER role there."""
    common = {"system": System.LEAGUE, "kind": Kind.LEAGUE_COMMITTEE}
    city = org_services.create_organization(SYSTEM, name="竞争测试团市委", level=Level.CITY, division_code="420600", **common)
    county = org_services.create_organization(SYSTEM, parent_id=city.pk, name="竞争测试团县委", level=Level.COUNTY,
                                              division_code="420626", **common)
    town = org_services.create_organization(SYSTEM, parent_id=county.pk, name="竞争测试镇团委", level=Level.TOWNSHIP,
                                            division_code="420626105", **common)
    User = get_user_model()
    User.objects.create_user("race_staff", password="x")
    access_services.grant_role(SYSTEM, organization_id=county.pk, role="STAFF", username="race_staff")
    donors = []
    for i in range(donor_count):
        donors.append(User.objects.create_user(f"race_donor_{i}", password="x"))
        access_services.grant_role(SYSTEM, organization_id=county.pk, role="PARTNER", username=f"race_donor_{i}")
    return town, donors


def published(town, value, title="竞争心愿") -> Wish:
    wish = services.collect_wish(SYSTEM, organization_id=town.pk, title=title, category="ITEM",
                                 estimated_value=value, household="测试困难户")
    for action in ("review", "publish"):
        services.transition(SYSTEM, wish_id=wish.pk, action=action)
    return wish


def race_claims(requests: list[tuple[int, list[int], list | None]]) -> list[str]:
    """Runs each (user id, wish ids, shares) as a claim in its own thread with its own Actor and connection,
    all released at once; returns "OK", the ServiceError code, or the repr of anything else that escaped."""
    gate = threading.Event()

    def one(user_id, wish_ids, shares):
        try:
            actor = Actor.for_user(get_user_model().objects.get(pk=user_id))
            gate.wait(timeout=30)
            services.claim_wishes(actor, wish_ids=wish_ids, shares=shares)
            return "OK"
        except ServiceError as error:
            return error.code.name
        except Exception as error:  # a deadlock or a lock timeout would be a 500 for the caller
            return repr(error)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=min(POOL, len(requests))) as pool:
        futures = [pool.submit(one, *request) for request in requests]
        gate.set()
        return [future.result(timeout=120) for future in futures]


@race
def test_one_plus_one_has_exactly_one_winner_among_200():
    # given one published 1+1 wish and 200 claim requests from separate actors
    town, donors = world()
    wish = published(town, "120")
    requests = [(donors[i % len(donors)].pk, [wish.pk], None) for i in range(200)]
    # when they all claim at once
    outcomes = Counter(race_claims(requests))
    # then exactly one wins and every other one is told the wish is taken
    assert outcomes == Counter({"OK": 1, "ALREADY_CLAIMED": len(requests) - 1})
    wish.refresh_from_db()
    assert wish.state == State.CLAIMED and wish.covered_amount == wish.estimated_value
    assert Claim.objects.filter(wish=wish).count() == 1


@race
def test_n_plus_one_never_over_covers_under_contention():
    # given a 120-yuan wish and 50 donors' claims of 10 yuan each
    town, donors = world()
    wish = published(town, "120")
    share = Decimal("10")
    requests = [(donors[i % len(donors)].pk, [wish.pk], [share]) for i in range(50)]
    # when they all claim at once
    outcomes = Counter(race_claims(requests))
    # then exactly value / share succeed, the rest find the wish taken, and it is covered exactly
    winners = int(wish.estimated_value / share)
    assert outcomes == Counter({"OK": winners, "ALREADY_CLAIMED": len(requests) - winners})
    wish.refresh_from_db()
    assert wish.covered_amount == wish.estimated_value and wish.state == State.CLAIMED
    assert sum(Claim.objects.filter(wish=wish).values_list("amount", flat=True)) == wish.estimated_value


@race
def test_n_plus_one_with_uneven_shares_never_over_covers():
    # 40 claims of 7 yuan on a 100-yuan wish: 14 fit (98 yuan), then the rest exceed the 2 yuan remaining
    town, donors = world()
    wish = published(town, "100")
    share = Decimal("7")
    outcomes = Counter(race_claims([(donors[i % len(donors)].pk, [wish.pk], [share]) for i in range(40)]))
    fits = int(wish.estimated_value // share)
    assert outcomes == Counter({"OK": fits, "OVER_COVER": 40 - fits})
    wish.refresh_from_db()
    assert wish.covered_amount == fits * share and wish.state == State.PUBLISHED


@race
def test_one_plus_n_is_all_or_nothing_under_contention():
    # given pairs of wishes, each pair claimed at once by two donors in opposite order
    town, donors = world(2)
    first, second = donors
    rounds = 15
    for round_ in range(rounds):
        a = published(town, "50", title=f"甲{round_}")
        b = published(town, "60", title=f"乙{round_}")
        # when both claim the same two wishes, one [a, b] and the other [b, a]
        outcomes = race_claims([(first.pk, [a.pk, b.pk], None), (second.pk, [b.pk, a.pk], None)])
        # then one wins both, the other gets ALREADY_CLAIMED, and no deadlock escapes as an error
        assert sorted(outcomes) == ["ALREADY_CLAIMED", "OK"], outcomes
        winner = first if outcomes[0] == "OK" else second
        for wish in (a, b):
            assert list(Claim.objects.filter(wish=wish).values_list("donor_user", flat=True)) == [winner.pk]
            assert Wish.objects.get(pk=wish.pk).state == State.CLAIMED


@race
def test_one_plus_n_across_organizations_does_not_deadlock():
    # given wishes in two towns, claimed crosswise by two donors (no wish in common, so both must succeed)
    town, donors = world(2)
    other = org_services.create_organization(SYSTEM, parent_id=town.parent_id, name="竞争测试另一镇团委", level=Level.TOWNSHIP,
                                             division_code="420626106", system=System.LEAGUE, kind=Kind.LEAGUE_COMMITTEE)
    for round_ in range(15):
        a, c = published(town, "10", title=f"甲{round_}"), published(town, "10", title=f"丙{round_}")
        b, d = published(other, "10", title=f"乙{round_}"), published(other, "10", title=f"丁{round_}")
        outcomes = race_claims([(donors[0].pk, [a.pk, d.pk], None), (donors[1].pk, [b.pk, c.pk], None)])
        assert outcomes == ["OK", "OK"], outcomes


@pytest.mark.django_db
def test_one_plus_one_sequential_sanity():
    """The same 1+1 semantics without threads (runs on SQLite too): the first of five claims wins."""
    town, donors = world()
    wish = published(town, "120")
    outcomes = []
    for i in range(5):
        try:
            services.claim_wishes(Actor.for_user(donors[i % len(donors)]), wish_ids=[wish.pk])
            outcomes.append("OK")
        except ServiceError as error:
            outcomes.append(error.code.name)
    assert outcomes == ["OK"] + ["ALREADY_CLAIMED"] * 4
    wish.refresh_from_db()
    assert wish.state == State.CLAIMED and Claim.objects.filter(wish=wish).count() == 1
