"""Membership management: an org admin grants, changes and revokes roles at and below its organization;
above or beside it the organization does not exist for it (NOT_FOUND); staff may not (PERMISSION_DENIED);
nobody changes their own role; subtree=false stops at the organization; an expired role grants nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ServiceError
from orgs.models import Organization
from permissions import scope as scopes
from permissions import services
from permissions.actor import Actor
from permissions.catalog import ROLE_PERMISSIONS, Role
from permissions.models import Membership, OrganizationUserPermission
from tests.conftest import user
from tests.permissions.helpers import codes, collect, gid, grant, new_user, org, pk_of, subtree_ids

pytestmark = pytest.mark.django_db

GRANT = """
mutation Grant($org: ID!, $username: String, $unit: ID, $role: Role!, $subtree: Boolean! = true, $expiresAt: DateTime) {
  grantRole(input: {organizationId: $org, username: $username, unitId: $unit, role: $role, subtree: $subtree,
                    expiresAt: $expiresAt}) {
    membership { id role subtree expiresAt organization { id } user { username } }
    errors { field code message }
  }
}
"""

CHANGE = """
mutation Change($id: ID!, $role: Role, $subtree: Boolean) {
  changeRole(input: {id: $id, role: $role, subtree: $subtree}) {
    membership { id role subtree }
    errors { field code message }
  }
}
"""

REVOKE = """
mutation Revoke($id: ID!) { revokeRole(input: {id: $id}) { ok errors { field code message } } }
"""

MEMBERSHIPS = """
query Memberships($first: Int, $after: String, $org: ID) {
  memberships(first: $first, after: $after, filters: {organization: $org}) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id role subtree user { username } unitName organization { id } } }
  }
}
"""

ORGANIZATION = """
query Organization($id: ID!) { organization(id: $id) { id children(first: 10) { totalCount } } }
"""

NODE = """
query Node($id: ID!) { node(id: $id) { id } }
"""

ME = """
query Me { me { username permissions memberships { organization { id name } role } } }
"""

ORGANIZATIONS = """
query Organizations($first: Int, $after: String) {
  organizations(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } }
}
"""


def grant_over_graphql(client, organization: Organization, username="grantee", role="VIEWER", **extra) -> dict:
    variables = {"org": gid("Organization", organization.pk), "username": username, "role": role, **extra}
    return client(GRANT, variables)["grantRole"]


def seen(client) -> set[int]:
    return {pk_of(n["id"]) for n in collect(client, ORGANIZATIONS, "organizations")}


def held(username: str) -> set[tuple[str, int]]:
    """The guardian rows materialised for a user: (codename, organization id)."""
    return set(OrganizationUserPermission.objects.filter(user__username=username)
               .values_list("permission__codename", "content_object_id"))


@pytest.fixture
def grantee():
    return new_user("grantee")


@pytest.fixture
def admin(as_user):
    return as_user("baokang_league_admin")


@pytest.mark.parametrize("where", ["共青团保康县委", "城关镇团委", "东坡社区团支部", "熊译中学"],
                         ids=["county", "town", "village", "unit"])
def test_admin_grants_changes_and_revokes_at_and_below_its_organization(admin, as_user, grantee, where):
    # given 保康's league admin and an organization at or below 共青团保康县委
    target = org(where)
    assert target.pk in subtree_ids(org("共青团保康县委").pk)

    # when it grants a viewer role there
    granted = grant_over_graphql(admin, target)

    # then the membership exists with its guardian rows, and the grantee sees the subtree
    assert granted["errors"] == []
    membership = granted["membership"]
    assert membership["role"] == "VIEWER" and membership["subtree"] is True
    assert membership["organization"] == {"id": gid("Organization", target.pk)}
    assert membership["user"] == {"username": "grantee"}
    assert held("grantee") == {(p.split(".", 1)[1], target.pk) for p in ROLE_PERMISSIONS[Role.VIEWER]}
    assert seen(as_user("grantee")) == subtree_ids(target.pk)
    # and it is listed among the memberships the admin manages
    listed = collect(admin, MEMBERSHIPS, "memberships", {"org": gid("Organization", target.pk)})
    assert membership["id"] in {m["id"] for m in listed}

    # when it changes the role to staff, then the guardian rows follow
    changed = admin(CHANGE, {"id": membership["id"], "role": "STAFF"})["changeRole"]
    assert changed["errors"] == [] and changed["membership"]["role"] == "STAFF"
    assert held("grantee") == {(p.split(".", 1)[1], target.pk) for p in ROLE_PERMISSIONS[Role.STAFF]}

    # when it revokes the role, then the membership and its rows are gone and the grantee sees nothing
    assert admin(REVOKE, {"id": membership["id"]})["revokeRole"] == {"ok": True, "errors": []}
    assert not Membership.objects.filter(pk=pk_of(membership["id"])).exists()
    assert held("grantee") == set()
    assert seen(as_user("grantee")) == set()


@pytest.mark.parametrize("where", ["共青团襄阳市委", "保康县妇联", "马良镇妇联", "怀化市妇联"],
                         ids=["above", "beside", "beside-below", "other-city"])
def test_granting_above_or_beside_is_not_found(admin, grantee, where):
    # given an organization above 共青团保康县委 or in another tree, and a missing id
    target = org(where)
    assert target.pk not in subtree_ids(org("共青团保康县委").pk)

    # when 保康's admin grants a role there and at the missing id
    outside = grant_over_graphql(admin, target)
    missing = admin(GRANT, {"org": gid("Organization", 987654321), "username": "grantee", "role": "VIEWER"})["grantRole"]

    # then both answer the same NOT_FOUND and nothing was granted
    assert codes(outside) == ["NOT_FOUND"] and outside["errors"][0]["field"] == "organizationId"
    assert outside == missing
    assert not Membership.objects.filter(user=grantee).exists()


def test_staff_without_manage_membership_is_denied(as_user, grantee):
    # given 马良镇's staff, who sees 马良镇团委 but lacks permissions.manage_membership
    assert "permissions.manage_membership" not in ROLE_PERMISSIONS[Role.STAFF]
    staff = as_user("maliang_league_staff")

    # when it grants a role at its own town, then PERMISSION_DENIED
    payload = grant_over_graphql(staff, org("马良镇团委"))
    assert codes(payload) == ["PERMISSION_DENIED"] and payload["membership"] is None
    # and at the neighbouring town, NOT_FOUND
    assert codes(grant_over_graphql(staff, org("黄堡镇团委"))) == ["NOT_FOUND"]
    # and it cannot revoke its neighbour's role nor see memberships at all
    neighbour = Membership.objects.get(user__username="huangbao_league_staff")
    assert codes(staff(REVOKE, {"id": gid("Membership", neighbour.pk)})["revokeRole"]) == ["NOT_FOUND"]
    assert staff(MEMBERSHIPS, {"first": 10})["memberships"]["totalCount"] == 0
    assert not Membership.objects.filter(user=grantee).exists()


def test_changing_ones_own_membership_is_refused(admin):
    # given the admin's own membership, which it can see in its list
    own = Membership.objects.get(user__username="baokang_league_admin")
    listed = collect(admin, MEMBERSHIPS, "memberships", {"org": gid("Organization", own.organization_id)})
    assert gid("Membership", own.pk) in {m["id"] for m in listed}

    # when it changes or revokes it, or grants itself another role, then SELF_MEMBERSHIP each time
    changed = admin(CHANGE, {"id": gid("Membership", own.pk), "role": "VIEWER"})["changeRole"]
    revoked = admin(REVOKE, {"id": gid("Membership", own.pk)})["revokeRole"]
    granted = grant_over_graphql(admin, org("城关镇团委"), username="baokang_league_admin")
    assert codes(changed) == codes(revoked) == codes(granted) == ["SELF_MEMBERSHIP"]

    # and the membership is unchanged
    assert Membership.objects.get(pk=own.pk).role == Role.ORG_ADMIN


def test_subtree_false_limits_the_grant_to_the_organization(admin, as_user, grantee):
    # given a town with villages below it
    town = org("城关镇团委")
    villages = set(Organization.objects.filter(parent=town).values_list("id", flat=True))
    assert villages

    # when the admin grants a viewer role there for the town only
    payload = grant_over_graphql(admin, town, subtree=False)
    assert payload["errors"] == [] and payload["membership"]["subtree"] is False

    # then the grantee sees the town but none of its villages, by list, by ID or as its children
    client = as_user("grantee")
    assert seen(client) == {town.pk}
    town_view = client(ORGANIZATION, {"id": gid("Organization", town.pk)})["organization"]
    assert town_view == {"id": gid("Organization", town.pk), "children": {"totalCount": 0}}
    assert client(ORGANIZATION, {"id": gid("Organization", min(villages))})["organization"] is None

    # when the admin widens it to the subtree, then the villages appear
    admin(CHANGE, {"id": payload["membership"]["id"], "subtree": True})
    assert seen(client) == subtree_ids(town.pk)


def test_an_expired_membership_grants_nothing(as_user):
    # given 马良镇's staff, who sees its town's subtree and its role there
    client = as_user("maliang_league_staff")
    town = org("马良镇团委")
    assert seen(client) == subtree_ids(town.pk)
    assert client(ME)["me"]["memberships"] == [{"organization": {"id": gid("Organization", town.pk), "name": town.name},
                                                "role": "STAFF"}]

    # when its membership's expiry is set in the past (directly, as time would) and the scope version bumped
    Membership.objects.filter(user__username="maliang_league_staff").update(expires_at=timezone.now() - timedelta(seconds=1))
    scopes.bump_version()

    # then it sees nothing, over GraphQL (not even through its own roles in ``me``) and at the service layer
    assert seen(client) == set()
    assert client(ME)["me"] == {"username": "maliang_league_staff", "permissions": [], "memberships": []}
    assert scopes.for_user(user("maliang_league_staff")).permissions() == set()
    with pytest.raises(ServiceError) as refused:
        services.grant_role(Actor.for_user(user("maliang_league_staff")), organization_id=org("马良镇团委").pk,
                            role=Role.VIEWER, username="auditor_baokang")
    assert refused.value.code.name == "NOT_FOUND"


def test_a_role_granted_until_later_works_until_then(admin, as_user, grantee):
    # given a role granted for the next ten minutes (less than the scope cache's hour)
    town = org("歇马镇团委")
    payload = grant_over_graphql(admin, town, expiresAt=(timezone.now() + timedelta(minutes=10)).isoformat())
    assert payload["errors"] == [] and payload["membership"]["expiresAt"]

    # then it works now, and the cached scope will not outlive it
    assert seen(as_user("grantee")) == subtree_ids(town.pk)
    _, lifetime = scopes.build(scopes._grant_rows(user=grantee))
    assert timedelta(minutes=9) < lifetime <= timedelta(minutes=10) < timedelta(seconds=scopes.CACHE_SECONDS)


@pytest.mark.parametrize("variables, code, field", [
    ({"username": "no_such_user"}, "USER_NOT_FOUND", "username"),
    ({"username": "maliang_league_staff", "where": "马良镇团委"}, "ALREADY_MEMBER", "username"),
    ({"username": None}, "ONE_GRANTEE", "username"),
    ({"unit": "保康县农商行"}, "ONE_GRANTEE", "username"),
    ({"expiresAt": "past"}, "EXPIRY_IN_PAST", "expiresAt"),
])
def test_grant_errors(admin, grantee, variables, code, field):
    # given a grant at 城关镇团委 (or as stated) with one thing wrong
    variables = dict(variables)
    where = org(variables.pop("where", "城关镇团委"))
    if variables.get("unit"):
        variables["unit"] = gid("Organization", org(variables["unit"]).pk)
    if variables.get("expiresAt") == "past":
        variables["expiresAt"] = (timezone.now() - timedelta(hours=1)).isoformat()
    before = Membership.objects.count()

    # when 保康's admin sends it, then the typed error names the field and nothing is granted
    variables = {"org": gid("Organization", where.pk), "role": "VIEWER", "username": "grantee", **variables}
    payload = admin(GRANT, variables)["grantRole"]
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert payload["membership"] is None and Membership.objects.count() == before


def test_a_unit_can_be_granted_a_role(admin, as_token):
    # given a unit in the admin's tree with no role yet, when the admin grants it a partner role at a town
    unit, town = org("保康县电力公司"), org("后坪镇团委")
    variables = {"org": gid("Organization", town.pk), "unit": gid("Organization", unit.pk), "role": "PARTNER"}
    payload = admin(GRANT, variables)["grantRole"]
    assert payload["errors"] == [] and payload["membership"]["user"] is None

    # then the unit holds the role's permissions, and a token of the unit sees the town's subtree
    assert services.unit_permissions(unit) == set(ROLE_PERMISSIONS[Role.PARTNER])
    _, secret = services.create_token(Actor.for_user(user("baokang_league_admin")), organization_id=unit.pk,
                                      name="电力公司", permissions=["orgs.view_organization"])
    assert seen(as_token(secret)) == subtree_ids(town.pk)


@pytest.fixture
def single_org_admin(as_user):
    """An org admin of 共青团保康县委 itself only (subtree=false): it manages that one organization."""
    new_user("single_org_admin")
    grant("single_org_admin", org("共青团保康县委"), Role.ORG_ADMIN, subtree=False)
    return as_user("single_org_admin")


def test_an_admin_of_one_organization_cannot_hand_out_its_subtree(single_org_admin, as_user, grantee):
    # given an admin whose role stops at 共青团保康县委 (it sees none of the towns below)
    county = org("共青团保康县委")
    assert seen(single_org_admin) == {county.pk}

    # when it grants a role there reaching the whole subtree
    wide = grant_over_graphql(single_org_admin, county, role="ORG_ADMIN")

    # then it is refused: the grantee would reach organizations the granter does not
    assert codes(wide) == ["PERMISSION_DENIED"] and wide["errors"][0]["field"] == "subtree"
    assert not Membership.objects.filter(user=grantee).exists()
    assert seen(as_user("grantee")) == set()

    # while a role limited to the organization itself is granted, and cannot then be widened
    narrow = grant_over_graphql(single_org_admin, county, subtree=False)
    assert narrow["errors"] == [] and seen(as_user("grantee")) == {county.pk}
    widened = single_org_admin(CHANGE, {"id": narrow["membership"]["id"], "subtree": True})["changeRole"]
    assert codes(widened) == ["PERMISSION_DENIED"]
    assert seen(as_user("grantee")) == {county.pk}


def test_an_admin_of_one_organization_cannot_touch_wider_roles_there(single_org_admin):
    # given the auditor's role at 共青团保康县委, which reaches the whole county tree
    auditor = Membership.objects.get(user__username="auditor_baokang")
    assert auditor.subtree and auditor.organization == org("共青团保康县委")

    # when the single-organization admin narrows, changes or revokes it, then each is refused and nothing changes
    for query, variables, field in [
        (CHANGE, {"id": gid("Membership", auditor.pk), "subtree": False}, "changeRole"),
        (CHANGE, {"id": gid("Membership", auditor.pk), "role": "VIEWER"}, "changeRole"),
        (REVOKE, {"id": gid("Membership", auditor.pk)}, "revokeRole"),
    ]:
        assert codes(single_org_admin(query, variables)[field]) == ["PERMISSION_DENIED"], variables
    assert Membership.objects.filter(pk=auditor.pk, subtree=True, role=Role.AUDITOR).exists()


def test_the_same_rule_holds_at_the_service_layer():
    # given the single-organization admin as an actor
    new_user("single_org_admin")
    county = org("共青团保康县委")
    grant("single_org_admin", county, Role.ORG_ADMIN, subtree=False)
    new_user("grantee")
    actor = Actor.for_user(user("single_org_admin"))

    # when it grants a subtree role through the service, then PERMISSION_DENIED
    with pytest.raises(ServiceError) as refused:
        services.grant_role(actor, organization_id=county.pk, role=Role.VIEWER, username="grantee")
    assert refused.value.code.name == "PERMISSION_DENIED"
    # and an admin of the whole subtree may
    wide = services.grant_role(Actor.for_user(user("baokang_league_admin")), organization_id=county.pk,
                               role=Role.VIEWER, username="grantee")
    assert wide.subtree is True


@pytest.fixture
def town_viewer(as_user):
    """A viewer of 马良镇团委: sees the town and the organizations below it, but no memberships."""
    new_user("town_viewer")
    grant("town_viewer", org("马良镇团委"), Role.VIEWER)
    return as_user("town_viewer")


def test_memberships_one_cannot_list_answer_not_found(town_viewer):
    # given the staff member's membership at 马良镇团委, which the viewer cannot list or fetch
    staff = Membership.objects.get(user__username="maliang_league_staff")
    assert town_viewer(MEMBERSHIPS, {"first": 10})["memberships"]["totalCount"] == 0
    assert town_viewer(NODE, {"id": gid("Membership", staff.pk)})["node"] is None

    # when it changes or revokes it, and a missing membership
    for query, field, extra in [(CHANGE, "changeRole", {"role": "VIEWER"}), (REVOKE, "revokeRole", {})]:
        existing = town_viewer(query, {"id": gid("Membership", staff.pk), **extra})[field]
        missing = town_viewer(query, {"id": gid("Membership", 987654321), **extra})[field]

        # then both answer the same NOT_FOUND: the answer does not tell that the membership exists
        assert codes(existing) == ["NOT_FOUND"] and existing == missing, field
    assert Membership.objects.filter(pk=staff.pk, role=Role.STAFF).exists()


UNIT_MEMBER = """
mutation($input: UnitMemberInput!) { addUnitMember(input: $input) { ok errors { code } } }"""
REMOVE_UNIT_MEMBER = """
mutation($input: UnitMemberInput!) { removeUnitMember(input: $input) { ok errors { code } } }"""


def test_a_partner_units_staff_act_with_the_units_roles(as_user):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("nongshang_clerk", password="x")
    clerk = as_user("nongshang_clerk")
    query = "{ organizations(first: 100) { totalCount } }"
    assert clerk(query)["organizations"]["totalCount"] == 0
    unit = {"unitId": gid("Organization", org("保康县农商行").pk), "username": "nongshang_clerk"}
    assert as_user("baokang_league_admin")(UNIT_MEMBER, {"input": unit})["addUnitMember"] == {"ok": True, "errors": []}
    # the unit holds PARTNER at 共青团保康县委: its staff now see that subtree, on the very next request
    assert clerk(query)["organizations"]["totalCount"] == len(subtree_ids(org("共青团保康县委").pk))
    assert as_user("huaihua_wf_admin")(UNIT_MEMBER, {"input": unit})["addUnitMember"]["errors"] == [{"code": "NOT_FOUND"}]
    assert as_user("maliang_league_staff")(REMOVE_UNIT_MEMBER, {"input": unit})["removeUnitMember"]["errors"] == [
        {"code": "NOT_FOUND"}]
    assert as_user("baokang_league_admin")(REMOVE_UNIT_MEMBER, {"input": unit})["removeUnitMember"]["ok"] is True
    assert clerk(query)["organizations"]["totalCount"] == 0
