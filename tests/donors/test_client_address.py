"""Per-address limits behind a reverse proxy (core/clientaddr.py): X-Forwarded-For is believed only from a trusted
proxy, read from the right, so a client cannot pick its own address and two clients behind nginx keep separate
windows; the audit log and the SMS code records see the same address."""

import pytest
from axes.helpers import get_client_ip_address
from django.test import RequestFactory

from core.clientaddr import client_address
from donors.models import PhoneCode
from tests.conftest import GraphQLClient
from tests.donors.helpers import SEND
from tests.wishes.helpers import wish_in
from wishes.models import State

pytestmark = pytest.mark.django_db

COUNT = "{ publicWishes(first: 1) { totalCount } }"
PROXY = "10.9.0.5"


@pytest.fixture(autouse=True)
def limited(settings):
    settings.PUBLIC_BOARD_RATE_LIMIT = 2
    settings.TRUSTED_PROXIES = ["10.9.0.0/24", "fd00::/8"]
    wish_in(State.PUBLISHED, "马良坪村团支部", title="一套画笔")


def refused(response) -> bool:
    assert response.status_code == 200
    errors = response.json().get("errors") or []
    assert all(e["extensions"]["code"] == "RATE_LIMITED" for e in errors), errors
    return bool(errors)


def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored():
    client = GraphQLClient()
    outcomes = [refused(client.post(COUNT, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"))
                for n in range(3)]
    assert outcomes == [False, False, True]  # one window for the peer, whatever the header claims


def test_two_clients_behind_a_trusted_proxy_have_separate_limits():
    client = GraphQLClient()
    first = [refused(client.post(COUNT, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")) for _ in range(3)]
    second = [refused(client.post(COUNT, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.8")) for _ in range(2)]
    assert first == [False, False, True] and second == [False, False]


def test_a_client_behind_the_proxy_cannot_escape_by_prepending_addresses():
    client = GraphQLClient()
    outcomes = [refused(client.post(COUNT, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7"))
                for n in range(3)]
    assert outcomes == [False, False, True]  # nginx appended 203.0.113.7, the real peer; the rest is the client's


def test_the_sms_code_record_and_the_audit_see_the_client_behind_the_proxy(phones):
    payload = GraphQLClient().post(SEND, {"phone": "13800001111"}, REMOTE_ADDR=PROXY,
                                   HTTP_X_FORWARDED_FOR="203.0.113.7").json()
    assert payload["data"]["sendDonorCode"]["errors"] == []
    assert PhoneCode.objects.get().ip == "203.0.113.7"


@pytest.mark.parametrize(("peer", "forwarded", "expected"), [
    ("198.51.100.9", "203.0.113.7", "198.51.100.9"),  # untrusted peer: its own address
    (PROXY, "", PROXY),  # a trusted proxy without the header: the proxy itself
    (PROXY, "203.0.113.7, 10.9.0.7", "203.0.113.7"),  # two trusted proxies in a row
    (PROXY, "10.9.0.8, 10.9.0.7", "10.9.0.8"),  # only proxies: the leftmost sent it
    (PROXY, "not-an-address", PROXY),  # garbage: no further than the last address vouched for
    ("fd00::1", "2001:db8::7", "2001:db8::7"),  # IPv6 proxy and client
])
def test_the_rightmost_untrusted_hop_is_the_client(peer, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_without_trusted_proxies_the_header_is_never_read(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_address(request) == PROXY


def test_login_lockouts_use_the_same_address():
    request = RequestFactory().post("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert get_client_ip_address(request) == "203.0.113.7"
