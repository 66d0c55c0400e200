"""The organization forest over GraphQL (HTTP through Django's test client)."""

import pytest
from strawberry import relay

from orgs.models import Organization
from tests.permissions.helpers import org, subtree_ids

pytestmark = pytest.mark.django_db

LIST = """
query List($filters: OrganizationFilter, $order: OrganizationOrder, $first: Int, $archived: Boolean! = false) {
  organizations(filters: $filters, order: $order, first: $first, includeArchived: $archived) {
    totalCount
    edges { node { id name level system kind divisionCode parent { name } } }
  }
}"""

DETAIL = """
query Detail($id: ID!) {
  organization(id: $id) {
    name
    parent { name }
    ancestors { name }
    children(first: 10) { totalCount edges { node { name } } }
    descendants(first: 2) { totalCount pageInfo { hasNextPage } edges { node { name } } }
  }
}"""

CREATE = """
mutation Create($input: CreateOrganizationInput!) {
  createOrganization(input: $input) {
    organization { id name path: divisionCode parent { name } }
    errors { field code message }
  }
}"""

MOVE = """
mutation Move($input: MoveOrganizationInput!) {
  moveOrganization(input: $input) { organization { name parent { name } } errors { field code message } }
}"""


def gid(organization) -> str:
    return str(relay.GlobalID("Organization", str(organization.pk)))


def names(data) -> list[str]:
    return [edge["node"]["name"] for edge in data["organizations"]["edges"]]


def test_filters_and_total_count(as_user):
    admin = as_user("baokang_league_admin")
    county = org("共青团保康县委")
    townships = admin(LIST, {"filters": {"level": "TOWNSHIP"}, "first": 100})["organizations"]
    assert townships["totalCount"] == Organization.objects.filter(level=5, path__startswith=county.path).count() == 7
    units = admin(LIST, {"filters": {"system": "UNIT", "kind": "STATE_ENTERPRISE"}, "first": 100})
    assert sorted(names(units)) == ["保康县农商行", "保康县电力公司"]
    children = admin(LIST, {"filters": {"parent": gid(org("马良镇团委"))}, "first": 100})
    assert sorted(names(children)) == ["三岔村团支部", "马良坪村团支部"]
    by_code = admin(LIST, {"filters": {"divisionCodePrefix": "420626105"}, "first": 100})
    assert set(names(by_code)) == {"马良镇团委", "三岔村团支部", "马良坪村团支部"}
    by_name = admin(LIST, {"filters": {"nameContains": "黄堡"}, "first": 100})
    assert set(names(by_name)) == {"黄堡镇团委", "黄堡村团支部"}


def test_ordering_by_name(as_user):
    data = as_user("baokang_league_admin")(LIST, {"filters": {"level": "TOWNSHIP"}, "order": {"name": "DESC"}, "first": 100})
    assert names(data) == sorted(names(data), reverse=True)


def test_detail_with_parent_children_ancestors_and_paged_descendants(as_user):
    maliang = org("马良镇团委")
    data = as_user("baokang_league_admin")(DETAIL, {"id": gid(maliang)})["organization"]
    assert data["parent"] == {"name": "共青团保康县委"}
    assert [a["name"] for a in data["ancestors"]] == ["共青团保康县委"]  # 襄阳市委 is above the admin's scope
    assert {e["node"]["name"] for e in data["children"]["edges"]} == {"马良坪村团支部", "三岔村团支部"}
    assert data["descendants"]["totalCount"] == len(subtree_ids(maliang.pk)) - 1
    assert data["descendants"]["pageInfo"]["hasNextPage"] is False
    whole_county = as_user("baokang_league_admin")(DETAIL, {"id": gid(org("共青团保康县委"))})["organization"]
    assert whole_county["descendants"]["pageInfo"]["hasNextPage"] is True
    assert len(whole_county["descendants"]["edges"]) == 2


def test_archived_organizations_are_listed_only_on_request(as_user):
    from orgs import services
    from permissions.actor import Actor

    services.archive_organization(Actor.system("test"), organization_id=org("三岔村团支部").pk)
    admin = as_user("baokang_league_admin")
    assert "三岔村团支部" not in names(admin(LIST, {"first": 100}))
    assert "三岔村团支部" in names(admin(LIST, {"first": 100, "archived": True}))


def test_create_through_graphql(as_user):
    data = as_user("maliang_league_staff")
    result = as_user("baokang_league_admin")(CREATE, {"input": {
        "parentId": gid(org("马良镇团委")), "name": "白龙村团支部", "system": "LEAGUE", "kind": "LEAGUE_BRANCH",
        "level": "VILLAGE", "divisionCode": "420626105203"}})["createOrganization"]
    assert result["errors"] == [] and result["organization"]["parent"] == {"name": "马良镇团委"}
    assert "白龙村团支部" in names(data(LIST, {"first": 100}))  # the township's staff see it at once


def test_thirteen_digit_code_answers_a_typed_error_in_chinese_or_english(as_user):
    variables = {"input": {"parentId": gid(org("马良镇团委")), "name": "错码村团支部", "system": "LEAGUE",
                           "kind": "LEAGUE_BRANCH", "level": "VILLAGE", "divisionCode": "4206261052031"}}
    admin = as_user("baokang_league_admin")
    result = admin(CREATE, variables)["createOrganization"]
    assert result["organization"] is None
    [error] = result["errors"]
    assert (error["field"], error["code"]) == ("divisionCode", "INVALID_DIVISION_CODE")
    assert "行政区划代码" in error["message"]
    english = admin.post(CREATE, variables, HTTP_ACCEPT_LANGUAGE="en").json()["data"]["createOrganization"]["errors"][0]
    assert english["code"] == "INVALID_DIVISION_CODE" and "Division code" in english["message"]
    assert not Organization.objects.filter(name="错码村团支部").exists()


def test_unknown_parent_and_wrong_id_type_answer_not_found(as_user):
    admin = as_user("baokang_league_admin")
    base = {"name": "某村团支部", "system": "LEAGUE", "kind": "LEAGUE_BRANCH", "level": "VILLAGE"}
    for parent in (str(relay.GlobalID("Organization", "999999")), str(relay.GlobalID("Membership", "1"))):
        result = admin(CREATE, {"input": {**base, "parentId": parent}})["createOrganization"]
        assert [(e["field"], e["code"]) for e in result["errors"]] == [("parentId", "NOT_FOUND")]


def test_cycle_over_graphql(as_user):
    result = as_user("baokang_league_admin")(MOVE, {"input": {
        "id": gid(org("马良镇团委")), "newParentId": gid(org("三岔村团支部"))}})["moveOrganization"]
    assert [e["code"] for e in result["errors"]] == ["CYCLE"]


def test_merge_and_archive_over_graphql(as_user):
    admin = as_user("baokang_league_admin")
    merged = admin("""mutation($input: MergeOrganizationsInput!) { mergeOrganizations(input: $input) {
        organization { name children(first: 10) { edges { node { name } } } } errors { code } } }""",
                   {"input": {"sourceId": gid(org("后坪镇团委")), "targetId": gid(org("歇马镇团委"))}})["mergeOrganizations"]
    assert merged["errors"] == []
    assert {e["node"]["name"] for e in merged["organization"]["children"]["edges"]} == {"歇马村团支部", "后坪村团支部"}
    archived = admin("""mutation($input: ArchiveOrganizationInput!) { archiveOrganization(input: $input) {
        organization { archivedAt } errors { code } } }""", {"input": {"id": gid(org("过渡湾村团支部"))}})["archiveOrganization"]
    assert archived["errors"] == [] and archived["organization"]["archivedAt"]


@pytest.mark.parametrize("first", [1, 50])
def test_a_page_costs_the_same_queries_at_any_size(as_user, django_assert_num_queries, first):
    admin = as_user("baokang_league_admin")
    query = """query($first: Int) { organizations(first: $first) { totalCount
        edges { node { name parent { name } children(first: 5) { totalCount edges { node { name } } } } } } }"""
    admin(query, {"first": 1})  # warm the session and scope
    # page with parents + children prefetch; session, user and scope from the cache
    with django_assert_num_queries(2):
        data = admin(query, {"first": first})
    assert len(data["organizations"]["edges"]) == min(first, len(subtree_ids(org("共青团保康县委").pk)))
