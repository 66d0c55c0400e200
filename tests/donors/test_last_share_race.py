"""200 registered donors on the last share of one wish, over HTTP at once (issue 20): exactly the number of shares
that remain win, every other one is told why in the payload, and no request fails with a 5xx.

Transactional on PostgreSQL (committed rows, row locks), like tests/wishes/test_concurrency.py; each thread posts
with its own signed-in client and its own connection.
"""

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from core.crypto import blind_index
from donors.models import Donor
from tests.conftest import GraphQLClient
from tests.permissions.helpers import gid
from tests.wishes.test_concurrency import POOL, published, world
from wishes import services
from wishes.models import Claim, State

DONORS = 200
CLAIM = """mutation($ids: [ID!]!, $shares: [Decimal]) { claimAsDonor(input: {wishIds: $ids, shares: $shares}) {
  errors { code } } }"""


def donors(count: int) -> list:
    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"race-donor-{i}", first_name=f"爱心人士{i}") for i in range(count)])
    Donor.objects.bulk_create([Donor(user=u, phone=f"1390000{i:04d}", phone_index=blind_index(f"1390000{i:04d}"))
                               for i, u in enumerate(users)])
    return users


@pytest.mark.usefixtures("postgres_transactional")
@pytest.mark.django_db(transaction=True)
def test_200_donors_on_the_last_share_of_one_wish():
    # given a 200-yuan wish of which 150 are claimed, and 200 donors each wanting a 10-yuan share of the last 50
    town, (partner,) = world(1)
    wish = published(town, "200")
    from permissions.actor import Actor
    services.claim_wishes(Actor.for_user(partner), wish_ids=[wish.pk], shares=["150"])
    clients = []
    for user in donors(DONORS):
        client = GraphQLClient()
        client.client.force_login(user)
        clients.append(client)
    gate = threading.Event()

    def one(client):
        try:
            gate.wait(timeout=60)
            response = client.post(CLAIM, {"ids": [gid("PublicWish", wish.pk)], "shares": ["10"]})
            if response.status_code != 200:
                return f"HTTP {response.status_code}"
            body = response.json()
            if body.get("errors"):
                return body["errors"][0].get("extensions", {}).get("code", "GRAPHQL_ERROR")
            errors = body["data"]["claimAsDonor"]["errors"]
            return errors[0]["code"] if errors else "OK"
        finally:
            connection.close()

    # when they all claim at once
    with ThreadPoolExecutor(max_workers=POOL) as pool:
        futures = [pool.submit(one, client) for client in clients]
        gate.set()
        outcomes = Counter(future.result(timeout=300) for future in futures)

    # then exactly the five remaining shares are won, the others are told the wish is taken, nothing failed
    assert outcomes == Counter({"OK": 5, "ALREADY_CLAIMED": DONORS - 5}), outcomes
    wish.refresh_from_db()
    assert wish.state == State.CLAIMED and wish.covered_amount == wish.estimated_value
    person_claims = Claim.objects.filter(wish=wish, donor_user__donor__isnull=False)
    assert person_claims.count() == 5 and sum(c.amount for c in person_claims) == Decimal("50")
