"""Issue 15, a row page's statement compiled once per shape (graphql_api/connection.py ``_shell``): readers of other
scopes, filters and orders who share a shell each get exactly their own page, as the model path reads it; a shape
the cache cannot hold is compiled whole for its page."""

from datetime import date

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection as db_connection
from django.db.models import Case, Value, When
from django.db.models.expressions import OrderBy

from children.models import Child
from core.sql import aggregate
from graphql_api import connection, rows
from tests.permissions.helpers import gid, grant, new_user, org

pytestmark = pytest.mark.django_db

PAGE = """query($first: Int, $filters: ChildFilter, $order: ChildOrder) {
  children(first: $first, filters: $filters, order: $order) {
    totalCount edges { node { id name idNumber categories organization { id name } } } } }"""


@pytest.fixture
def county_viewer():
    new_user("baokang_viewer")
    grant("baokang_viewer", org("共青团保康县委"), "VIEWER")
    return "baokang_viewer"


@pytest.fixture
def namesakes():
    """Four more children at 马良坪村 named alike, in several categories: ties in every order, and rows a filter
    keeps or drops."""
    source = Child.objects.get(name="张小明")
    for n, categories in enumerate([["LEFT_BEHIND"], ["MIGRANT"], ["LEFT_BEHIND", "MIGRANT"], []]):
        source.pk, source.id_number, source.id_index, source.name = None, "", None, "同名"
        source.categories = categories
        source.birth_date = source.birth_date.replace(year=2010 + n)
        source.save()


@pytest.mark.parametrize("order", [None, {"name": "DESC"}, {"birthDate": "ASC"}])
def test_readers_of_other_scopes_and_filters_sharing_a_shell_each_get_the_page_the_model_path_reads(
        as_user, monkeypatch, county_viewer, namesakes, order):
    readers = [county_viewer, "maliang_league_staff", "huangbao_league_staff", "baokang_league_admin"]
    asks = [{"first": 3, "order": order, "filters": filters}
            for filters in (None, {"category": "LEFT_BEHIND"}, {"organization": gid("Organization", org("马良镇团委").pk)})]

    def pages():
        return [as_user(reader)(PAGE, ask)["children"] for ask in asks for reader in readers]

    connection._shell.cache_clear()
    by_rows = pages()
    assert connection._shell.cache_info().misses <= 2 < connection._shell.cache_info().hits  # pages share shells
    monkeypatch.setattr(connection.rows, "reader", lambda info: None)  # the model path
    assert by_rows == pages()
    assert any(page["edges"] for page in by_rows) and len({str(page) for page in by_rows}) > len(asks)


def test_the_count_frame_compiled_for_one_reader_serves_another_with_their_own_count(as_user, monkeypatch, namesakes):
    """Two townships' staff: the count's frame is compiled once and each page puts its reader's conditions in it;
    each total is its own township's."""
    compiled = []
    monkeypatch.setattr(connection, "aggregate", lambda nodes: compiled.append(1) or aggregate(nodes))
    connection._count_frame.cache_clear()
    totals = {reader: as_user(reader)(PAGE, {"first": 2})["children"]["totalCount"]
              for reader in ("maliang_league_staff", "huangbao_league_staff", "maliang_league_staff")}
    assert len(compiled) == 1
    for reader, township in (("maliang_league_staff", "马良镇团委"), ("huangbao_league_staff", "黄堡镇团委")):
        assert totals[reader] == Child.objects.filter(org_path__startswith=org(township).path).count()
    assert totals["maliang_league_staff"] != totals["huangbao_league_staff"]


BY_NAME = Case(When(name="同名", then=Value(0)), default=Value(1))
Unkeyed = type("Unkeyed", (OrderBy,), {"__hash__": lambda self: (_ for _ in ()).throw(TypeError)})


@pytest.mark.parametrize("shape", [
    lambda nodes: nodes.order_by(BY_NAME.asc(), "pk"),  # an order by a value: a shell with parameters
    lambda nodes: nodes.order_by(Unkeyed(BY_NAME), "pk"),  # an order that is no cache key
    lambda nodes: nodes.annotate(first=BY_NAME).order_by("first", "pk"),  # annotated
])
@pytest.mark.parametrize("counted", [False, True])
def test_a_page_whose_shell_cannot_be_cached_is_compiled_whole_and_reads_the_same_rows(namesakes, shape, counted):
    nodes = shape(Child.objects.filter(org_path__startswith=org("马良镇团委").path))
    assert connection._shell_of(nodes, ("name", "pk"), counted) is None
    columns = ("name", "org_path", "pk", *([rows.TOTAL] if counted else []))
    found, _items = connection._page_rows(nodes, slice(0, 4), counted, columns)
    expected = list(nodes.values("name", "org_path", "pk")[:4])
    assert [row["name"] for row in found] == ["同名"] * 4
    assert [{k: row[k] for k in ("name", "org_path", "pk")} for row in found] == expected
    assert not counted or {row[rows.TOTAL] for row in found} == {nodes.count()}


def test_the_shell_holds_no_readers_scope_and_the_window_no_other_readers(as_user, county_viewer, namesakes):
    """The scope's path is in the window and the count only: each reader's statement carries its own."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    connection._shell.cache_clear()
    for reader, mine, theirs in [("maliang_league_staff", "马良镇团委", "黄堡镇团委"),
                                 ("huangbao_league_staff", "黄堡镇团委", "马良镇团委")]:
        with CaptureQueriesContext(db) as captured:
            as_user(reader)(PAGE, {"first": 2})
        [page] = [q["sql"] for q in captured.captured_queries if rows.TOTAL in q["sql"]]
        assert page.count(org(mine).path) == 2 and org(theirs).path not in page


def test_a_nested_list_whose_shell_cannot_be_cached_reads_the_same_items(as_user, monkeypatch, county_viewer, namesakes):
    """The guardians of a page by their list's shell, and by Django's queryset where a manager's value refuses one."""
    roster = PAGE.replace("organization { id name }", "guardians { name relation phone }")
    by_shell = as_user(county_viewer)(roster, {"first": 50})["children"]
    monkeypatch.setattr(rows, "_list_shell", lambda *key: None)
    assert as_user(county_viewer)(roster, {"first": 50})["children"] == by_shell
    assert any(e["node"]["guardians"] for e in by_shell["edges"])


WINDOWS = [slice(0, 4), slice(2, 5), slice(3, None), slice(0, 1)]


FRAMED = [
    lambda nodes: nodes.order_by("org_path", "name", "pk"),  # the default order of children
    lambda nodes: nodes.order_by("-created_at", "-pk"),  # newest first
    lambda nodes: nodes.filter(birth_date__gte=date(2011, 1, 1), name="同名").order_by("-birth_date", "pk"),  # a filter's parameter
    lambda nodes: nodes.filter(pk__in=Child.objects.filter(name="同名").values("pk")).order_by("pk"),  # a subquery
]


@pytest.mark.parametrize("shape", FRAMED)
def test_a_window_compiled_into_its_frame_is_the_sql_django_compiles(namesakes, shape):
    """Only the conditions are compiled for a page (``_window``); the statement is Django's own, to the character."""
    nodes = shape(Child.objects.filter(org_path__startswith=org("马良镇团委").path))
    connection._frame.cache_clear()
    for window in WINDOWS:
        assert connection._window(nodes, window) == connection._compiled(nodes.values("pk")[window])
    assert connection._frame.cache_info().misses == 1 and connection._frame.cache_info().hits == len(WINDOWS) - 1
    sql, params = connection._window(nodes, slice(0, 4))
    with db_connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert [pk for (pk,) in cursor.fetchall()] == list(nodes.values_list("pk", flat=True)[:4])


WHOLE = [
    lambda nodes: nodes.filter(organization__name="马良坪村团支部").order_by("pk"),  # a condition's join
    lambda nodes: nodes.order_by("organization__name", "pk"),  # an order's join: no frame
    lambda nodes: nodes.order_by(BY_NAME.asc(), "pk"),  # an order by a value: no frame
    lambda nodes: nodes.annotate(first=BY_NAME).filter(first=0).order_by("pk"),  # a condition on an annotation
    lambda nodes: nodes.all()[1:],  # limits of its own
    lambda nodes: Child.objects.order_by("pk"),  # no condition at all
]


@pytest.mark.parametrize("shape", WHOLE)
def test_a_window_with_more_than_conditions_on_its_own_table_is_compiled_whole(namesakes, shape):
    nodes = shape(Child.objects.filter(org_path__startswith=org("马良镇团委").path))
    for window in WINDOWS:
        assert connection._window(nodes, window) == connection._compiled(nodes.values("pk")[window])


@pytest.mark.parametrize("shape", FRAMED + WHOLE[:-2] + WHOLE[-1:])  # not a sliced queryset, which no page counts
def test_a_count_is_the_one_django_compiles_or_the_paths_sum_and_counts_the_rows(namesakes, shape):
    """The count's conditions put into its frame (``_count``), or the count compiled whole where the window is: the
    statement core.sql.aggregate writes, to the character; on PostgreSQL, where the conditions are the scope's
    prefixes alone, the sum of the paths' counts (orgs/counts.py); either way the number of the window's rows."""
    nodes = shape(Child.objects.filter(org_path__startswith=org("马良镇团委").path))
    sql, params = connection._count(nodes)
    scope_alone = [*FRAMED[:2], *WHOLE[1:3]]  # conditions: the scope's prefix (an order's join or value counts alike)
    by_paths = db_connection.vendor == "postgresql" and shape in scope_alone
    assert ("orgs_pathcount" in sql) == by_paths
    if not by_paths:
        assert (sql, params) == aggregate(nodes)
    with db_connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        assert cursor.fetchone()[0] == nodes.count() > 0


def test_an_empty_window_or_scope_is_empty_as_django_answers(namesakes):
    nodes = Child.objects.filter(org_path__startswith=org("马良镇团委").path).order_by("pk")
    for empty in (slice(3, 3), slice(4, 2)):
        with pytest.raises(EmptyResultSet):
            connection._compiled(nodes.values("pk")[empty])
        with pytest.raises(EmptyResultSet):
            connection._window(nodes, empty)
    with pytest.raises(EmptyResultSet):
        connection._window(nodes.filter(pk__in=[]), slice(0, 4))


@pytest.mark.parametrize("stored", [["LEFT_BEHIND", "MIGRANT"], [], {"nested": [1, 2.5, None, True]},
                                    [2 ** 70], "plain text", 7])
def test_a_json_column_is_read_as_django_reads_it(stored):
    """A JSON column of a shell is converted by one orjson call (shells._json) to what ``values()`` answers, an
    integer beyond orjson's 64 bits included."""
    from graphql_api import shells

    child = Child.objects.get(name="张小明")
    Child.objects.filter(pk=child.pk).update(categories=stored)
    every = Child.objects.order_by("pk").values("pk", "categories")
    read = shells.compiled(every, ()).rows({})
    assert read == list(every)
    assert [row["categories"] for row in read if row["pk"] == child.pk] == [stored]


def test_text_that_is_no_json_stays_as_it_is_as_django_leaves_it():
    from graphql_api import shells

    assert shells._json(None) is None
    assert shells._json("[1, 2") == "[1, 2"
    assert shells._json('{"a": 1}') == {"a": 1}
