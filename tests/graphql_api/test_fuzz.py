"""Fuzzing the live schema over HTTP (issue 14): operations generated from frontend_schema/schema.graphql by
hypothesis-graphql, valid ones and ones with one schema violation each, sent as anonymous, as a township staff
member and with the partner token. No answer may be a 5xx or a masked internal error.

CI runs FUZZ_EXAMPLES (default 25) per identity and mode; the documented run is FUZZ_EXAMPLES=3000
(README, "Security").
"""

import base64
import os
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from tests.conftest import GraphQLClient

pytestmark = pytest.mark.django_db

SDL = (Path(__file__).resolve().parents[2] / "frontend_schema" / "schema.graphql").read_text()
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))


def _string(strategy):
    return strategy.map(lambda value: nodes.String(str(value)))


# Our custom scalars travel as strings: well-formed values, and any text to try the parsers.
SCALARS = {
    "Date": _string(st.dates()) | _string(st.text(max_size=12)),
    "DateTime": _string(st.datetimes().map(lambda d: d.isoformat() + "+08:00")) | _string(st.text(max_size=25)),
    "Decimal": _string(st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False))
    | _string(st.text(max_size=12)),
    "JSON": _string(st.sampled_from(["{}", "[]", "1", "x"])),
    "Upload": st.just(nodes.Null),
}

IDENTITIES = ("anonymous", "township_staff", "partner_token")


def _real_ids() -> list[str]:
    """Global IDs of demo objects of each kind, so that generated operations reach the services, not only the
    ID parser."""
    from django.apps import apps

    kinds = {"Organization": "orgs.Organization", "Child": "children.Child", "Wish": "wishes.Wish",
             "PublishedWish": "wishes.Wish", "HappyHome": "programs.HappyHome", "Volunteer": "programs.Volunteer",
             "Pairing": "programs.Pairing", "Campaign": "programs.Campaign", "ReportRequest": "rollups.ReportRequest",
             "Membership": "permissions.Membership", "Transfer": "children.Transfer"}
    ids = []
    for type_name, label in kinds.items():
        for pk in apps.get_model(label).objects.order_by("pk").values_list("pk", flat=True)[:5]:
            ids.append(base64.b64encode(f"{type_name}:{pk}".encode()).decode())
    return ids


def _client(identity: str, demo_token: str) -> GraphQLClient:
    if identity == "township_staff":
        return GraphQLClient().login("maliang_league_staff")
    if identity == "partner_token":
        return GraphQLClient(token=demo_token)
    return GraphQLClient()


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize("identity", IDENTITIES)
def test_no_operation_gets_a_5xx_or_an_internal_error(identity, mode, demo_token):
    client = _client(identity, demo_token)
    scalars = {**SCALARS, "ID": _string(st.sampled_from(_real_ids())) | _string(st.text(max_size=20))}

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(document=from_schema(SDL, custom_scalars=scalars, mode=mode))
    def check(document):
        response = client.post(document)
        assert response.status_code < 500, (document, response.content[:500])
        errors = response.json().get("errors") or [] if response["Content-Type"].startswith("application/json") else []
        internal = [e for e in errors if (e.get("extensions") or {}).get("code") == "INTERNAL_ERROR"]
        assert not internal, (document, internal)

    check()
