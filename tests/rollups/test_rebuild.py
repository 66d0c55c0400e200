"""The full rebuild (rollups.services.refresh): level by level into a new table swapped in whole (PostgreSQL), so it
equals the fold, leaves the table as it found it (indexes, constraints, ids), and is all or nothing; readers see
the old figures until it commits; two folds at once (two schedulers, or a slot started while the last fold still
runs) apply each change once.

The races need rows committed for other connections: they are transactional, on PostgreSQL only
(``postgres_transactional``, tests/conftest.py), and build their own organizations."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone

from orgs import services as org_services
from orgs.models import Kind, Level, Organization, System
from programs.models import Activity
from rollups import services
from rollups.models import DirtyMark, Figure
from tests.permissions.helpers import SYSTEM, org
from tests.rollups.test_fold import figure_table
from tests.rollups.test_rollups import direct, rolled


def table_shape() -> list:
    """The figure table's indexes and constraints as the database describes them."""
    table = Figure._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s UNION ALL "
                           "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                           "UNION ALL SELECT 'sequence', pg_get_serial_sequence(%s, 'id') "
                           "UNION ALL SELECT 'grants', relacl::text FROM pg_class WHERE oid = %s::regclass",
                           [table, table, table, table])
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE tbl_name = %s", [table])
        return sorted(cursor.fetchall())


def activity(organization: Organization) -> Activity:
    return Activity.objects.create(organization=organization, org_path=organization.path, title="重算测试", kind="LECTURE",
                                   held_on=timezone.localdate(), recorded_by="t")


def this_year() -> services.Period:
    return services.period("YEAR", year=timezone.localdate().year)


@pytest.mark.django_db
def test_the_rebuild_equals_the_fold_and_keeps_the_tables_indexes_and_constraints():
    # given folded figures after a change, and (PostgreSQL) a reader's grant on the table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"GRANT SELECT ON {Figure._meta.db_table} TO PUBLIC")
    services.refresh()
    shape = table_shape()
    activity(org("马良镇团委"))
    services.fold()
    folded = figure_table()
    # when the figures are rebuilt twice (the second swaps in over a table the first swapped in)
    services.refresh()
    services.refresh()
    # then they are the fold's, in a table of the same shape (and grants) that takes new rows
    assert figure_table() == folded and table_shape() == shape
    activity(org("黄堡镇团委"))
    assert services.fold().rows > 0
    for organization in (org("黄堡镇团委"), Organization.objects.get(path=org("黄堡镇团委").path[:4])):
        assert rolled(organization, this_year()) == direct(organization, this_year())


@pytest.mark.django_db
def test_a_rebuild_that_fails_leaves_the_old_figures_and_the_marks(monkeypatch):
    # given figures and a change not folded in yet
    services.refresh()
    before, shape = figure_table(), table_shape()
    ma = org("马良镇团委")
    activity(ma)

    def fail(*args):
        raise RuntimeError("stopped before the commit")

    # when the rebuild fails after its last statement
    monkeypatch.setattr(services, "_finish", fail)
    with pytest.raises(RuntimeError):
        services.refresh()
    # then nothing of it is left: the old figures, the table as it was, the mark still to fold
    assert figure_table() == before and table_shape() == shape
    assert list(DirtyMark.objects.values_list("organization_id", flat=True)) == [ma.pk]


def race(test):
    return pytest.mark.usefixtures("postgres_transactional")(pytest.mark.django_db(transaction=True)(test))


def tree() -> tuple[Organization, list[Organization]]:
    """A city, a county and three townships of their own."""
    common = {"system": System.LEAGUE, "kind": Kind.LEAGUE_COMMITTEE}
    city = org_services.create_organization(SYSTEM, name="重算测试团市委", level=Level.CITY, division_code="420600", **common)
    county = org_services.create_organization(SYSTEM, parent_id=city.pk, name="重算测试团县委", level=Level.COUNTY,
                                              division_code="420626", **common)
    towns = [org_services.create_organization(SYSTEM, parent_id=county.pk, name=f"重算测试{n}镇团委", level=Level.TOWNSHIP,
                                              division_code=f"42062610{n}", **common) for n in range(3)]
    return city, towns


def held(city: Organization) -> int:
    return int(services.figures([city.pk], this_year())[city.pk].get("activities.held", 0))


@race
def test_readers_see_the_old_figures_until_the_rebuild_commits_and_then_the_new_ones(monkeypatch):
    # given folded figures and one more activity, not folded in
    city, towns = tree()
    activity(towns[0])
    services.refresh()
    activity(towns[1])
    built, read = threading.Event(), threading.Event()
    real_swap = services._swap_in

    def wait_then_swap(cursor, table):
        built.set()  # the new table is filled, under its own name, in the rebuild's transaction
        read.wait(timeout=30)
        real_swap(cursor, table)

    monkeypatch.setattr(services, "_swap_in", wait_then_swap)

    def reader():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '5s'")  # fail rather than hang if the rebuild blocked readers
            return held(city)
        finally:
            connection.close()

    def rebuild_alone():
        try:
            services.refresh()
        finally:
            connection.close()

    # when another connection reads while the rebuild has built its new table, and again after it commits
    with ThreadPoolExecutor(max_workers=2) as pool:
        rebuild = pool.submit(rebuild_alone)
        assert built.wait(timeout=60)
        during = pool.submit(reader).result(timeout=30)
        read.set()
        rebuild.result(timeout=60)
    # then the reader saw the old figures at once, and sees the new ones after the commit
    assert (during, held(city)) == (1, 2)


@race
def test_two_folds_at_once_apply_each_change_once():
    # given folded figures and a change at each of three townships
    city, towns = tree()
    services.refresh()
    for town in towns:
        activity(town)
    gate = threading.Event()

    def fold():
        try:
            gate.wait(timeout=30)
            return services.fold().dirty_keys
        finally:
            connection.close()

    # when two schedulers' folds start at the same moment
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = [pool.submit(fold) for _ in range(2)]
        gate.set()
        keys = sorted(run.result(timeout=60) for run in runs)
    # then one folded the three marks, the other found none, and every figure counts each activity once
    assert keys == [0, 3]
    assert held(city) == 3 and rolled(city, this_year()) == direct(city, this_year())
    folded = figure_table()
    services.refresh()
    assert figure_table() == folded


@race
def test_a_rebuild_outside_a_transaction_leaves_no_dead_marks_behind():
    # given marks committed for a new city's changes (a bulk load leaves millions)
    city, towns = tree()
    for town in towns:
        activity(town)
    assert DirtyMark.objects.exists()
    # when the rebuild runs as the nightly job and the repair command run it (autocommit, no caller's transaction)
    services.refresh()
    # then the marks' table was vacuumed after the commit: the dashboards' 待汇总 count scans no dead rows
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_dead_tup, last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE relname = %s",
                       [DirtyMark._meta.db_table])
        assert cursor.fetchone() == (0, True)
    assert not DirtyMark.objects.exists() and held(city) == len(towns)
