"""A signed-in request costs no SQL for its session, user and scope once warm (permissions/sessions.py: one cache
round trip), and every change to roles, the tree or the account still shows on the very next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs import services as org_services
from orgs.models import Kind, Level, System
from permissions import scope as scopes
from permissions.catalog import Role
from permissions.models import ScopeVersion
from tests.conftest import user
from tests.permissions.helpers import SYSTEM, codes, collect, gid, grant, new_user, org, pk_of, subtree_ids

pytestmark = pytest.mark.django_db

CATALOG = "query { catalog { permissions { value } } }"
ME = "query { me { username displayName } }"
ORGANIZATIONS = """
query Organizations($first: Int, $after: String) {
  organizations(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } }
}
"""
REVOKE = "mutation($id: ID!) { revokeRole(input: {id: $id}) { ok errors { code } } }"
DEACTIVATE = "mutation($id: ID!) { deactivateAccount(input: {id: $id}) { account { isActive } errors { code } } }"
RESET = "mutation($id: ID!) { resetPassword(input: {id: $id}) { errors { code } } }"
RENAME = "mutation($id: ID!, $name: String!) { updateAccount(input: {id: $id, displayName: $name}) { errors { code } } }"
MOVE = "mutation($id: ID!, $to: ID!) { moveOrganization(input: {id: $id, newParentId: $to}) { errors { code } } }"
# what resolving a request's actor used to read from PostgreSQL on every request
AUTH_TABLES = ("django_session", "auth_user", "permissions_scopeversion", "permissions_organizationuserpermission",
               "permissions_organizationgrouppermission")


def seen(client) -> set[int]:
    return {pk_of(node["id"]) for node in collect(client, ORGANIZATIONS, "organizations")}


def statements(client, query, variables=None) -> tuple[dict, list[str]]:
    """The answer and the SQL the request ran."""
    with CaptureQueriesContext(connection) as queries:
        body = client.post(query, variables).json()
    return body, [q["sql"] for q in queries]


def test_a_warm_request_reads_no_session_user_or_scope_from_the_database(as_user):
    # given a signed-in viewer whose first request warmed the cache
    client = as_user("maliang_league_staff")
    assert client(CATALOG)["catalog"]["permissions"]

    # when it asks for something that needs its actor but no rows
    body, sql = statements(client, CATALOG)

    # then the request runs no SQL at all
    assert "errors" not in body and body["data"]["catalog"]["permissions"]
    assert sql == []


def test_a_warm_page_reads_only_its_rows(as_user):
    # given 马良镇's staff with a warm session
    client = as_user("maliang_league_staff")
    expected = subtree_ids(org("马良镇团委").pk)
    assert seen(client) == expected

    # when it reads its organizations again
    body, sql = statements(client, ORGANIZATIONS, {"first": 100})

    # then the same rows come back, and no statement touched sessions, users, the version or the grants
    assert {pk_of(e["node"]["id"]) for e in body["data"]["organizations"]["edges"]} == expected
    assert sql and not [s for s in sql if any(f'"{table}"' in s for table in AUTH_TABLES)]


def test_the_session_cache_is_warmed_by_the_first_request_only(as_user):
    # given a signed-in client and a version no sign-in was resolved under
    client = as_user("maliang_league_staff")
    scopes.bump_version()

    # when it makes two requests, then the first resolves user and scope, the second neither
    _, first = statements(client, CATALOG)
    _, second = statements(client, CATALOG)
    assert any('"auth_user"' in s for s in first) and any('"permissions_organizationuserpermission"' in s for s in first)
    assert second == []


def test_a_revoked_role_is_honoured_on_the_very_next_request(as_user, django_capture_on_commit_callbacks):
    # given a viewer at 龙坪镇团委 whose scope and session are warm
    new_user("cached_viewer")
    membership = grant("cached_viewer", org("龙坪镇团委"), Role.VIEWER)
    viewer = as_user("cached_viewer")
    assert seen(viewer) == subtree_ids(org("龙坪镇团委").pk) != set()

    # when the county admin revokes the role (its commit refreshes the cached version)
    with django_capture_on_commit_callbacks(execute=True):
        revoked = as_user("baokang_league_admin")(REVOKE, {"id": gid("Membership", membership.pk)})
    assert revoked["revokeRole"] == {"ok": True, "errors": []}
    assert scopes.cache.get(scopes.VERSION_KEY) == ScopeVersion.current()

    # then its very next request sees nothing, the town nor its neighbour 马良镇
    assert seen(viewer) == set()


def test_a_deactivated_account_is_signed_out_on_the_very_next_request(as_user, django_capture_on_commit_callbacks):
    # given 马良镇's staff, signed in and warm
    staff = as_user("maliang_league_staff")
    assert staff(ME)["me"]["username"] == "maliang_league_staff" and seen(staff)

    # when the county admin deactivates the account
    with django_capture_on_commit_callbacks(execute=True):
        done = as_user("baokang_league_admin")(DEACTIVATE, {"id": gid("Account", user("maliang_league_staff").pk)})
    assert done["deactivateAccount"] == {"account": {"isActive": False}, "errors": []}

    # then the same session is nobody's on its very next request, and reads no rows
    assert staff(ME)["me"] is None
    body = staff.post(ORGANIZATIONS, {"first": 10}).json()
    assert body.get("data") is None and body["errors"]


def test_a_password_reset_ends_open_sessions_on_the_next_request(as_user, django_capture_on_commit_callbacks):
    # given 马良镇's staff, signed in and warm
    staff = as_user("maliang_league_staff")
    assert staff(ME)["me"]["username"] == "maliang_league_staff"

    # when the county admin resets its password
    with django_capture_on_commit_callbacks(execute=True):
        reset = as_user("baokang_league_admin")(RESET, {"id": gid("Account", user("maliang_league_staff").pk)})
    assert codes(reset["resetPassword"]) == []

    # then the open session no longer signs anyone in
    assert staff(ME)["me"] is None


def test_a_new_display_name_shows_on_the_next_request(as_user, django_capture_on_commit_callbacks):
    staff = as_user("maliang_league_staff")
    assert staff(ME)["me"]["displayName"] != "新名字"
    with django_capture_on_commit_callbacks(execute=True):
        renamed = as_user("baokang_league_admin")(RENAME, {"id": gid("Account", user("maliang_league_staff").pk),
                                                           "name": "新名字"})
    assert codes(renamed["updateAccount"]) == []
    assert staff(ME)["me"]["displayName"] == "新名字"


def test_a_signed_out_session_is_not_served_from_the_cache(as_user):
    # given a warm session and its cookie
    staff = as_user("maliang_league_staff")
    assert staff(ME)["me"]["username"] == "maliang_league_staff"
    cookie = staff.client.cookies["sessionid"].value

    # when it signs out, and the old cookie is sent again
    assert staff("mutation { logout { ok } }")["logout"]["ok"] is True
    staff.client.cookies["sessionid"] = cookie

    # then nobody is signed in by it
    assert staff(ME)["me"] is None


def test_a_moved_organization_is_honoured_on_the_next_request(as_user, django_capture_on_commit_callbacks):
    # given a branch under 龙坪镇团委 and the two towns' staff, all warm
    branch = org_services.create_organization(SYSTEM, parent_id=org("龙坪镇团委").pk, name="缓存移动团支部",
                                              system=System.LEAGUE, kind=Kind.LEAGUE_BRANCH, level=Level.VILLAGE)
    new_user("longping_cached")
    grant("longping_cached", org("龙坪镇团委"), Role.VIEWER)
    longping, maliang = as_user("longping_cached"), as_user("maliang_league_staff")
    assert branch.pk in seen(longping) and branch.pk not in seen(maliang)

    # when the county admin moves it under 马良镇团委
    with django_capture_on_commit_callbacks(execute=True):
        moved = as_user("baokang_league_admin")(MOVE, {"id": gid("Organization", branch.pk),
                                                       "to": gid("Organization", org("马良镇团委").pk)})
    assert moved["moveOrganization"]["errors"] == []

    # then on the very next requests 马良镇's staff sees it and 龙坪镇's no longer does
    assert branch.pk in seen(maliang)
    assert branch.pk not in seen(longping)


def test_a_bump_is_used_by_its_own_connection_until_it_commits_and_forgotten_if_rolled_back(db):
    from django.db import transaction

    # given the cached version
    before = scopes.current_version()

    # when a change bumps it inside a transaction not yet committed
    try:
        with transaction.atomic():
            scopes.bump_version()
            inside = ScopeVersion.current()
            # then this connection already resolves under the new value, while the cached copy still holds the old
            assert scopes.current_version() == inside != before
            assert scopes.cache.get(scopes.VERSION_KEY) == before
            raise RuntimeError("roll back")
    except RuntimeError:
        pass

    # when it rolls back, then the old version is the current one again
    assert scopes.current_version() == before == ScopeVersion.current()
