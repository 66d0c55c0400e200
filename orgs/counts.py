"""Rows counted by organization path (issue 15): a page's totalCount over a scope without reading its rows.

A list's count over a scope (prefixes of the rows' ``org_path`` and nothing else) read every row of the scope from
the path's index: the county's 7,464 children took 0.78 ms of the page's ~1.2 ms in PostgreSQL, and a province's
million a hundred times as many. For the tables whose model says ``path_counted`` (orgs.models.TenantOwned),
PostgreSQL keeps in PathCount how many rows carry each path, and such a count sums the paths in the scope's
ranges instead (``count_where``, ``count_frame``; the county's 7,464 children: 262 paths).

Statement triggers with transition tables write, for each path a statement changed, the rows it added or (negative)
removed, in the statement's own transaction: a reader's snapshot sums exactly the rows it would have counted, and a
page reads its count in the same snapshot as its rows (graphql_api/shells.py). Deltas rather than one row per path
updated in place: a long import would hold that row's lock until it commits, stalling every other write under the
same path. ``compact`` (a periodic job) folds each path's deltas into one row.

Installed after every ``migrate`` (post_migrate, orgs.apps), the counts filled from the table on first install,
under a lock that holds writes back meanwhile. PostgreSQL only: on SQLite no trigger keeps counts and a count reads
the rows, as before.
"""

from __future__ import annotations

from django.apps import apps
from django.db import connections, transaction
from django.db.models.expressions import Col
from django.db.models.lookups import StartsWith
from django.db.models.sql.where import WhereNode

from core.sql import rewritten
from orgs.models import PathCount

TABLE = PathCount._meta.db_table
PREFIX = "orgs_pathcount"
WHERE = "<<counts where>>"  # where a count's condition goes in its frame (``count_frame``)
_SUMS = {  # what a statement did to each path, from its transition tables
    "insert": "SELECT org_path, count(*) FROM new_rows GROUP BY org_path",
    "delete": "SELECT org_path, -count(*) FROM old_rows GROUP BY org_path",
    "update": "SELECT org_path, sum(d) FROM (SELECT org_path, -1 AS d FROM old_rows UNION ALL "
              "SELECT org_path, 1 FROM new_rows) AS moved GROUP BY org_path HAVING sum(d) <> 0",
}
_TRANSITIONS = {"insert": "NEW TABLE AS new_rows", "delete": "OLD TABLE AS old_rows",
                "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}


def counted_tables() -> list[str]:
    return sorted(model._meta.db_table for model in apps.get_models() if getattr(model, "path_counted", False))


def _functions() -> list[str]:
    """One function per event, shared by the tables (PL/pgSQL compiles a copy per table it is attached to)."""
    made = [f"""CREATE OR REPLACE FUNCTION {PREFIX}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO {TABLE} ("table", org_path, "rows")
  SELECT TG_TABLE_NAME, changed.org_path, changed.n FROM ({sums}) AS changed (org_path, n)
  WHERE changed.org_path IS NOT NULL;
  RETURN NULL;
END $$""" for event, sums in _SUMS.items()]
    return made + [f"""CREATE OR REPLACE FUNCTION {PREFIX}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM {TABLE} WHERE "table" = TG_TABLE_NAME;
  RETURN NULL;
END $$"""]


def _triggers(table: str) -> list[str]:
    made = [f"CREATE TRIGGER {PREFIX}_{event} AFTER {event.upper()} ON {table} REFERENCING {transitions} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}_{event}()" for event, transitions in _TRANSITIONS.items()]
    return made + [f"CREATE TRIGGER {PREFIX}_truncate AFTER TRUNCATE ON {table} FOR EACH STATEMENT "
                   f"EXECUTE FUNCTION {PREFIX}_truncate()"]


def install(connection) -> int:
    """(Re)create the functions; on a table without its triggers yet, count its rows and create them, the table
    locked against writes meanwhile (one transaction). Returns how many tables are counted."""
    if connection.vendor != "postgresql":
        return 0
    tables = counted_tables()
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in _functions():
            cursor.execute(statement)
        for table in tables:
            cursor.execute("SELECT 1 FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname = %s",
                           [table, f"{PREFIX}_insert"])
            if cursor.fetchone():
                continue
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(f'DELETE FROM {TABLE} WHERE "table" = %s', [table])
            cursor.execute(f'INSERT INTO {TABLE} ("table", org_path, "rows") SELECT %s, org_path, count(*) '
                           f"FROM {table} WHERE org_path IS NOT NULL GROUP BY org_path", [table])
            for statement in _triggers(table):
                cursor.execute(statement)
    return len(tables)


def compact(using: str = "default") -> int | None:
    """Each path's deltas folded into one row (a path whose rows are all gone: none), in one statement: a reader
    sums the same before and after. Returns how many rows remain (None off PostgreSQL)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(f'WITH gone AS (DELETE FROM {TABLE} RETURNING "table", org_path, "rows") '
                       f'INSERT INTO {TABLE} ("table", org_path, "rows") SELECT "table", org_path, sum("rows") '
                       f'FROM gone GROUP BY "table", org_path HAVING sum("rows") <> 0')
        return cursor.rowcount


def count_where(model, where: WhereNode) -> WhereNode | None:
    """``where`` over PathCount's path, if it is a condition on the model's own ``org_path`` alone (prefixes,
    combined in any way: the rows of a path all meet it or none do) and the model's table is counted; else None."""
    if not getattr(model, "path_counted", False) or not where.children:
        return None
    path = model._meta.get_field("org_path")
    counted_path = Col(TABLE, PathCount._meta.get_field("org_path"))

    def over_counts(node):
        if (type(node) is StartsWith and isinstance(node.rhs, str) and isinstance(node.lhs, Col)
                and node.lhs.target is path):
            return StartsWith(counted_path, node.rhs)
        return None

    return rewritten(where, over_counts)


def count_frame(model) -> str:
    """The count's SQL around a mark where its condition goes (``<<counts where>>``)."""
    return (f'(SELECT COALESCE(SUM("rows"), 0)::bigint FROM {TABLE} WHERE "table" = \'{model._meta.db_table}\' '
            f"AND {WHERE})")

