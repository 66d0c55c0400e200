"""The demo donor (demo/data.py DEMO_DONOR): the donor view is visible on `make run`."""

import importlib

import pytest

from demo import data
from demo.loader import password as demo_password
from tests.conftest import GraphQLClient

pytestmark = pytest.mark.django_db


def test_the_demo_donor_signs_in_and_sees_a_claim(phones, settings):
    """The donor view on `make run`: the demo donor signs in with the demo password or by SMS code to the demo
    phone, and follows a share of a published wish that stays on the board for the rest."""
    settings.PASSWORD_HASHERS = importlib.import_module("config.settings").PASSWORD_HASHERS  # the demo's hashes
    donor = data.DEMO_DONOR
    client = GraphQLClient()
    login = client("""mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) {
      user { username displayName } errors { code } } }""", {"u": donor.username, "p": demo_password()})["login"]
    assert login == {"user": {"username": donor.username, "displayName": donor.display_name}, "errors": []}
    mine = client("""{ me { isDonor } myClaims(first: 5) { edges { node { amount wishTitle wishState cancellable } } } }""")
    assert mine["me"]["isDonor"] is True
    assert [e["node"] for e in mine["myClaims"]["edges"]] == [
        {"amount": "50.00", "wishTitle": donor.wish_title, "wishState": "PUBLISHED", "cancellable": True}]
    board = GraphQLClient()("{ publicWishes(first: 50) { edges { node { title remaining } } } }")["publicWishes"]
    assert {"title": donor.wish_title, "remaining": "100.00"} in [e["node"] for e in board["edges"]]
    by_sms = phones.register(donor.phone)  # signs in (not registered anew) with the code sent to the demo phone
    assert by_sms("{ me { displayName } }")["me"]["displayName"] == donor.display_name
