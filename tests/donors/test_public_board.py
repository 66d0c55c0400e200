"""The public wish board (issue 20 item 1): anyone reads published wishes without signing in, the child only as
surname and age, with nothing that links two wishes of one child; filtered by area, category and campaign; paged
with totalCount; rate-limited per client address."""

import json

import pytest
from django.utils import timezone

from children.models import Child
from children.privacy import age_on
from orgs import services as org_services
from programs.models import Campaign
from tests.conftest import GraphQLClient
from tests.permissions.helpers import SYSTEM, gid, org
from tests.wishes.helpers import new_donor, wish_in
from wishes.models import State, Wish

pytestmark = pytest.mark.django_db

BOARD = """query($filters: PublicWishFilter, $first: Int, $after: String) {
  publicWishes(filters: $filters, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id title text category estimatedValue remaining quantity claimDeadline publishedAt townshipName
                   villageName organizationName campaignTitle childSurname childAge household } } } }"""
# What the public may read of a wish: a new field on PublicWish must be added here on purpose, after asking whether
# it tells anything about the child beyond surname and age, or links two wishes of one child.
PUBLIC_FIELDS = {"id", "title", "text", "category", "estimatedValue", "remaining", "quantity", "claimDeadline",
                 "publishedAt", "townshipName", "villageName", "organizationName", "campaignTitle", "childSurname",
                 "childAge", "household"}


def board(client=None, **variables) -> dict:
    return (client or GraphQLClient())(BOARD, variables)["publicWishes"]


def nodes(page: dict) -> list[dict]:
    return [e["node"] for e in page["edges"]]


def test_anyone_reads_the_published_wishes_with_the_child_as_surname_and_age_only():
    child = Child.objects.get(name="张小明")
    first = wish_in(State.PUBLISHED, child_id=child.pk, title="一个书包")
    second = wish_in(State.PUBLISHED, child_id=child.pk, title="一本字典")
    hidden = [wish_in(state, title=f"不在墙上{state}", donor=new_donor("board_donor") if state == State.CLAIMED else None)
              for state in (State.COLLECTED, State.REVIEWED, State.CLAIMED)]

    response = GraphQLClient().post(BOARD, {"first": 100})
    text = response.content.decode()
    page = response.json()["data"]["publicWishes"]

    assert page["totalCount"] == Wish.objects.filter(state=State.PUBLISHED).count()
    found = {n["title"]: n for n in nodes(page)}
    assert not {w.title for w in hidden} & set(found)
    for title in ("一个书包", "一本字典"):
        assert found[title]["childSurname"] == "张" and found[title]["childAge"] == age_on(child.birth_date, timezone.localdate())
        assert found[title]["villageName"] == "马良坪村团支部" and found[title]["townshipName"] == "马良镇团委"
    # nothing personal travels: not the name, the birth date, the school, the child's ID or an ID number
    assert child.school
    for secret in (child.name, child.name[1:], child.birth_date.isoformat(), child.school, gid("Child", child.pk), child.id_number):
        assert secret not in text
    # and nothing links the two wishes of one child: their answers differ only in the wish's own fields
    a, b = found["一个书包"], found["一本字典"]
    same = {k for k in PUBLIC_FIELDS if a[k] == b[k]}
    assert same <= {"category", "estimatedValue", "remaining", "quantity", "claimDeadline", "townshipName", "villageName",
                    "organizationName", "campaignTitle", "childSurname", "childAge", "household", "text"}
    assert a["id"] == gid("PublicWish", first.pk) and b["id"] == gid("PublicWish", second.pk)


def test_the_public_type_has_only_the_fields_reviewed_for_the_public():
    introspection = GraphQLClient()('{ __type(name: "PublicWish") { fields { name } } }')
    assert {f["name"] for f in introspection["__type"]["fields"]} == PUBLIC_FIELDS


def test_filters_by_area_category_and_campaign_and_pages_with_the_total():
    in_huangbao = wish_in(State.PUBLISHED, "黄堡村团支部", title="黄堡的心愿")
    campaign = Campaign.objects.first()
    Wish.objects.filter(pk=in_huangbao.pk).update(campaign=campaign, category="SKILL")

    area = nodes(board(filters={"organization": gid("Organization", org("黄堡镇团委").pk)}, first=100))
    assert area and all(n["townshipName"] == "黄堡镇团委" for n in area)
    assert "黄堡的心愿" in {n["title"] for n in area}
    skills = nodes(board(filters={"category": "SKILL"}, first=100))
    assert [n["title"] for n in skills] == ["黄堡的心愿"]
    under = board(filters={"campaign": gid("Campaign", campaign.pk)}, first=100)
    assert under["totalCount"] == 1 and nodes(under)[0]["campaignTitle"] == campaign.title

    total = board(first=1)
    assert total["totalCount"] > 1 and len(total["edges"]) == 1 and total["pageInfo"]["hasNextPage"]
    second = board(first=1, after=total["pageInfo"]["endCursor"])
    assert nodes(second)[0]["id"] != nodes(total)[0]["id"]

    options = GraphQLClient()("{ publicBoardOptions { areas { id name level } campaigns { id title } } }")["publicBoardOptions"]
    assert {"共青团保康县委", "黄堡镇团委", "黄堡村团支部", "马良镇团委"} <= {a["name"] for a in options["areas"]}
    assert [c["title"] for c in options["campaigns"]] == [campaign.title]


def test_an_archived_organizations_wishes_leave_the_board():
    wish = wish_in(State.PUBLISHED, "三岔村团支部", title="三岔的心愿")
    org_services.archive_organization(SYSTEM, organization_id=org("三岔村团支部").pk)
    assert wish.title not in {n["title"] for n in nodes(board(first=100))}


def test_reads_are_rate_limited_per_client_address(settings):
    settings.PUBLIC_BOARD_RATE_LIMIT = 3
    client = GraphQLClient()
    for _ in range(3):
        assert client.post("{ publicWishes(first: 1) { totalCount } }", REMOTE_ADDR="10.0.0.1").json().get("errors") is None
    refused = client.post("{ publicWishes(first: 1) { totalCount } }", REMOTE_ADDR="10.0.0.1")
    assert refused.status_code == 200
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "RATE_LIMITED" and error["message"] == "请求过于频繁，请稍后再试。"
    english = client.post("{ publicWishes(first: 1) { totalCount } }", REMOTE_ADDR="10.0.0.1", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["errors"][0]["message"] == "Too many requests; retry later."
    other = client.post("{ publicWishes(first: 1) { totalCount } }", REMOTE_ADDR="10.0.0.2").json()
    assert other.get("errors") is None and other["data"]["publicWishes"]["totalCount"] > 0


def test_the_staff_view_of_a_wish_stays_closed_to_the_anonymous():
    wish = wish_in(State.PUBLISHED)
    body = GraphQLClient().post('query($id: ID!) { wish(id: $id) { title child { name } } }', {"id": gid("Wish", wish.pk)}).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    assert json.dumps(body, ensure_ascii=False).find("张小明") == -1


def test_a_page_of_the_board_and_of_claims_costs_the_same_queries_however_many_rows(phones):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    donor = phones.register("13900001111", "韩先生")

    def cost(client, query, name) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            total = client(query)[name]["totalCount"]
        return len(captured), total

    board = "{ publicWishes(first: 50) { totalCount edges { node { id title townshipName villageName campaignTitle childSurname childAge remaining } } } }"
    claims = ("{ myClaims(first: 50) { totalCount edges { node { id wishTitle place progress { done } thanks cancellable "
              "photos { url } } } } }")
    anonymous = GraphQLClient()
    child = Child.objects.get(name="张小明")
    for client, query, name in ((anonymous, board, "publicWishes"), (donor, claims, "myClaims")):
        wish = wish_in(State.PUBLISHED, child_id=child.pk, value="500")
        donor(CLAIM_ONE, {"ids": [gid("PublicWish", wish.pk)]})
        cost(client, query, name)  # warm
        few, n_few = cost(client, query, name)
        for _ in range(3):
            wish = wish_in(State.PUBLISHED, child_id=child.pk, value="500")
            if name == "myClaims":
                donor(CLAIM_ONE, {"ids": [gid("PublicWish", wish.pk)], "shares": ["20"]})
        many, n_many = cost(client, query, name)
        assert n_many == n_few + 3 and many == few, (name, few, many)


CLAIM_ONE = """mutation($ids: [ID!]!, $shares: [Decimal]) { claimAsDonor(input: {wishIds: $ids, shares: $shares}) {
  errors { code } } }"""
