"""Issue 15, page SQL: a connection's page is ``id IN (SELECT id ... ORDER BY ... LIMIT n+1)``, never a window count
over the whole scope; ``totalCount`` is read only when asked for; pages walked by their cursors cover every row once,
in every order the API offers, however many rows share the sort value."""

import gc
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from children.models import Child
from tests.permissions.helpers import org

ROOT = Path(__file__).resolve().parents[2]
WINDOW = re.compile(r'"id" (IN \(|= ANY\(ARRAY\()SELECT ')  # the page's window (PostgreSQL: an array of its ids)

pytestmark = pytest.mark.django_db

CHILDREN = """query($first: Int, $after: String, $order: ChildOrder) {
  children(first: $first, after: $after, order: $order) { %s edges { cursor node { id name } } pageInfo { hasNextPage } } }"""
WISHES = """query($first: Int, $after: String) {
  wishes(first: $first, after: $after) { %s edges { cursor node { id title } } pageInfo { hasNextPage } } }"""


@pytest.fixture
def namesakes():
    """Four more children named alike at 马良坪村 (copies of 张小明 without an ID number): ties in every order."""
    source = Child.objects.get(name="张小明")
    for _ in range(4):
        source.pk, source.id_number, source.id_index, source.name = None, "", None, "同名"
        source.save()


def read(client, query, **variables):
    with CaptureQueriesContext(connection) as captured:
        data = next(iter(client(query, variables).values()))
    return data, [q["sql"] for q in captured.captured_queries]


def walk(client, query, size, **variables) -> list[str]:
    ids, after = [], None
    while True:
        page, _ = read(client, query % "", first=size, after=after, **variables)
        ids += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["edges"][-1]["cursor"]


@pytest.mark.parametrize("order", [None, {"name": "ASC"}, {"name": "DESC"}, {"createdAt": "DESC"}, {"birthDate": "ASC"}])
def test_pages_walked_by_cursor_hold_every_child_once_in_the_order_of_one_big_page(as_user, namesakes, order):
    client = as_user("maliang_league_staff")
    whole, _ = read(client, CHILDREN % "totalCount", first=100, order=order)
    expected = [e["node"]["id"] for e in whole["edges"]]
    assert len(expected) == whole["totalCount"] >= 6
    assert walk(client, CHILDREN, 2, order=order) == expected


def test_the_page_reads_ids_by_the_index_and_counts_apart_only_when_asked(as_user, namesakes):
    client = as_user("maliang_league_staff")
    counted, sql = read(client, CHILDREN % "totalCount", first=2)
    page = [s for s in sql if 'FROM "children_child"' in s and "COUNT" in s.upper()]
    assert len(page) == 1 and WINDOW.search(page[0]) and "OVER" not in page[0].upper()
    assert counted["totalCount"] == Child.objects.filter(org_path__startswith=org("马良镇团委").path).count()

    _, sql = read(client, CHILDREN % "", first=2)
    assert not [s for s in sql if "COUNT(" in s.upper()]
    assert all("OVER" not in s.upper() for s in sql)


def test_a_page_past_the_end_still_counts_the_scope(as_user):
    client = as_user("maliang_league_staff")
    first, _ = read(client, CHILDREN % "totalCount", first=100)
    past, _ = read(client, CHILDREN % "totalCount", first=2, after=first["edges"][-1]["cursor"])
    assert past["edges"] == [] and past["totalCount"] == first["totalCount"]


def test_a_neighbour_townships_staff_page_holds_none_of_these_children(as_user, namesakes):
    mine = walk(as_user("maliang_league_staff"), CHILDREN, 2)
    theirs, _ = read(as_user("huangbao_league_staff"), CHILDREN % "totalCount", first=100)
    assert theirs["totalCount"] == len(theirs["edges"]) >= 1
    assert not set(mine) & {e["node"]["id"] for e in theirs["edges"]}


def test_the_wish_board_walked_by_cursor_is_the_board_newest_first(as_user):
    client = as_user("baokang_league_admin")
    whole, sql = read(client, WISHES % "totalCount", first=100)
    assert all("OVER" not in s.upper() for s in sql)
    expected = [e["node"]["id"] for e in whole["edges"]]
    assert len(expected) == whole["totalCount"] >= 2
    assert walk(client, WISHES, 1) == expected


def test_the_web_clients_wish_board_costs_the_same_statements_at_any_size(as_user):
    """The page with its organizations, child and campaign (+ the audit row of the children's names read in clear);
    session, user and scope come from the cache once warm: no statement per row."""
    board = (ROOT / "frontend_schema" / "operations" / "wishes.graphql").read_text()
    client = as_user("baokang_league_admin")

    def cost(first):
        with CaptureQueriesContext(connection) as captured:
            response = client.client.post("/graphql", {"query": board, "variables": {"first": first},
                                                       "operationName": "WishBoard"}, content_type="application/json")
        assert "errors" not in response.json()
        return len(captured), len(response.json()["data"]["wishes"]["edges"])

    cost(1)  # warm: the cached session, user and scope
    (one, rows_one), (many, rows_many) = cost(1), cost(50)
    assert rows_one == 1 < rows_many
    assert one == many == 2


ROSTER = """query($first: Int) { children(first: $first) {
  totalCount pageInfo { hasNextPage endCursor }
  edges { node { id name sex age idNumber piiVisible school organization { id name } guardians { name relation phone } } } } }"""
PER_REQUEST = ("django_session", "auth_user", "permissions_scopeversion")


@pytest.fixture
def county_of_children():
    """Over a hundred children in the county, each with a guardian: pages of 10, 50 and 100 are all full."""
    from children.models import Guardian

    source = Child.objects.get(name="张小明")
    for n in range(100):
        source.pk, source.id_number, source.id_index, source.name = None, "", None, f"张{n}"
        source.save()
        Guardian.objects.create(child=source, name=f"李{n}", relation="祖母", phone="13900001234")


@pytest.fixture
def county_viewer(as_user):
    """A VIEWER of the county (masked pages), signed in, the scope cached."""
    from tests.permissions.helpers import grant, new_user

    new_user("baokang_viewer")
    grant("baokang_viewer", org("共青团保康县委"), "VIEWER")
    client = as_user("baokang_viewer")
    read(client, ROSTER, first=10)  # warm: the cached scope
    return client


def test_the_county_viewers_page_of_children_costs_at_most_4_statements_at_10_50_and_100_rows(county_of_children, county_viewer):
    """The page with its organizations and the count (one statement), the guardians (one): no statement per row,
    and besides the request's own (session, user, scope version) nothing else."""
    client = county_viewer

    def cost(first):
        page, sql = read(client, ROSTER, first=first)
        assert len(page["edges"]) == first and page["totalCount"] > 100
        assert all("*" in e["node"]["name"] and e["node"]["guardians"] for e in page["edges"])
        return [s for s in sql if not any(table in s for table in PER_REQUEST)], len(sql)

    (ten, all_ten), (fifty, all_fifty), (hundred, all_hundred) = cost(10), cost(50), cost(100)
    assert len(ten) == len(fifty) == len(hundred) <= 4, hundred
    assert all_ten == all_fifty == all_hundred
    if connection.vendor == "postgresql":  # the page's keys as one array: the same statement for any number of rows
        assert [s.count('"children_guardian"."child_id" = ANY(') for s in hundred if "children_guardian" in s] == [1]


def test_no_collection_runs_in_the_middle_of_a_page_of_100_once_a_worker_has_settled(county_of_children, county_viewer):
    """A web worker's youngest generation waits for more new objects than a page of 100 children builds
    (config/collector.py); with Python's own threshold of 700 the collector ran on every such page, for nothing."""
    from config import collector

    client = county_viewer
    read(client, ROSTER, first=100)  # warm: a page of this size
    before, runs = gc.get_threshold(), []

    def collections(threshold):
        gc.collect()
        runs.clear()
        gc.set_threshold(threshold, *before[1:])
        page, _sql = read(client, ROSTER, first=100)
        assert len(page["edges"]) == 100
        return len(runs)

    gc.callbacks.append(lambda phase, info: runs.append(info["generation"]) if phase == "start" else None)
    try:
        settled, default = collections(collector.YOUNG_THRESHOLD), collections(700)
    finally:
        gc.callbacks.pop()
        gc.set_threshold(*before)
    assert settled == 0 < default


@pytest.mark.parametrize("selection", ["name", "name followUps { note }"])  # plain rows; the model path
@pytest.mark.parametrize("counted", [False, True])
def test_the_scope_is_applied_once_in_the_window_and_the_outer_statement_reads_only_its_ids(
        as_user, namesakes, selection, counted):
    query = "query { children(first: 3) { %s edges { node { id %s } } } }" % ("totalCount" if counted else "", selection)
    client = as_user("maliang_league_staff")
    data, sql = read(client, query)
    [page] = [s for s in sql if 'FROM "children_child"' in s and WINDOW.search(s)]

    path = org("马良镇团委").path
    assert page.count(path) == (2 if counted else 1)  # the window's condition (and the count's)
    assert re.search(r' WHERE "children_child"\."id" (IN \(|= ANY\(ARRAY\()SELECT ', page)  # its one condition
    assert len(data["edges"]) == 3 and (not counted or data["totalCount"] == Child.objects.filter(
        org_path__startswith=path).count())
