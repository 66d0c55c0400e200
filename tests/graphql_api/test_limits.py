"""Bounds and failure modes: page size, depth, aliases, masked internal errors, GraphiQL."""

import pytest

from demo.data import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db


def test_page_size_over_100_is_a_typed_error_not_a_silent_cut(as_user):
    response = as_user("baokang_league_admin").post("{ organizations(first: 101) { totalCount } }")
    payload = response.json()
    assert response.status_code == 200
    assert payload["data"] is None
    assert payload["errors"][0]["extensions"]["code"] == "PAGE_SIZE_EXCEEDED"
    assert "100" in payload["errors"][0]["message"]


def test_page_size_100_is_allowed(as_user):
    data = as_user("platform_admin")("{ organizations(first: 100) { edges { node { id } } } }")
    assert 0 < len(data["organizations"]["edges"]) <= 100


def test_query_depth_is_limited(as_user):
    nested = "parent { " * 11 + "name" + " }" * 11
    payload = as_user("baokang_league_admin").post(f"{{ organizations(first: 1) {{ edges {{ node {{ {nested} }} }} }} }}").json()
    assert "exceeds maximum operation depth" in payload["errors"][0]["message"]


def test_aliases_are_limited(as_user):
    aliases = " ".join(f"a{i}: me {{ username }}" for i in range(31))
    payload = as_user("baokang_league_admin").post(f"{{ {aliases} }}").json()
    assert payload["errors"] and "alias" in payload["errors"][0]["message"].lower()


def test_an_unexpected_error_is_masked(as_user, monkeypatch):
    from orgs import services

    def explode(*args, **kwargs):
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(services, "archive_organization", explode)
    response = as_user("baokang_league_admin").post(
        'mutation { archiveOrganization(input: {id: "T3JnYW5pemF0aW9uOjE="}) { errors { code } } }'
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "hunter2" not in text and "Traceback" not in text
    assert "服务器内部错误" in response.json()["errors"][0]["message"]


def test_malformed_global_id_is_an_error_not_a_500(as_user):
    response = as_user("baokang_league_admin").post('{ organization(id: "not-base64!") { name } }')
    assert response.status_code == 200
    assert response.json()["errors"]


def test_graphiql_lists_the_demo_accounts(client):
    response = client.get("/graphql", HTTP_ACCEPT="text/html")
    html = response.content.decode()
    assert response.status_code == 200 and "graphiql" in html.lower()
    assert all(account.username in html for account in DEMO_ACCOUNTS)
