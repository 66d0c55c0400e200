"""Issue 16, item 5: nothing can be created or changed at an archived organization, in any domain.

The drift it replaces: after 保康县's admin archived 龙坪村团支部, createChild and collectWish still succeeded
there while the programs answered NOT_FOUND. Now every service asks Actor.organization / Actor.require, which
answer ARCHIVED the same way everywhere."""

from datetime import date, timedelta

import pytest

from children import services as children
from demo.data import id_number
from orgs import services as orgs
from programs import sites
from tests.permissions.helpers import SYSTEM, gid, org
from wishes import services as wishes

pytestmark = pytest.mark.django_db

VILLAGE = "龙坪村团支部"


@pytest.fixture
def archived():
    """A child, a wish and a happy home kept at 龙坪村团支部, which is then archived."""
    village = org(VILLAGE)
    child = children.create_child(SYSTEM, organization_id=village.pk, name="龙小平", sex="MALE",
                                  id_number=id_number("420626", "20150909", 501), categories=["LEFT_BEHIND"],
                                  guardian_arrangement="GRANDPARENTS")
    wish = wishes.collect_wish(SYSTEM, organization_id=village.pk, title="一个书包", category="ITEM", estimated_value="80",
                               household="龙坪困难户")
    home = sites.create_home(SYSTEM, organization_id=village.pk, name="龙坪村快乐家园")
    orgs.archive_organization(SYSTEM, organization_id=village.pk)
    return {"village": gid("Organization", village.pk), "child": gid("Child", child.pk), "wish": gid("Wish", wish.pk),
            "home": gid("HappyHome", home.pk)}


def mutations(ids: dict) -> dict:
    """One mutation of each domain that creates or changes something at the archived village."""
    today = date.today().isoformat()
    return {
        "createChild": ("CreateChildInput", {"organizationId": ids["village"], "name": "龙新", "sex": "FEMALE",
                                             "idNumber": id_number("420626", "20160101", 502), "guardianArrangement": "GRANDPARENTS"}),
        "updateChild": ("UpdateChildInput", {"id": ids["child"], "school": "龙坪小学"}),
        "recordFollowUp": ("RecordFollowUpInput", {"childId": ids["child"], "visitedOn": today, "note": "入户走访"}),
        "collectWish": ("CollectWishInput", {"organizationId": ids["village"], "title": "一盒彩笔", "category": "ITEM",
                                             "estimatedValue": "30", "household": "龙坪困难户"}),
        "reviewWish": ("WishActionInput", {"id": ids["wish"]}),
        "createHappyHome": ("HappyHomeInput", {"organizationId": ids["village"], "name": "第二个家园"}),
        "updateHappyHome": ("UpdateHappyHomeInput", {"id": ids["home"], "name": "改名家园"}),
        "createVolunteer": ("VolunteerInput", {"organizationId": ids["village"], "name": "志愿者甲", "origin": "UNIVERSITY"}),
        "createPairing": ("PairingInput", {"organizationId": ids["village"], "kind": "UNIT_COUNTY", "startedOn": today,
                                           "partnerName": "某高校团委"}),
        "createHolidayProject": ("HolidayProjectInput", {"organizationId": ids["village"], "name": "七彩假期", "year": 2026,
                                                         "season": "SUMMER", "startsOn": today,
                                                         "endsOn": (date.today() + timedelta(days=30)).isoformat()}),
        "recordActivity": ("RecordActivityInput", {"organizationId": ids["village"], "title": "读书会", "kind": "LECTURE",
                                                   "heldOn": today}),
        "grantRole": ("GrantRoleInput", {"organizationId": ids["village"], "role": "VIEWER", "username": "huangbao_league_staff"}),
        "createOrganization": ("CreateOrganizationInput", {"parentId": ids["village"], "name": "新团小组", "system": "LEAGUE",
                                                           "kind": "LEAGUE_BRANCH", "level": "VILLAGE"}),
        "updateOrganization": ("UpdateOrganizationInput", {"id": ids["village"], "name": "改名团支部"}),
    }


@pytest.mark.parametrize("mutation", list(mutations({k: "x" for k in ("village", "child", "wish", "home")})))
def test_nothing_is_created_or_changed_at_an_archived_organization(as_user, archived, mutation):
    input_type, variables = mutations(archived)[mutation]
    query = f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ errors {{ field code }} }} }}"
    errors = as_user("baokang_league_admin")(query, {"input": variables})[mutation]["errors"]
    assert [e["code"] for e in errors] == ["ARCHIVED"], errors


def test_the_same_changes_work_at_an_active_village(as_user):
    """The control: the admin may do these at 龙坪村团支部 while it is active."""
    village = gid("Organization", org(VILLAGE).pk)
    query = "mutation($input: CollectWishInput!) { collectWish(input: $input) { errors { code } } }"
    errors = as_user("baokang_league_admin")(query, {"input": {"organizationId": village, "title": "一盒彩笔",
                                                                "category": "ITEM", "estimatedValue": "30",
                                                                "household": "龙坪困难户"}})["collectWish"]["errors"]
    assert errors == []


def test_an_archived_organization_leaves_the_subtree_search_and_is_marked_among_its_parents_children(as_user, archived):
    """The console's search and organization pickers read descendants: the archived village is not offered there;
    the sub-organization list (children) shows it marked archived; it is still read by id."""
    town = gid("Organization", org("龙坪镇团委").pk)
    query = """query($id: ID!) { organization(id: $id) {
      children { edges { node { name archivedAt } } } descendants { edges { node { name } } } } }"""
    found = as_user("baokang_league_admin")(query, {"id": town})["organization"]
    assert VILLAGE not in [e["node"]["name"] for e in found["descendants"]["edges"]]
    assert [bool(e["node"]["archivedAt"]) for e in found["children"]["edges"] if e["node"]["name"] == VILLAGE] == [True]
    still = as_user("baokang_league_admin")("query($id: ID!) { organization(id: $id) { name archivedAt } }", {"id": archived["village"]})
    assert still["organization"]["name"] == VILLAGE and still["organization"]["archivedAt"]
