"""The GraphQL answer's JSON (graphql_api/views.py ``encode_json``): UTF-8 as sent, the same values as the json
module's, and what is not a JSON value encoded by Django's encoder as before."""

import datetime
import json

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy

from graphql_api.schema import schema
from graphql_api.views import PlatformGraphQLView

pytestmark = pytest.mark.django_db


def test_an_answer_is_utf8_json_with_chinese_as_written(as_user):
    response = as_user("maliang_league_staff").post("{ me { displayName memberships { organization { name } } } }")

    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    payload = json.loads(response.content.decode("utf-8"))
    names = [payload["data"]["me"]["displayName"], *(m["organization"]["name"] for m in payload["data"]["me"]["memberships"])]
    assert names and all(name.encode("utf-8") in response.content for name in names)  # not \u escapes
    assert b"\\u" not in response.content


def test_values_json_cannot_hold_go_through_djangos_encoder():
    data = {"data": None, "errors": [{"message": gettext_lazy("Enter a valid date."),
                                      "extensions": {"on": datetime.date(2026, 12, 1), "n": 3, "ok": True}}]}

    encoded = PlatformGraphQLView(schema=schema).encode_json(data)

    assert json.loads(encoded) == json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    assert json.loads(encoded)["errors"][0]["extensions"]["on"] == "2026-12-01"
