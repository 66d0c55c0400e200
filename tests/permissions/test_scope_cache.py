"""The Scope is cached under a version number, itself cached: any grant or tree change shows on the very next
request, a warm resolution costs no SQL query, a cold one the role grants plus one per model that takes
record-level grants."""

import pytest

from orgs import services as org_services
from orgs.models import Kind, Level, Organization, System
from permissions import scope as scopes
from permissions.catalog import Role
from permissions.models import ApiToken
from permissions.tokens import digest
from tests.conftest import user
from tests.permissions.helpers import SYSTEM, collect, gid, grant, new_user, org, pk_of, subtree_ids

pytestmark = pytest.mark.django_db

ORGANIZATIONS = """
query Organizations($first: Int, $after: String, $includeArchived: Boolean! = false) {
  organizations(first: $first, after: $after, includeArchived: $includeArchived) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id } }
  }
}
"""

GRANT = """
mutation Grant($org: ID!, $username: String!, $role: Role!, $subtree: Boolean! = true) {
  grantRole(input: {organizationId: $org, username: $username, role: $role, subtree: $subtree}) {
    membership { id role subtree }
    errors { field code message }
  }
}
"""

CHANGE = """
mutation Change($id: ID!, $subtree: Boolean) {
  changeRole(input: {id: $id, subtree: $subtree}) { membership { id subtree } errors { field code message } }
}
"""

PAGE = """
query Page { organizations(first: 100) { totalCount edges { node { id name parent { id } } } } }
"""

MOVE = """
mutation Move($id: ID!, $to: ID!) { moveOrganization(input: {id: $id, newParentId: $to}) { errors { code } } }
"""

ARCHIVE = """
mutation Archive($id: ID!) { archiveOrganization(input: {id: $id}) { errors { code } } }
"""

REVOKE = """
mutation Revoke($id: ID!) { revokeRole(input: {id: $id}) { ok errors { field code message } } }
"""


def cold_cost() -> int:
    """What permissions/scope.py promises for a user's cold resolution: the role grants, the units the user acts
    for, and one query per model that takes record-level grants (the version comes from the cache)."""
    from permissions import models

    return 2 + len(getattr(models, "RECORD_GRANTS", {}))


def seen(client, include_archived: bool = False) -> set[int]:
    nodes = collect(client, ORGANIZATIONS, "organizations", {"includeArchived": include_archived})
    return {pk_of(node["id"]) for node in nodes}


def test_grant_and_revoke_take_effect_on_the_next_request(as_user):
    # given a fresh user whose empty scope is already cached by a first request
    new_user("newcomer")
    newcomer = as_user("newcomer")
    admin = as_user("baokang_league_admin")
    assert seen(newcomer) == set()
    longping = org("龙坪镇团委")

    # when 保康's admin grants it a viewer role at 龙坪镇团委
    variables = {"org": gid("Organization", longping.pk), "username": "newcomer", "role": "VIEWER"}
    granted = admin(GRANT, variables)["grantRole"]
    assert granted["errors"] == []

    # then its very next request sees 龙坪镇's subtree
    assert seen(newcomer) == subtree_ids(longping.pk) != set()

    # when the role is limited to 龙坪镇团委 itself, then the next request sees that organization alone
    changed = admin(CHANGE, {"id": granted["membership"]["id"], "subtree": False})["changeRole"]
    assert changed["errors"] == [] and changed["membership"]["subtree"] is False
    assert seen(newcomer) == {longping.pk}

    # when it is revoked, then the next request sees nothing again
    assert admin(REVOKE, {"id": granted["membership"]["id"]})["revokeRole"] == {"ok": True, "errors": []}
    assert seen(newcomer) == set()


def test_a_second_role_adds_to_a_warm_scope_and_leaves_with_its_revocation(as_user):
    # given 马良镇's staff member, whose scope is warm
    maliang_staff = as_user("maliang_league_staff")
    own = subtree_ids(org("马良镇团委").pk)
    huangbao = org("黄堡镇团委")
    assert seen(maliang_staff) == own

    # when the admin grants it a viewer role at 黄堡镇团委, then the next request sees both towns
    granted = as_user("baokang_league_admin")(GRANT, {
        "org": gid("Organization", huangbao.pk), "username": "maliang_league_staff", "role": "VIEWER"})["grantRole"]
    assert granted["errors"] == []
    assert seen(maliang_staff) == own | subtree_ids(huangbao.pk)

    # when it is revoked, then only its own town is left
    assert as_user("baokang_league_admin")(REVOKE, {"id": granted["membership"]["id"]})["revokeRole"]["ok"] is True
    assert seen(maliang_staff) == own


def test_a_moved_organization_keeps_its_viewers(as_user):
    # given a user who views a new league branch under 龙坪镇团委, with its scope warm
    branch = org_services.create_organization(SYSTEM, parent_id=org("龙坪镇团委").pk, name="移动测试团支部",
                                              system=System.LEAGUE, kind=Kind.LEAGUE_BRANCH, level=Level.VILLAGE)
    new_user("branch_viewer")
    grant("branch_viewer", branch, Role.VIEWER)
    client = as_user("branch_viewer")
    assert seen(client) == {branch.pk}

    # when the county admin moves the branch under 马良镇团委 (its path changes)
    moved = as_user("baokang_league_admin")(MOVE, {"id": gid("Organization", branch.pk),
                                                   "to": gid("Organization", org("马良镇团委").pk)})
    assert moved["moveOrganization"]["errors"] == []
    assert Organization.objects.get(pk=branch.pk).path != branch.path

    # then the very next request still sees it (the cached prefix was not reused), and the town's staff sees it too
    assert seen(client) == {branch.pk}
    assert branch.pk in seen(as_user("maliang_league_staff"))


def test_archiving_an_organization_ends_the_roles_held_there(as_user):
    # given a user who views a leaf branch, with its scope warm, and 马良镇's staff who sees it from above
    branch = org_services.create_organization(SYSTEM, parent_id=org("马良镇团委").pk, name="归档测试团支部",
                                              system=System.LEAGUE, kind=Kind.LEAGUE_BRANCH, level=Level.VILLAGE)
    new_user("leaf_viewer")
    grant("leaf_viewer", branch, Role.VIEWER)
    client = as_user("leaf_viewer")
    assert seen(client) == {branch.pk}

    # when the county admin archives the branch
    archived = as_user("baokang_league_admin")(ARCHIVE, {"id": gid("Organization", branch.pk)})
    assert archived["archiveOrganization"]["errors"] == []

    # then the very next request of its viewer sees nothing, even asking for archived organizations
    assert seen(client, include_archived=True) == set()
    # while a role above it still reaches it among the archived
    assert branch.pk in seen(as_user("maliang_league_staff"), include_archived=True)


def test_a_warm_scope_costs_no_query_and_a_cold_one_a_fixed_few(django_assert_num_queries):
    # given a demo user with a role, and a version no scope has been cached under
    staff = user("maliang_league_staff")
    scopes.bump_version()

    # when it is resolved cold, then it costs the role grants' query plus one per model with record-level grants
    with django_assert_num_queries(cold_cost()):
        cold = scopes.for_user(staff)

    # when it is resolved again, warm, then it costs no query and is the same scope
    with django_assert_num_queries(0):
        warm = scopes.for_user(staff)
    assert warm == cold
    assert set(cold.filter(Organization.objects.all(), "orgs.view_organization").values_list("id", flat=True)) == \
        subtree_ids(org("马良镇团委").pk)

    # when any grant bumps the version, then the next resolution is cold again
    scopes.bump_version()
    with django_assert_num_queries(cold_cost()):
        scopes.for_user(staff)


def test_a_token_scope_is_cached_the_same_way(demo_token, django_assert_num_queries):
    # given the partner token's row
    token = ApiToken.objects.select_related("organization").get(key_hash=digest(demo_token))

    # when its scope is resolved cold and then warm, then the cold one costs what a user's does (the look-up of
    # the unit's group in place of the user's units), and the warm one costs none
    scopes.bump_version()
    with django_assert_num_queries(cold_cost()):
        cold = scopes.for_token(token)
    with django_assert_num_queries(0):
        warm = scopes.for_token(token)
    assert warm == cold and cold.permissions() == set(token.permissions)


def test_a_request_resolves_the_scope_once(as_user, django_assert_max_num_queries):
    # given a warm scope for 保康's admin
    client = as_user("baokang_league_admin")
    client(PAGE)

    # when the same page is read again, then the request runs the page's own statement and nothing for the session,
    # the user or the scope (permissions/sessions.py)
    with django_assert_max_num_queries(1):
        data = client(PAGE)
    assert data["organizations"]["totalCount"] == len(subtree_ids(org("共青团保康县委").pk))


def test_a_scope_cached_inside_a_rolled_back_change_is_never_served_later(db):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from orgs.models import Organization
    from permissions import services as access_services
    from permissions.actor import Actor

    get_user_model().objects.create_user("rollback_probe", password="x")
    probe = get_user_model().objects.get(username="rollback_probe")
    maliang, huangbao = (Organization.objects.get(name=n) for n in ("马良镇团委", "黄堡镇团委"))
    try:
        with transaction.atomic():
            access_services.grant_role(Actor.system("test"), organization_id=maliang.pk, role="VIEWER", username="rollback_probe")
            assert scopes.for_user(probe).allows("orgs.view_organization", maliang)  # cached under the uncommitted version
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    access_services.grant_role(Actor.system("test"), organization_id=huangbao.pk, role="VIEWER", username="rollback_probe")
    scope = scopes.for_user(probe)
    assert scope.allows("orgs.view_organization", huangbao)
    assert not scope.allows("orgs.view_organization", maliang)
