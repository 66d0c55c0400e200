"""Rollups: the per-organization, per-month figures and reading them for a subtree and a period.

Each figure row holds an organization's own figure and its subtree's, so that reading a subtree for a period
is a lookup of a few rows whatever its size, and a drill-down one query for all direct children. Writes that
change a figure mark their organization dirty in the same transaction (rollups.triggers); every 30 seconds
``fold`` recomputes the dirty organizations' own figures in SQL and adds the differences up their ancestors;
``refresh`` rebuilds everything in SQL (nightly, and ``manage.py refresh_rollups`` as a repair): own figures by
the fold's statement, subtree figures level by level, into a new table swapped in. Figures are as of the start
of the last finished run (``computed_at``), with ``pending`` changes not folded in yet.

Marks are per organization, not per (organization, month): the fold's GROUP BYs read a dirty organization's rows
through the organization index whatever their months (a month filter would drop rows only after reading them: no
index leads with an organization and each of a wish's seven time stamps), and it writes only the (organization,
metric, month) keys whose value changed, up the ancestors. A per-month mark would save aggregating an
organization's unchanged months (tens to hundreds of rows for a village) but make every trigger compute the months
of each stamp of the old and the new row (a wish changes the months of several stamps at once; a change of owner
all of them; stock figures have none): more work on every write to save a little on each fold.
"""

from __future__ import annotations

import calendar
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import DateField, Q
from django.db.models.functions import Length
from django.utils import timezone

from core.errors import ServiceError
from orgs.divisions import BOUNDARIES, region_prefix
from orgs.models import Organization
from orgs import paths
from orgs.paths import ancestor_paths
from permissions.actor import Actor
from rollups import metrics
from rollups.errors import RollupErrorCode as E
from rollups.models import DirtyMark, Figure, RefreshRun, RunKind

VIEW = "rollups.view_rollup"
BATCH = 5000
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    """Whole months from ``first`` to ``last`` (both the first day of their month)."""

    first: date
    last: date

    @property
    def ends_on(self) -> date:
        return date(self.last.year, self.last.month, calendar.monthrange(self.last.year, self.last.month)[1])


def _first_of(day: date) -> date:
    return date(day.year, day.month, 1)


def period(kind: str, *, year: int | None = None, number: int | None = None, starts_on: date | None = None,
           ends_on: date | None = None, campaign=None) -> Period:
    """MONTH (year, number 1–12), QUARTER (year, number 1–4), YEAR (year), CAMPAIGN (its dates) or CUSTOM
    (starts_on, ends_on). Figures are kept by month: a period covers the whole months it touches."""
    def bad(detail):
        return ServiceError(E.PERIOD_INVALID, "period", detail=detail)

    if kind == "CAMPAIGN":
        if campaign is None:
            raise bad("campaign_id")
        starts_on, ends_on = campaign.starts_on, campaign.ends_on
    elif kind == "CUSTOM":
        if starts_on is None or ends_on is None or ends_on < starts_on:
            raise bad("startsOn ≤ endsOn")
    else:
        if year is None or not 2000 <= year <= 2100:
            raise bad("year")
        if kind == "YEAR":
            starts_on, ends_on = date(year, 1, 1), date(year, 12, 1)
        elif kind == "QUARTER" and number in (1, 2, 3, 4):
            starts_on, ends_on = date(year, 3 * number - 2, 1), date(year, 3 * number, 1)
        elif kind == "MONTH" and number in range(1, 13):
            starts_on = ends_on = date(year, number, 1)
        else:
            raise bad("number")
    return Period(_first_of(starts_on), _first_of(ends_on))


TREE, OWN, LEVEL = "rollups_rebuild_tree", "rollups_rebuild_own", "rollups_rebuild_level"  # the rebuild's temp tables
NEXT = "_next"  # suffix of the table the rebuild fills and swaps in, and of its indexes and constraints meanwhile
WORK_MEM = "192MB"  # per GROUP BY or sort of a fold or rebuild (PostgreSQL hashes up to twice that before spilling
# to disk): the township level of the rebuild, the largest, holds ~1 million keys, ~370 MB, at province scale
INDEX_MEM = "256MB"  # to sort the new table's index keys in memory at province scale


LOCK = 1_700_017  # the PostgreSQL advisory lock one fold or rebuild holds at a time (SQLite: one writer anyway)
KEEP_RUNS = timedelta(days=2)


class _Counter:
    """Counts the statements a run sends (connection.execute_wrapper)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _begin(kind: str):
    """Wait for the run before (advisory lock); switch off JIT compilation for this transaction: the statements are
    unions of dozens of small GROUP BYs, whose JIT compilation took longer than running them (50 of 57 s of the
    own figures at city scale); give its GROUP BYs and sorts the memory not to spill to disk (WORK_MEM)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
    return RefreshRun(kind=kind, started_at=timezone.now()), time.monotonic()


def _finish(run: RefreshRun, clock: float, counter: _Counter) -> RefreshRun:
    run.finished_at, run.seconds, run.statements = timezone.now(), time.monotonic() - clock, counter.count + 1
    run.save()
    return run


def refresh() -> RefreshRun:
    """The full rebuild (``_rebuild``), then the marks it emptied vacuumed."""
    run = _rebuild()
    _vacuum_marks()
    return run


def _vacuum_marks() -> None:
    """After a bulk load the rebuild deletes millions of marks at once (5.6 million at province scale): until
    autovacuum comes by, the 待汇总 count of every dashboard (``pending``) scans their dead rows (70 ms of the
    province dashboard's 79). VACUUM cannot run inside a transaction: within one (a caller's atomic block, a test)
    autovacuum is left to do it."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {DirtyMark._meta.db_table}")


@transaction.atomic
def _rebuild() -> RefreshRun:
    """The full rebuild (repair; nightly), in SQL: every organization's own figures by the fold's statement over the
    base tables (metrics.own_rows), then the subtree figures level by level from the deepest, each level's rows
    summed from its own figures and its children's subtree figures, so each figure is read once more rather than
    once per ancestor. On PostgreSQL the figures go into a new table swapped in at the end (readers keep the old
    figures until the commit and wait only for the swap; no dead rows are left behind), analyzed before the commit
    so the next fold plans well. One transaction; folds the pending marks too."""
    run, clock = _begin(RunKind.REBUILD)
    counter = _Counter()
    table = Figure._meta.db_table
    swap = connection.vendor == "postgresql"
    with connection.execute_wrapper(counter), connection.cursor() as cursor:
        if swap:
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_MEM}'")
        run.dirty_keys = DirtyMark.objects.values("organization_id").distinct().count()
        DirtyMark.objects.all().delete()  # every mark committed until now: the rebuild below sees their rows
        if swap:
            cursor.execute(f"CREATE TABLE {table}{NEXT} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY "
                           "INCLUDING CONSTRAINTS)")
        else:  # SQLite: one writer, and readers keep the old figures until the commit
            cursor.execute(f"DELETE FROM {table}")
        run.rows = _levels(cursor, table + NEXT if swap else table)
        if swap:
            _swap_in(cursor, table)
    return _finish(run, clock, counter)


def _levels(cursor, target: str) -> int:
    """Fill ``target`` with every figure row: own figures once (metrics.own_rows) into a table of one partition per
    depth (PostgreSQL; each level reads its own partition, not every organization's own figures again), then for
    each depth from the deepest, that depth's rows = its own figures + the subtree figures of the level below, summed
    by parent (the parent by path, as _subtrees has it). Returns the rows written. Figures are summed in whole cents
    (bigint): a sum of decimals keeps a large state per group (60 MB for the 76,000 township keys at city scale,
    spilled to disk at province scale)."""
    table = Organization._meta.db_table
    own, params = metrics.own_rows()
    cursor.execute(f"CREATE TEMP TABLE {TREE} AS SELECT o.id AS node, p.id AS parent, LENGTH(o.path) / {paths.STEP} AS depth "
                   f"FROM {table} o LEFT JOIN {table} p ON p.path = SUBSTR(o.path, 1, LENGTH(o.path) - {paths.STEP})")
    _analyze(cursor, TREE)
    cursor.execute(f"SELECT MAX(depth) FROM {TREE}")
    deepest = cursor.fetchone()[0] or 0
    partitioned = connection.vendor == "postgresql"
    cursor.execute(f"CREATE TEMP TABLE {OWN} (o bigint, k varchar(60), m date, v bigint, depth integer)"
                   + (" PARTITION BY LIST (depth)" if partitioned else ""))
    for depth in range(1, deepest + 1) if partitioned else ():
        cursor.execute(f"CREATE TEMP TABLE {OWN}{depth} PARTITION OF {OWN} FOR VALUES IN ({depth})")
    cursor.execute(f"INSERT INTO {OWN} SELECT own_rows.o, own_rows.k, own_rows.m, CAST(ROUND(own_rows.v * 100) AS BIGINT), tree.depth "
                   f"FROM ({own}) AS own_rows JOIN {TREE} tree ON tree.node = own_rows.o", params)
    _analyze(cursor, OWN)
    below, written = None, 0
    for depth in range(deepest, 0, -1):
        own_level = f"SELECT o, k, m, v AS own, v AS subtree FROM {OWN} WHERE depth = {depth}"
        if below is None:  # the deepest level has only own figures, one row per key already
            level = f"({own_level})"
        else:
            level = f"{LEVEL}{depth}"
            cursor.execute(f"CREATE TEMP TABLE {level} AS SELECT o, k, m, CAST(SUM(own) AS BIGINT) AS own, "
                           "CAST(SUM(subtree) AS BIGINT) AS subtree "
                           f"FROM ({own_level} UNION ALL SELECT tree.parent, l.k, l.m, 0, l.subtree FROM {below} l "
                           f"JOIN {TREE} tree ON tree.node = l.o WHERE tree.parent IS NOT NULL) AS level_rows GROUP BY o, k, m")
            _analyze(cursor, level)
            if below.startswith(LEVEL):
                cursor.execute(f"DROP TABLE {below}")
        cursor.execute(f"INSERT INTO {target} (organization_id, metric, month, own, subtree) "
                       f"SELECT o, k, m, own / 100.0, subtree / 100.0 FROM {level} AS l WHERE own <> 0 OR subtree <> 0")
        written += cursor.rowcount
        below = level
    for temporary in (TREE, OWN, *([below] if below and below.startswith(LEVEL) else [])):
        cursor.execute(f"DROP TABLE {temporary}")
    return written


def _analyze(cursor, table: str) -> None:
    """Temporary tables get no autovacuum: without their sizes PostgreSQL plans the joins on them blind."""
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {table}")


def _swap_in(cursor, table: str) -> None:
    """Give ``table``+NEXT the old table's indexes and constraints (built once over the loaded rows, under
    temporary names) and grants (row security policies, once there are any, belong here too), drop the old table
    and take its name, its indexes' and constraints' names and its identity sequence's name, then ANALYZE it. The
    old table is locked only from the DROP to the commit."""
    cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                   "AND contype IN ('p', 'u', 'f', 'x') ORDER BY contype DESC", [table])
    constraints = cursor.fetchall()
    cursor.execute("SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                   "WHERE x.indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid "
                   "AND c.conrelid = x.indrelid)", [table])
    indexes = cursor.fetchall()
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT privilege_type, grantee FROM information_schema.role_table_grants WHERE table_name = %s "
                   "AND grantee <> (SELECT tableowner FROM pg_tables WHERE tablename = %s)", [table, table])
    for privilege, grantee in cursor.fetchall():  # readers granted the old table (a reporting role, a replica's user)
        role = grantee if grantee == "PUBLIC" else connection.ops.quote_name(grantee)
        cursor.execute(f"GRANT {privilege} ON {table}{NEXT} TO {role}")
    for n, (_name, definition) in enumerate(constraints):  # temporary names: the real ones may be 63 characters long
        cursor.execute(f"ALTER TABLE {table}{NEXT} ADD CONSTRAINT {table}{NEXT}_c{n} {definition}")
    for n, (name, definition) in enumerate(indexes):
        head, _on, rest = definition.partition(f" {name} ON ")
        cursor.execute(f"{head} {table}{NEXT}_i{n} ON {rest.replace(table, table + NEXT, 1)}")
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # foreign keys checked at the commit (a fold in the same transaction)
    cursor.execute(f"DROP TABLE {table}")  # must be checked before the table goes; Django's keys are deferred again after
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    cursor.execute(f"ALTER TABLE {table}{NEXT} RENAME TO {table}")
    for n, (name, _definition) in enumerate(constraints):
        cursor.execute(f'ALTER TABLE {table} RENAME CONSTRAINT {table}{NEXT}_c{n} TO "{name}"')
    for n, (name, _definition) in enumerate(indexes):
        cursor.execute(f'ALTER INDEX {table}{NEXT}_i{n} RENAME TO "{name}"')
    if sequence:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        cursor.execute(f"ALTER SEQUENCE {cursor.fetchone()[0]} RENAME TO {sequence.rsplit('.', 1)[-1]}")
    _analyze(cursor, table)


def _own_changes(organization_ids) -> list[tuple]:
    """``(o, k, m, new, old)``: the own figures of these organizations, counted now (metrics.own_rows), that differ
    from the stored ones. Compared in SQL: a fold of many organizations changes few of their many figure rows."""
    own, params = metrics.own_rows(organization_ids=organization_ids)
    stored, stored_params = (Figure.objects.filter(organization_id__in=organization_ids).exclude(own=0)
                             .values_list("organization_id", "metric", "month", "own").query.sql_with_params())
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT o, k, m, SUM(new), SUM(old) FROM (SELECT o, k, m, v AS new, 0 AS old FROM ({own}) AS own_rows "
                       f"UNION ALL SELECT stored.organization_id, stored.metric, stored.month, 0, stored.own FROM ({stored}) AS stored) AS both_rows "
                       "GROUP BY o, k, m HAVING SUM(new) <> SUM(old)", [*params, *stored_params])
        rows = cursor.fetchall()
    month = DateField()
    return [(o, k, month.to_python(m), _figure(new), _figure(old)) for o, k, m, new, old in rows]


def _figure(value) -> Decimal:
    """A sum as the figure table keeps it (SQLite sums decimals as floats)."""
    return Decimal(value).quantize(CENT)


def _chains(organization_ids) -> dict[int, list[int]]:
    """Each organization's id and its ancestors' ids (organizations since deleted are left out)."""
    own_paths = dict(Organization.objects.filter(pk__in=organization_ids).values_list("id", "path"))
    wanted = {a for p in own_paths.values() for a in ancestor_paths(p)}
    ids = dict(Organization.objects.filter(path__in=wanted).values_list("path", "id"))
    return {pk: [ids[a] for a in ancestor_paths(p) if a in ids] + [pk] for pk, p in own_paths.items()}


def _write(own: dict, delta: dict, subtree: dict, whole: set) -> int:
    """Apply to the figure rows: ``own`` and ``subtree`` values to set, ``delta`` to add to subtree figures;
    the subtree figures of the organizations in ``whole`` not in ``subtree`` become 0. Returns rows written."""
    keys = own.keys() | delta.keys() | subtree.keys()
    organizations = {o for o, _k, _m in keys} | whole
    rows = Figure.objects.filter(organization_id__in=organizations)
    if not whole:
        rows = rows.filter(metric__in={k for _o, k, _m in keys})
    found = {(o, k, m): (pk, own_, subtree_) for pk, o, k, m, own_, subtree_ in rows.values_list(
        "pk", "organization_id", "metric", "month", "own", "subtree")}
    changed = set()
    for key in keys | {key for key in found if key[0] in whole}:
        pk, before_own, before_subtree = found.get(key, (None, Decimal(0), Decimal(0)))
        figure = Figure(pk=pk, organization_id=key[0], metric=key[1], month=key[2], own=own.get(key, before_own),
                        subtree=subtree.get(key, Decimal(0)) if key[0] in whole else before_subtree)
        figure.subtree += delta.get(key, 0)
        if pk is None or (figure.own, figure.subtree) != (before_own, before_subtree):
            found[key] = figure
            changed.add(key)
    gone = [found[k].pk for k in changed if found[k].pk and not found[k].own and not found[k].subtree]
    Figure.objects.filter(pk__in=gone).delete()
    Figure.objects.bulk_update([found[k] for k in changed if found[k].pk and found[k].pk not in gone],
                               ["own", "subtree"], batch_size=BATCH)
    Figure.objects.bulk_create([found[k] for k in changed if not found[k].pk and (found[k].own or found[k].subtree)],
                               batch_size=BATCH)
    return len(changed)


def _subtrees(organization_ids) -> tuple[dict, set]:
    """The subtree figures of the organizations and all their ancestors, summed again as the rebuild sums them, level
    by level from the deepest: each one's own figures plus its direct children's subtree figures (those just summed
    for children among them, the stored ones for the others, which the move did not change). Two queries, reading
    the own rows of these organizations and the subtree rows of their direct children: not their whole subtrees."""
    whole = {a for chain in _chains(organization_ids).values() for a in chain}
    if not whole:
        return {}, whole
    node_paths = dict(Organization.objects.filter(pk__in=whole).values_list("id", "path"))
    by_path = {p: pk for pk, p in node_paths.items()}
    below = Q(pk__in=[])
    for p in node_paths.values():
        below |= Q(path__startswith=p, path_length=len(p) + paths.STEP)
    children: dict = defaultdict(list)
    for pk, p in Organization.objects.alias(path_length=Length("path")).filter(below).values_list("id", "path"):
        children[by_path[paths.parent_path(p)]].append(pk)
    own, stored = defaultdict(dict), defaultdict(dict)
    rows = Figure.objects.filter(organization_id__in=whole | {c for cs in children.values() for c in cs})
    for o, k, m, own_, subtree_ in rows.values_list("organization_id", "metric", "month", "own", "subtree"):
        if o in whole and own_:
            own[o][k, m] = own_
        stored[o][k, m] = subtree_
    summed: dict = {}
    for pk in sorted(whole, key=lambda pk: -len(node_paths.get(pk, ""))):
        totals: dict = defaultdict(Decimal, own[pk])
        for child in children[pk]:
            for key, value in (summed[child] if child in whole else stored[child]).items():
                totals[key] += value
        summed[pk] = totals
    return {(o, k, m): v for o, totals in summed.items() for (k, m), v in totals.items() if v}, whole


@transaction.atomic
def fold() -> RefreshRun:
    """The incremental refresh: take the dirty marks, recompute those organizations' own figures in SQL, add
    each difference to the subtree figures of the organization and its ancestors; where an organization's
    descendants changed, sum its and its ancestors' subtree figures again. Work grows with the marks."""
    run, clock = _begin(RunKind.FOLD)
    counter = _Counter()
    with connection.execute_wrapper(counter):
        with connection.cursor() as cursor:  # marks committed after this statement stay for the next fold
            cursor.execute(f"DELETE FROM {DirtyMark._meta.db_table} RETURNING organization_id, subtree")
            marks = cursor.fetchall()
        dirty = {o for o, tree in marks if not tree}
        moved = {o for o, tree in marks if tree}
        run.dirty_keys = len(dirty | moved)
        own, delta = {}, defaultdict(Decimal)
        changes = _own_changes(dirty) if dirty else []
        chains = _chains({o for o, *_rest in changes})
        for o, k, m, new, old in changes:
            difference = new - old
            if difference and o in chains:
                own[o, k, m] = new
                for node in chains[o]:
                    delta[node, k, m] += difference
        run.rows = _write(own, delta, {}, set())
        if moved:
            run.rows += _write({}, {}, *_subtrees(moved))
        RefreshRun.objects.filter(kind=RunKind.FOLD, started_at__lt=run.started_at - KEEP_RUNS).delete()
    return _finish(run, clock, counter)


def scheduled_fold() -> int:
    """The periodic job (jobs.registry.SCHEDULE, every minute): how many dirty organizations it folded."""
    return fold().dirty_keys


def scheduled_refresh() -> int:
    """The nightly rebuild (jobs.registry.SCHEDULE): how many figures it wrote. It also brings the figures that
    change with the date alone (overdue pairings) up to the day."""
    return refresh().rows


def last_run() -> RefreshRun | None:
    return RefreshRun.objects.filter(finished_at__isnull=False).first()


def pending(organizations) -> dict[int, int]:
    """待汇总 per organization: how many organizations of its subtree have changes not folded in yet (one
    query: the marks are few, the fold empties them every minute)."""
    dirty = set(DirtyMark.objects.values_list("organization__path", flat=True).distinct())
    return {o.pk: sum(1 for p in dirty if p and p.startswith(o.path)) for o in organizations}


def _in(period_: Period) -> Q:
    return Q(month__isnull=True) | Q(month__gte=period_.first, month__lte=period_.last)


def _sum(rows) -> dict[str, Decimal]:
    totals: dict = defaultdict(Decimal)
    for metric, value in rows:
        totals[metric] += value
    return dict(totals)


def figures(organization_ids: list[int], period_: Period) -> dict[int, dict[str, Decimal]]:
    """Subtree figures of each organization over the period: one query for any number of organizations."""
    grouped: dict = defaultdict(list)
    rows = Figure.objects.filter(_in(period_), organization_id__in=organization_ids).values_list("organization_id", "metric", "subtree")
    for organization_id, metric, value in rows:
        grouped[organization_id].append((metric, value))
    return {pk: _sum(grouped.get(pk, ())) for pk in organization_ids}


def live(organization: Organization, period_: Period) -> dict[str, Decimal]:
    """The subtree's figures over the period counted now from the base tables (not the folded figures): what a
    report is filled with and checked against. One statement."""
    rows = metrics.totals(organization.path, (period_.first, period_.last))
    return {k: Decimal(v) for k, v in rows if v}


def viewable(actor: Actor, organization_id, field: str = "organization_id") -> Organization:
    organization = actor.get_visible(Organization.objects.all(), VIEW, organization_id, field)
    if last_run() is None:
        raise ServiceError(E.NOT_REFRESHED, None)
    return organization


def rollup(actor: Actor, *, organization_id, period_: Period) -> tuple[Organization, dict[str, Decimal]]:
    organization = viewable(actor, organization_id)
    return organization, figures([organization.pk], period_)[organization.pk]


def by_children(actor: Actor, *, organization_id, period_: Period) -> list[tuple[Organization, dict[str, Decimal]]]:
    """Drill-down: each direct child organization's subtree figures (they sum to the parent's own-excluded total)."""
    organization = viewable(actor, organization_id)
    children = list(Organization.objects.active().filter(parent=organization).order_by("path"))
    found = figures([c.pk for c in children], period_)
    return [(c, found[c.pk]) for c in children]


def by_division(actor: Actor, *, organization_id, period_: Period) -> list[tuple[str, list[Organization], dict[str, Decimal]]]:
    """Across systems: for each division one level below the organization's, the figures of the top
    organizations of every system in that division that the actor may see (the league and the women's
    federation of a county summed for that county); subtrees never overlap, so each record counts once."""
    organization = viewable(actor, organization_id)
    prefix = region_prefix(organization.division_code) if organization.division_code else ""
    if not prefix:
        raise ServiceError(E.NO_DIVISION, "organization_id")
    length = next((n for n in BOUNDARIES if n > len(prefix)), None)
    if length is None:
        return []
    candidates = actor.visible(Organization.objects.active().filter(division_code__startswith=prefix), VIEW)
    groups: dict[str, list[Organization]] = defaultdict(list)
    for node in candidates.order_by("path"):
        code = region_prefix(node.division_code)
        if len(code) < length:
            continue
        key = code[:length]
        if not any(node.path.startswith(top.path) for top in groups[key]):
            groups[key].append(node)
    found = figures([n.pk for tops in groups.values() for n in tops], period_)
    result = []
    for key in sorted(groups):
        totals: dict = defaultdict(Decimal)
        for node in groups[key]:
            for metric, value in found[node.pk].items():
                totals[metric] += value
        result.append((key, groups[key], dict(totals)))
    return result
