"""Issue 14, over HTTP: bounded work per request, typed answers to malformed requests, fail-closed settings.

Each test replays one finding of the attack run against the live API."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from django.db import InterfaceError, OperationalError

from tests.permissions.helpers import gid, org

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def fragment_chain(levels: int, leaf: str = "__typename") -> str:
    """``levels`` fragments, each spreading the next twice: 2**levels fields once expanded, in ~40 bytes a level."""
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f"query {{ ...F0 }} {chain} fragment F{levels} on Query {{ {leaf} }}"


def error_codes(response) -> list[str]:
    return [(e.get("extensions") or {}).get("code") for e in response.json().get("errors") or []]


# 1. Work bounded before validation, and in time ------------------------------------------------------------

def test_a_fragment_bomb_is_refused_before_validation(gql):
    document = fragment_chain(30)  # 2**30 fields: validation alone held a worker indefinitely
    assert len(document) < 1500
    started = time.monotonic()
    response = gql.post(document)
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert error_codes(response) == ["QUERY_TOO_COMPLEX"]
    assert "2000" in response.json()["errors"][0]["message"]


def test_a_document_under_the_bound_still_runs(gql):
    data = gql(fragment_chain(9))  # 512 fields once expanded
    assert data == {"__typename": "Query"}


def test_execution_stops_when_the_time_budget_is_spent(as_user, settings, monkeypatch):
    """A slow resolver cannot run on for every alias: the first field past the budget ends the whole operation."""
    from graphql_api.access import types

    settings.GRAPHQL_TIME_BUDGET_SECONDS = 0.2
    calls = []
    fast = types.unexpired

    def slow(*args, **kwargs):
        calls.append(1)
        time.sleep(0.15)
        return fast(*args, **kwargs)

    monkeypatch.setattr(types, "unexpired", slow)  # called once by each `me { memberships }`
    aliases = " ".join(f"m{i}: me {{ memberships {{ subtree }} }}" for i in range(20))
    response = as_user("baokang_league_admin").post(f"{{ {aliases} }}")
    assert error_codes(response) == ["TIMEOUT"]
    assert response.json()["data"] is None
    assert len(calls) <= 3  # all 20 would have taken 3 s


@pytest.mark.parametrize("lost", [OperationalError("server closed the connection unexpectedly"),
                                  InterfaceError("connection already closed")])
def test_a_lost_database_connection_is_answered_as_unavailable_not_as_an_internal_error(as_user, monkeypatch, lost):
    """A failover breaks the connections a worker holds: the request that meets one is told to retry (503,
    Retry-After), as clients and nginx treat an unreachable backend, and the next request connects afresh."""
    from graphql_api.access import types

    client = as_user("baokang_league_admin")
    monkeypatch.setattr(types, "unexpired", lambda *args, **kwargs: (_ for _ in ()).throw(lost))
    response = client.post("{ me { memberships { subtree } } }")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert error_codes(response) == ["UNAVAILABLE"]
    assert "稍后重试" in response.json()["errors"][0]["message"]
    monkeypatch.undo()
    response = client.post("{ me { memberships { subtree } } }")
    assert response.status_code == 200 and "errors" not in response.json()


@pytest.mark.parametrize("raised, status, code", [
    (OperationalError("could not connect to server: Connection refused"), 503, "UNAVAILABLE"),
    (RuntimeError("a bug in a middleware"), 500, "INTERNAL_ERROR"),
])
def test_an_error_before_graphql_answers_typed_json_not_djangos_page(monkeypatch, raised, status, code):
    """The session's load is the first to meet a database that went away: the answer still says what happened, in
    the request's language, as the GraphQL errors do (handler500)."""
    from permissions import middleware

    def broken(self, request):
        raise raised

    monkeypatch.setattr(middleware.ActorMiddleware, "__call__", broken)
    client = Client(raise_request_exception=False)
    for language, words in (("zh-CN", "稍后重试" if status == 503 else "内部错误"), ("en", "moment" if status == 503 else "Internal")):
        response = client.post("/graphql", {"query": "{ me { username } }"}, content_type="application/json",
                               headers={"Accept-Language": language})
        assert response.status_code == status and response["Content-Type"] == "application/json"
        assert error_codes(response) == [code] and words in response.json()["errors"][0]["message"]
        assert response.get("Retry-After") == ("5" if status == 503 else None)


def test_oversized_inputs_are_refused_before_any_work(as_user):
    client = as_user("maliang_league_staff")
    ids = [gid("Wish", 1)] * 200_000
    response = client.post("mutation($ids: [ID!]!) { claimWishes(input: {wishIds: $ids}) { errors { code } } }",
                           {"ids": ids})
    assert response.status_code == 200 and error_codes(response) == ["INPUT_TOO_LARGE"]
    response = client.post("query($p: String!) { children(filters: {namePrefix: $p}) { totalCount } }", {"p": "张" * 100_000})
    assert error_codes(response) == ["INPUT_TOO_LARGE"]


# 5. Malformed requests: 400 with a typed error, never a debug page ----------------------------------------

@pytest.mark.parametrize("body", [b"12", b'"x"', b"null", b"\xff\xfe{", b"[" * 5000 + b"]" * 5000, b"[]",
                                  b'[{"query": "{ __typename }"}]', b'{"query": 5}', b'{"query": "{ __typename }", "variables": 3}'])
def test_malformed_json_bodies_get_a_typed_400(body):
    response = Client().post("/graphql", body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert error_codes(response) == ["BAD_REQUEST"]
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("operations, files_map", [
    ('{"query": "mutation($f: Upload!) { __typename }", "variables": "f"}', '{"0": ["variables.f"]}'),
    ('{"query": "mutation($f: Upload!) { __typename }", "variables": {"f": null}}', '{"0": "variables.f"}'),
    ('{"query": "mutation($f: Upload!) { __typename }", "variables": {"f": null}}', '{"0": ["variables.f.x.y"]}'),
    ('{"query": "mutation($f: Upload!) { __typename }", "variables": {"f": null}}', "[1]"),
])
def test_malformed_multipart_requests_get_a_typed_400(operations, files_map):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = Client().post("/graphql", {"operations": operations, "map": files_map,
                                          "0": SimpleUploadedFile("a.png", b"x", "image/png")})
    assert response.status_code == 400
    assert error_codes(response) == ["BAD_REQUEST"]


def _python(code: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS",
                                                              "BLIND_INDEX_KEY", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
                          timeout=120)


def test_settings_fail_closed_without_debug_or_secrets(tmp_path):
    done = _python("import config.settings", {"VAR_DIR": str(tmp_path)})
    assert done.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in done.stderr
    assert not (tmp_path / "secret_key").exists()


def test_check_deploy_passes_with_the_documented_production_environment(tmp_path):
    documented = dict(line.split("=", 1) for line in (ROOT / "platform" / "env.example").read_text().splitlines()
                      if line and not line.startswith("#"))
    secrets = {"SECRET_KEY": "k" * 20 + "Q7x!vB2#mN9@pL4$wR6^tY8&uI0*oP3(aS5)dF1", "FIELD_ENCRYPTION_KEYS":
               "Zk3oQ0mYx9y2m4P7VQ8dHn6jbHq1pLrJgY2wqYc5ZsM=", "BLIND_INDEX_KEY": "b" * 40}
    env = {**documented, **{k: v for k, v in secrets.items() if not documented.get(k) or "change-me" in documented[k]},
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "REDIS_URL": "", "VAR_DIR": str(tmp_path)}
    done = _python("import sys; from django.core.management import execute_from_command_line; "
                   "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
                   {**env, "DJANGO_SETTINGS_MODULE": "config.settings"})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


# 9. Bad input answered with typed errors ----------------------------------------------------------------

@pytest.mark.parametrize("query, code", [
    ('{ organizations(after: "x") { totalCount } }', "INVALID_CURSOR"),
    ('{ organizations(last: 2, before: "YWJj") { totalCount } }', "INVALID_CURSOR"),
    ("{ children(filters: {ageMax: 30000}) { totalCount } }", "FILTER_OUT_OF_RANGE"),
    ("{ children(filters: {ageMin: -1}) { totalCount } }", "FILTER_OUT_OF_RANGE"),
    ('{ children(filters: {namePrefix: "' + "张" * 51 + '"}) { totalCount } }', "FILTER_TOO_LONG"),
])
def test_bad_filter_and_cursor_values_are_typed_errors(as_user, query, code):
    response = as_user("maliang_league_staff").post(query)
    assert response.status_code == 200
    assert error_codes(response) == [code]


def test_an_export_with_an_impossible_age_is_a_typed_error(as_user):
    response = as_user("maliang_league_staff").post(
        "mutation { exportChildren(input: {filters: {ageMax: 30000}}) { job { id } errors { code } } }")
    assert error_codes(response) == ["FILTER_OUT_OF_RANGE"]


# 10. Small leaks ---------------------------------------------------------------------------------------

def test_graphiql_lists_demo_accounts_only_where_the_demo_is_loaded(client, settings, tmp_path):
    shown = client.get("/graphql", HTTP_ACCEPT="text/html").content.decode()
    assert "baokang_league_admin" in shown and "demo-pass-2026" in shown
    settings.VAR_DIR = tmp_path  # a deployment without the demo data
    hidden = client.get("/graphql", HTTP_ACCEPT="text/html").content.decode()
    assert "graphiql" in hidden.lower()
    assert "baokang_league_admin" not in hidden and "demo-pass-2026" not in hidden


def test_anonymous_introspection_is_a_setting(gql, as_user, settings):
    settings.GRAPHQL_ANONYMOUS_INTROSPECTION = False
    assert error_codes(gql.post("{ __schema { queryType { name } } }")) == ["INTROSPECTION_DISABLED"]
    assert as_user("maliang_league_staff")("{ __schema { queryType { name } } }")["__schema"]["queryType"]["name"] == "Query"
    settings.GRAPHQL_ANONYMOUS_INTROSPECTION = True
    assert gql("{ __type(name: \"Query\") { name } }")["__type"]["name"] == "Query"


def test_production_code_does_not_import_the_demo():
    """The GraphQL view learns the demo accounts from a file the demo loader writes, not by importing demo code."""
    for module in ("config/settings.py", "config/urls.py", "graphql_api/views.py", "graphql_api/schema.py"):
        text = (ROOT / module).read_text()
        assert "from demo" not in text and "import demo" not in text, module


UPDATE = "mutation($input: UpdateOrganizationInput!) { updateOrganization(input: $input) { errors { field code } } }"


def test_an_admin_cannot_move_his_node_into_another_system(as_user):
    county = org("共青团保康县委")
    payload = as_user("baokang_league_admin")(UPDATE, {"input": {"id": gid("Organization", county.pk),
                                                                  "system": "WOMENS_FEDERATION",
                                                                  "kind": "WOMENS_FEDERATION"}})["updateOrganization"]
    assert {"field": "system", "code": "SYSTEM_NOT_UNDER_PARENT"} in payload["errors"]
    payload = as_user("baokang_league_admin")(UPDATE, {"input": {"id": gid("Organization", county.pk),
                                                                  "kind": "WOMENS_FEDERATION"}})["updateOrganization"]
    assert payload["errors"] == [{"field": "kind", "code": "KIND_NOT_OF_SYSTEM"}]


def test_a_partner_cannot_tell_an_unpublished_wish_from_a_missing_one(as_token, demo_token):
    from wishes.models import State, Wish

    unpublished = Wish.objects.filter(state=State.REVIEWED, organization__path__startswith=org("共青团保康县委").path).first()
    claim = "mutation($ids: [ID!]!) { claimWishes(input: {wishIds: $ids}) { errors { code } } }"
    hidden = as_token(demo_token)(claim, {"ids": [gid("Wish", unpublished.pk)]})["claimWishes"]["errors"]
    missing = as_token(demo_token)(claim, {"ids": [gid("Wish", 999_999)]})["claimWishes"]["errors"]
    assert hidden == missing == [{"code": "NOT_FOUND"}]


def test_typed_errors_speak_english_only_when_asked(gql):
    body = json.dumps({"query": fragment_chain(12)})
    chinese = Client().post("/graphql", body, content_type="application/json").json()["errors"][0]["message"]
    english = Client().post("/graphql", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert "查询过于复杂" in chinese
    assert english["errors"][0]["message"].startswith("The query is too complex")
