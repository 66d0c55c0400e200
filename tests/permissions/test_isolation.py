"""Neighbours see nothing of each other: lists, look-ups by ID, nested fields and mutations.

An organization outside the actor's scope answers exactly like one that does not exist (NOT_FOUND);
PERMISSION_DENIED is only for an organization the actor may see but not change.
"""

import pytest

from core.errors import ServiceError
from orgs import services as org_services
from orgs.models import Organization
from permissions.actor import Actor
from permissions.catalog import ROLE_PERMISSIONS, Role
from permissions.models import ApiToken, AuditEntry, Membership
from tests.conftest import user
from tests.permissions.helpers import (
    ancestor_ids, codes, collect, gid, grant, new_user, org, parent_links, pk_of, subtree_ids,
)

pytestmark = pytest.mark.django_db

MISSING_PK = 987654321

ORGANIZATIONS = """
query Organizations($first: Int, $after: String) {
  organizations(first: $first, after: $after, includeArchived: true) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id } }
  }
}
"""

TREE = """
query Tree {
  organizations(first: 100, includeArchived: true) {
    totalCount
    edges { node {
      id
      parent { id }
      ancestors { id }
      children(first: 100) { totalCount edges { node { id } } }
      descendants(first: 100) { totalCount edges { node { id } } }
    } }
  }
}
"""

NODE = """
query Node($id: ID!) { node(id: $id) { id } }
"""

ORGANIZATION = """
query Organization($id: ID!) { organization(id: $id) { id } }
"""

ROWS = """
query Rows {
  memberships(first: 100) { totalCount edges { node { id } } }
  apiTokens(first: 100) { totalCount edges { node { id } } }
  auditEntries(first: 100) { totalCount edges { node { id } } }
}
"""

UPDATE = """
mutation Update($id: ID!) {
  updateOrganization(input: {id: $id, name: "改名测试"}) { organization { id name } errors { field code message } }
}
"""

MOVE = """
mutation Move($id: ID!, $newParentId: ID!) {
  moveOrganization(input: {id: $id, newParentId: $newParentId}) { organization { id } errors { field code message } }
}
"""

ARCHIVE = """
mutation Archive($id: ID!) {
  archiveOrganization(input: {id: $id}) { organization { id } errors { field code message } }
}
"""

NEIGHBOURS = [
    ("maliang_league_staff", ["黄堡镇团委"]),
    ("huangbao_league_staff", ["马良镇团委"]),
    ("baokang_league_admin", ["保康县妇联"]),
    ("baokang_wf_staff", ["共青团保康县委"]),
    ("huaihua_wf_admin", ["共青团保康县委", "保康县妇联"]),
    ("baokang_league_admin", ["怀化市妇联"]),
]


def neighbour_ids(roots: list[str]) -> set[int]:
    parents = parent_links()
    return set().union(*(subtree_ids(org(name).pk, parents) for name in roots))


def own_ids(username: str) -> set[int]:
    return set().union(*(subtree_ids(m.organization_id) for m in Membership.objects.filter(user__username=username)))


def lookups(client, ids: list[int]) -> dict:
    """``organization(id:)`` and ``node(id:)`` for each id, in batches that stay under the alias limit."""
    answers = {}
    for start in range(0, len(ids), 12):
        batch = ids[start:start + 12]
        fields = " ".join(f'o{pk}: organization(id: "{gid("Organization", pk)}") {{ id }} '
                          f'n{pk}: node(id: "{gid("Organization", pk)}") {{ id }}' for pk in batch)
        answers.update(client("{ " + fields + " }"))
    return answers


def payload_of(client, query, variables, field):
    response = client.post(query, variables)
    assert response.status_code == 200
    body = response.json()
    assert "errors" not in body, body
    return body["data"][field]


@pytest.mark.parametrize("username, roots", NEIGHBOURS, ids=[f"{u}-{i}" for i, (u, _) in enumerate(NEIGHBOURS)])
def test_neighbour_organizations_are_invisible(as_user, username, roots):
    # given an actor and its neighbour's subtree (walked from parent links), disjoint from its own
    theirs = neighbour_ids(roots)
    assert theirs and not theirs & own_ids(username)
    client = as_user(username)

    # when it lists organizations and looks each neighbour organization up by ID and as a node
    listed = {pk_of(n["id"]) for n in collect(client, ORGANIZATIONS, "organizations")}
    answers = lookups(client, sorted(theirs))

    # then none is listed and every look-up is null, while the same look-ups of its own organizations answer
    assert listed and not listed & theirs
    assert set(answers.values()) == {None}
    assert len(answers) == 2 * len(theirs)
    own = sorted(own_ids(username))[:6]
    assert None not in lookups(client, own).values()


def test_huaihua_admin_sees_nothing_in_baokang_county(as_user):
    # given every organization whose region lies in 保康县 (division code 420626…)
    in_baokang = set(Organization.objects.filter(division_code__startswith="420626").values_list("id", flat=True))
    assert len(in_baokang) > 20

    # when 怀化's admin lists organizations, then none of them is there, though its own tree is
    listed = {pk_of(n["id"]) for n in collect(as_user("huaihua_wf_admin"), ORGANIZATIONS, "organizations")}
    assert listed == subtree_ids(org("怀化市妇联").pk)
    assert not listed & in_baokang


@pytest.mark.parametrize("username", ["huaihua_wf_admin", "baokang_wf_staff", "maliang_league_staff"])
def test_neighbour_rows_are_invisible(as_user, username):
    # given the rows owned inside the actor's subtree, and the permission each kind of row needs
    own = own_ids(username)
    held = ROLE_PERMISSIONS[Membership.objects.get(user__username=username).role]
    kinds = {
        "memberships": (Membership, "permissions.manage_membership", "Membership"),
        "apiTokens": (ApiToken, "permissions.manage_token", "ApiToken"),
        "auditEntries": (AuditEntry, "permissions.view_audit", "AuditEntry"),
    }
    client = as_user(username)
    rows = client(ROWS)
    for field, (model, permission, type_name) in kinds.items():
        inside = set(model.objects.filter(organization_id__in=own).values_list("id", flat=True))
        outside = set(model.objects.values_list("id", flat=True)) - inside
        assert outside, field

        # when the actor lists that kind of row and asks for an outside one as a node
        listed = {pk_of(e["node"]["id"]) for e in rows[field]["edges"]}
        node = client(NODE, {"id": gid(type_name, min(outside))})["node"]

        # then it lists exactly the rows inside its subtree if its role has the permission (else none),
        # and the outside row is null
        assert rows[field]["totalCount"] == len(listed) <= 100
        assert listed == (inside if permission in held else set()), field
        assert node is None, field


def check_tree(client, visible: set[int]) -> int:
    """Every nested field of every listed organization equals the parent-link walk cut to ``visible``."""
    parents = parent_links()
    data = client(TREE)["organizations"]
    listed = {pk_of(e["node"]["id"]) for e in data["edges"]}
    assert listed == visible
    for edge in data["edges"]:
        node = edge["node"]
        pk = pk_of(node["id"])
        parent = parents[pk]
        expected_parent = gid("Organization", parent) if parent in visible else None
        assert (node["parent"] or {}).get("id") == expected_parent, pk
        assert [pk_of(a["id"]) for a in node["ancestors"]] == [a for a in ancestor_ids(pk, parents) if a in visible]
        children = {pk_of(e["node"]["id"]) for e in node["children"]["edges"]}
        assert children == {c for c, p in parents.items() if p == pk} & visible, pk
        assert node["children"]["totalCount"] == len(children)
        descendants = {pk_of(e["node"]["id"]) for e in node["descendants"]["edges"]}
        assert descendants == (subtree_ids(pk, parents) - {pk}) & visible, pk
        assert node["descendants"]["totalCount"] == len(descendants)
    return len(listed)


@pytest.mark.parametrize("username", ["maliang_league_staff", "baokang_wf_staff", "baokang_league_admin"])
def test_nested_fields_stay_inside_the_scope(as_user, username):
    # given a demo account whose root organization has a parent outside its scope
    visible = own_ids(username)
    root = Membership.objects.get(user__username=username).organization
    assert root.parent_id is not None and root.parent_id not in visible

    # when it reads parent, ancestors, children and descendants of everything it sees,
    # then each equals the walk from parent links restricted to its scope (the root's parent is null)
    assert check_tree(as_user(username), visible) == len(visible)


def test_nested_fields_with_a_patchy_scope(as_user):
    # given a viewer of 保康团县委 itself only, and of 马良镇团委 with everything below it
    new_user("patchy")
    county, maliang = org("共青团保康县委"), org("马良镇团委")
    grant("patchy", county, Role.VIEWER, subtree=False)
    grant("patchy", maliang, Role.VIEWER)
    visible = {county.pk} | subtree_ids(maliang.pk)

    # when it reads the tree, then 保康团县委's children and descendants hold only 马良镇's branch,
    # 马良镇团委's parent is visible, and the villages' ancestors skip nothing visible and include nothing else
    assert check_tree(as_user("patchy"), visible) == len(visible)
    county_children = set(Organization.objects.filter(parent=county).values_list("id", flat=True))
    assert len(county_children) > 1 and county_children & visible == {maliang.pk}


def test_only_the_organization_itself_when_not_subtree(as_user):
    # given a viewer of 城关镇团委 alone
    new_user("one_node")
    town = org("城关镇团委")
    grant("one_node", town, Role.VIEWER, subtree=False)
    children = list(Organization.objects.filter(parent=town).values_list("id", flat=True))
    assert children

    # when it reads the tree and looks up a child, then it sees the town alone and no child
    assert check_tree(as_user("one_node"), {town.pk}) == 1
    assert set(lookups(as_user("one_node"), children).values()) == {None}


# --- mutations: a neighbour's organization answers exactly like a missing one --------------------------------

ADMIN_NEIGHBOURS = [
    ("baokang_league_admin", "城关镇团委", "马良镇妇联"),
    ("huaihua_wf_admin", "洪江市妇联", "共青团保康县委"),
    ("huaihua_wf_admin", "茅渡乡妇联", "保康县妇联"),
    ("maliang_league_staff", "马良镇团委", "黄堡镇团委"),
]


@pytest.mark.parametrize("username, own_name, theirs_name", ADMIN_NEIGHBOURS,
                         ids=[f"{a[0]}-{i}" for i, a in enumerate(ADMIN_NEIGHBOURS)])
def test_mutations_on_a_neighbour_answer_not_found_like_a_missing_id(as_user, username, own_name, theirs_name):
    # given an actor, one of its organizations and a neighbour's organization
    client = as_user(username)
    own, theirs = org(own_name), org(theirs_name)
    before = Organization.objects.values_list("id", "name", "parent_id", "path", "archived_at").get(pk=theirs.pk)
    missing = gid("Organization", MISSING_PK)
    assert not Organization.objects.filter(pk=MISSING_PK).exists()

    cases = [
        (UPDATE, "updateOrganization", {"id": gid("Organization", theirs.pk)}, {"id": missing}),
        (ARCHIVE, "archiveOrganization", {"id": gid("Organization", theirs.pk)}, {"id": missing}),
        (MOVE, "moveOrganization", {"id": gid("Organization", theirs.pk), "newParentId": gid("Organization", own.pk)},
         {"id": missing, "newParentId": gid("Organization", own.pk)}),
    ]
    if username != "maliang_league_staff":  # staff may not manage its own organizations either (tested below)
        own_id = gid("Organization", own.pk)
        cases.append((MOVE, "moveOrganization", {"id": own_id, "newParentId": gid("Organization", theirs.pk)},
                      {"id": own_id, "newParentId": missing}))
    for query, field, neighbour_vars, missing_vars in cases:
        # when it mutates the neighbour's organization and a missing one
        neighbour = payload_of(client, query, neighbour_vars, field)
        absent = payload_of(client, query, missing_vars, field)

        # then both answer NOT_FOUND with identical payloads
        assert codes(neighbour) == ["NOT_FOUND"], (field, neighbour)
        assert neighbour == absent, field
        assert neighbour["organization"] is None

    # and the neighbour's organization is untouched
    assert Organization.objects.values_list("id", "name", "parent_id", "path", "archived_at").get(pk=theirs.pk) == before


@pytest.mark.parametrize("service, extra", [
    (org_services.update_organization, {"name": "改名测试"}),
    (org_services.archive_organization, {}),
])
def test_service_layer_answers_a_neighbour_like_a_missing_id(service, extra):
    # given 保康's league admin as an actor and a women's federation organization in the same county
    actor = Actor.for_user(user("baokang_league_admin"))
    theirs = org("黄堡镇妇联")

    # when a service is called on it and on a missing id
    with pytest.raises(ServiceError) as neighbour:
        service(actor, organization_id=theirs.pk, **extra)
    with pytest.raises(ServiceError) as absent:
        service(actor, organization_id=MISSING_PK, **extra)

    # then both raise the same NOT_FOUND
    assert neighbour.value.rendered() == absent.value.rendered()
    assert neighbour.value.code.name == "NOT_FOUND"


@pytest.fixture
def viewer(as_user):
    """A fresh user holding VIEWER at 马良镇团委: may see it, may not change it."""
    new_user("maliang_viewer")
    grant("maliang_viewer", org("马良镇团委"), Role.VIEWER)
    return as_user("maliang_viewer")


@pytest.mark.parametrize("username", ["maliang_viewer", "maliang_league_staff"])
def test_seeing_without_managing_answers_permission_denied(viewer, as_user, username):
    # given an actor that sees 马良镇团委 but lacks orgs.manage_organization
    client = viewer if username == "maliang_viewer" else as_user(username)
    own, village = org("马良镇团委"), org("三岔村团支部")
    assert client(ORGANIZATION, {"id": gid("Organization", own.pk)})["organization"]

    # when it updates, archives and moves organizations it can see
    update = payload_of(client, UPDATE, {"id": gid("Organization", own.pk)}, "updateOrganization")
    archive = payload_of(client, ARCHIVE, {"id": gid("Organization", village.pk)}, "archiveOrganization")
    move = payload_of(client, MOVE, {"id": gid("Organization", village.pk), "newParentId": gid("Organization", own.pk)},
                      "moveOrganization")
    neighbour = payload_of(client, UPDATE, {"id": gid("Organization", org("黄堡镇团委").pk)}, "updateOrganization")

    # then each is PERMISSION_DENIED, while the neighbour's organization stays NOT_FOUND; nothing changed
    assert codes(update) == codes(archive) == codes(move) == ["PERMISSION_DENIED"]
    assert codes(neighbour) == ["NOT_FOUND"]
    assert org("马良镇团委").name == "马良镇团委" and org("三岔村团支部").archived_at is None


def test_admin_succeeds_where_the_neighbour_failed(as_user):
    # given 保康's league admin and one of its own organizations (the control for the NOT_FOUND cases)
    own = org("城关镇团委")

    # when it renames it, then it succeeds
    payload = payload_of(as_user("baokang_league_admin"), UPDATE, {"id": gid("Organization", own.pk)}, "updateOrganization")
    assert payload["errors"] == [] and payload["organization"]["name"] == "改名测试"
    assert Organization.objects.get(pk=own.pk).name == "改名测试"


def test_creating_under_a_neighbour_is_not_found(as_user):
    # given 怀化's admin and 保康's county league committee
    query = """mutation($parent: ID) { createOrganization(input: {parentId: $parent, name: "越界团支部",
      system: LEAGUE, kind: LEAGUE_BRANCH, level: VILLAGE}) { organization { id } errors { field code message } } }"""
    client = as_user("huaihua_wf_admin")

    # when it creates a child there and under a missing parent
    neighbour = payload_of(client, query, {"parent": gid("Organization", org("共青团保康县委").pk)}, "createOrganization")
    absent = payload_of(client, query, {"parent": gid("Organization", MISSING_PK)}, "createOrganization")

    # then both answer the same NOT_FOUND and nothing was created
    assert codes(neighbour) == ["NOT_FOUND"] and neighbour == absent
    assert not Organization.objects.filter(name="越界团支部").exists()

