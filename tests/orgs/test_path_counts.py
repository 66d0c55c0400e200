"""Issue 15, rows counted by path on PostgreSQL (orgs/counts.py): the triggers keep each path's count equal to the
rows that carry it through every kind of write, folding keeps the sums, and a page's totalCount sums its scope's
paths and answers what counting the rows answers, for each reader its own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.module_loading import import_string

from children.models import Child
from jobs import registry
from orgs import counts
from orgs.models import PathCount
from tests.permissions.helpers import org
from wishes.models import Wish

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

TABLES = ("children_child", "wishes_wish")


@pytest.fixture(autouse=True)
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def counted(table: str) -> dict[str, int]:
    """Each path's count as the deltas sum it (paths whose sum is zero left out)."""
    sums: dict[str, int] = {}
    for path, rows in PathCount.objects.filter(table=table).values_list("org_path", "rows"):
        sums[path] = sums.get(path, 0) + rows
    return {path: n for path, n in sums.items() if n}


def actual(table: str) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT org_path, count(*) FROM {table} GROUP BY org_path")
        return dict(cursor.fetchall())


def copies(source, organization, n: int, **values) -> list:
    """``n`` unsaved copies of ``source`` under ``organization``."""
    made = []
    for i in range(n):
        copy = type(source).objects.get(pk=source.pk)
        copy.pk, copy.organization, copy.org_path = None, organization, organization.path
        for name, value in values.items():
            setattr(copy, name, value(i) if callable(value) else value)
        made.append(copy)
    return made


def child_copies(organization, n: int) -> list[Child]:
    return copies(Child.objects.get(name="张小明"), organization, n, id_number="", id_index=None,
                  name=lambda i: f"计数{i}")


def test_the_demo_datas_paths_are_counted_as_installed():
    for table in TABLES:
        assert counted(table) == actual(table) != {}


def test_each_path_counts_its_rows_through_every_kind_of_write():
    maliang, huangbao = org("马良坪村团支部"), org("黄堡镇团委")

    [one] = child_copies(maliang, 1)
    one.save()  # one INSERT through the model
    Child.objects.bulk_create(child_copies(maliang, 3) + child_copies(huangbao, 2))  # one statement, two paths
    assert counted("children_child") == actual("children_child")

    moved = Child.objects.filter(name__in=["计数0", "计数1"], org_path=maliang.path)
    moved.update(organization=huangbao, org_path=huangbao.path)  # rows move between paths
    Child.objects.filter(name="计数2").update(grade="三年级")  # an update that moves nothing
    assert counted("children_child") == actual("children_child")

    Child.objects.filter(name="计数0").first().delete()
    Child.objects.filter(name__startswith="计数", org_path=huangbao.path).delete()
    assert counted("children_child") == actual("children_child")

    wishes = copies(Wish.objects.filter(child__isnull=False).first(), huangbao, 4, title=lambda i: f"计数心愿{i}")
    Wish.objects.bulk_create(wishes)
    Wish.objects.filter(title__startswith="计数心愿").update(organization=maliang, org_path=maliang.path)
    assert counted("wishes_wish") == actual("wishes_wish")


def test_folding_leaves_one_row_per_path_and_the_same_sums():
    Child.objects.bulk_create(child_copies(org("马良坪村团支部"), 2))
    Child.objects.filter(name="计数0").delete()
    before = {table: counted(table) for table in TABLES}

    counts.compact()

    for table in TABLES:
        assert counted(table) == before[table] == actual(table)
        paths = list(PathCount.objects.filter(table=table).values_list("org_path", flat=True))
        assert len(paths) == len(set(paths)) and not PathCount.objects.filter(rows=0).exists()


def test_the_hourly_job_is_the_folding():
    Child.objects.bulk_create(child_copies(org("马良坪村团支部"), 2))
    periodic = registry.periodic("fold_path_counts")

    remaining = import_string(periodic.call)()

    assert remaining == PathCount.objects.count() and periodic.every == registry.HOUR
    paths = list(PathCount.objects.values_list("table", "org_path"))
    assert len(paths) == len(set(paths)) and counted("children_child") == actual("children_child")


def test_a_truncated_table_counts_nothing():
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE children_child CASCADE")  # with the wishes that name a child, and so on

    assert counted("children_child") == {} == actual("children_child")
    assert counted("wishes_wish") == actual("wishes_wish")


def test_install_counts_a_tables_rows_where_its_triggers_are_missing():
    with connection.cursor() as cursor:
        for event in ("insert", "delete", "update", "truncate"):
            cursor.execute(f"DROP TRIGGER {counts.PREFIX}_{event} ON children_child")
    PathCount.objects.filter(table="children_child").delete()
    Child.objects.bulk_create(child_copies(org("黄堡镇团委"), 2))  # written while nothing counts

    assert counts.install(connection) == len(TABLES)

    assert counted("children_child") == actual("children_child")
    Child.objects.filter(name="计数1").delete()  # the triggers are back
    assert counted("children_child") == actual("children_child")


PAGE = "query { children(first: 2) { totalCount edges { node { id } } } }"


def test_a_pages_count_sums_its_scopes_paths_and_each_reader_counts_their_own(as_user):
    Child.objects.bulk_create(child_copies(org("马良坪村团支部"), 3))
    for reader, organization in [("maliang_league_staff", "马良镇团委"), ("huangbao_league_staff", "黄堡镇团委"),
                                 ("baokang_league_admin", "共青团保康县委")]:
        with CaptureQueriesContext(connection) as captured:
            total = as_user(reader)(PAGE)["children"]["totalCount"]
        assert total == Child.objects.filter(org_path__startswith=org(organization).path).count() > 0
        assert any("orgs_pathcount" in q["sql"] for q in captured.captured_queries)
    mine = as_user("maliang_league_staff")(PAGE)["children"]["totalCount"]
    theirs = as_user("huangbao_league_staff")(PAGE)["children"]["totalCount"]
    county = as_user("baokang_league_admin")(PAGE)["children"]["totalCount"]
    assert 0 < mine < county and 0 < theirs < county and mine != theirs  # neither township counts the other's rows
