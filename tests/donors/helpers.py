"""Helpers for the donor tests: an SMS outbox and registering over HTTP as the public page does."""

import re

from demo.data import DEMO_DONOR
from donors.models import Donor
from notifications.sms import SmsBackend
from tests.conftest import GraphQLClient

SENT: list[tuple[str, str]] = []
SEND = "mutation($phone: String!) { sendDonorCode(input: {phone: $phone}) { sent errors { field code message } } }"
SIGN_IN = """mutation($phone: String!, $code: String!, $name: String!) {
  signInDonor(input: {phone: $phone, code: $code, displayName: $name}) {
    registered donor { displayName phone } errors { field code message } } }"""


class Outbox(SmsBackend):
    """The SMS provider of these tests: keeps each (phone, text)."""

    def send(self, phone: str, text: str) -> None:
        SENT.append((phone, text))


class Phones:
    """Codes asked over HTTP (their SMS sent on commit, as in production) and read from the outbox."""

    def __init__(self, capture):
        self.capture = capture
        self.sent = SENT

    def ask(self, client: GraphQLClient, phone: str) -> dict:
        with self.capture(execute=True):
            return client(SEND, {"phone": phone})["sendDonorCode"]

    def code(self, phone: str) -> str:
        text = next(t for p, t in reversed(SENT) if p == phone)
        return re.search(r"验证码是 (\d{6})", text).group(1)

    def sign_in(self, client: GraphQLClient, phone: str, code: str, name: str = "") -> dict:
        return client(SIGN_IN, {"phone": phone, "code": code, "name": name})["signInDonor"]

    def register(self, phone: str, name: str = "爱心人士") -> GraphQLClient:
        """A donor registered over HTTP the way the public page does it: ask for a code, type it in."""
        client = GraphQLClient()
        assert self.ask(client, phone)["errors"] == []
        payload = self.sign_in(client, phone, self.code(phone), name)
        assert payload["errors"] == [], payload
        return client


def codes(payload: dict) -> list[str]:
    return [e["code"] for e in payload["errors"]]


def registered():
    """The donors registered by the test (the demo's donor, demo/data.py DEMO_DONOR, aside)."""
    return Donor.objects.exclude(user__username=DEMO_DONOR.username)
