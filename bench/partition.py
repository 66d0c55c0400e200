"""Partitioning by province (issue 21 item 5), built and checked on a generated database.

    python -m bench.partition --scale county [--runs 7] [--no-doc]      (BENCH_DATABASE_URL: a bench_prov_* database)

Leaves the source tables untouched: in a schema ``partitioned`` (dropped first) it builds a copy of each big table
in TABLES, declaratively partitioned by LIST on a column ``province`` = the first step of ``org_path`` (the root,
the province-level body of a tree; PostgreSQL refuses a generated column as a partition key, so it is a plain
column with a CHECK), one partition per root path present plus a DEFAULT partition; copies the rows
(INSERT ... SELECT), re-creates on the parent the source's indexes that start with org_path (the page indexes
and the scope filter's), VACUUM ANALYZE. Then it checks and prints, per
table: row counts equal the source; a county-scoped page (``org_path LIKE 'prefix%'`` in the page index's order,
LIMIT 51) and its count scan ONE partition (EXPLAIN) when the query also carries ``province = left(prefix, 4)``;
the page's ids equal the source's; p50 timings of both; rows and sizes per partition.
Results: var/bench/partition-<scale>.json; unless --no-doc, a section of docs/scaling.md.
"""

import argparse
import json
import re
import statistics
import time

from bench import common
from orgs.paths import STEP

SCHEMA = "partitioned"
TABLES = ("children_child", "wishes_wish")
PAGE_SIZE = 51  # the API's page (50) plus one, to know whether there is a next page
DOC = common.ROOT / "docs" / "scaling.md"
SECTION = "### Partitioning, measured at {scale} scale"


def partition_name(table, root):
    return f"{table}_p{root.lower()}" if root else f"{table}_default"


def create_statements(table, roots):
    """The partitioned copy of ``table``: parent, one partition per root path, DEFAULT; the primary key must
    hold the partition key, so it becomes (id, province)."""
    statements = [
        f"CREATE TABLE {SCHEMA}.{table} (LIKE public.{table}, province varchar({STEP}) NOT NULL,"
        f" CHECK (province = left(org_path, {STEP})), PRIMARY KEY (id, province)) PARTITION BY LIST (province)"]
    for root in sorted(roots):
        statements.append(f"CREATE TABLE {SCHEMA}.{partition_name(table, root)} PARTITION OF {SCHEMA}.{table}"
                          f" FOR VALUES IN ('{root}')")
    statements.append(f"CREATE TABLE {SCHEMA}.{partition_name(table, None)} PARTITION OF {SCHEMA}.{table} DEFAULT")
    statements.append(f"INSERT INTO {SCHEMA}.{table} SELECT s.*, left(s.org_path, {STEP}) FROM public.{table} s")
    return statements


def moved_index(indexdef):
    """A source index's definition (pg_indexes.indexdef) re-targeted at the partitioned parent (same name, in
    its own schema; PostgreSQL then builds one index per partition), covering the key: the pruning condition
    ``province = ...`` is checked again on each row, and without the column in the index a count visits the heap."""
    moved = re.sub(r" ON public\.(\w+) ", rf" ON {SCHEMA}.\1 ", indexdef, count=1)
    body, where, condition = moved.partition(" WHERE ")  # a partial index: INCLUDE comes before its WHERE
    body = body[:-1] + ", province)" if body.endswith(")") and " INCLUDE (" in body else body + " INCLUDE (province)"
    return body + where + condition


def on_org_path(indexdef):
    """The indexes the scope filter and the pages use: those that start with org_path (the page indexes, and
    Django's ``org_path`` and ``varchar_pattern_ops`` indexes)."""
    return re.search(r"USING btree \(org_path\b", indexdef) is not None


def page_order(indexdef):
    """The ORDER BY a page index serves: its key's column list (not what it includes, nor a partial index's WHERE)."""
    return re.search(r"USING \w+ \(([^()]*)\)", indexdef).group(1)


def page_queries(relation, order, prefix, province=None):
    """The page and the count of a scope prefix, as the API sends them; ``province`` adds the key condition
    that lets PostgreSQL prune (Scope.filter would add it)."""
    where = f"org_path::text LIKE '{prefix}%'"
    if province:
        where = f"province = '{province}' AND {where}"
    return (f"SELECT id FROM {relation} WHERE {where} ORDER BY {order} LIMIT {PAGE_SIZE}",
            f"SELECT count(*) FROM {relation} WHERE {where}")


def scanned(plan):
    """Relation names scanned by an EXPLAIN (FORMAT JSON) plan."""
    names = {plan["Relation Name"]} if "Relation Name" in plan else set()
    for child in plan.get("Plans", ()):
        names |= scanned(child)
    return names


def build(cur, table):
    cur.execute(f"SELECT DISTINCT left(org_path, {STEP}) FROM public.{table}")
    roots = [row[0] for row in cur.fetchall()]
    started = time.perf_counter()
    for statement in create_statements(table, roots):
        cur.execute(statement)
    cur.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s ORDER BY indexname",
                (table,))
    indexes = [d for (d,) in cur.fetchall() if on_org_path(d)]
    for indexdef in indexes:
        cur.execute(moved_index(indexdef))
    cur.execute(f"VACUUM (ANALYZE) {SCHEMA}.{table}")  # as autovacuum would: the visibility map for index-only scans
    return roots, indexes, time.perf_counter() - started


def timed(cur, statement, runs):
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        cur.execute(statement)
        rows = cur.fetchall()
        seconds.append(time.perf_counter() - started)
    return rows, round(statistics.median(seconds) * 1000, 2)


def check(cur, table, indexes, prefix, runs):
    # the page order the API asks for: the name page where there is one, else the created_at page
    pages = [d for d in indexes if "_page_" in d and " WHERE " not in d]  # a partial index serves a subset
    order = page_order(sorted(pages, key=lambda d: "_page_name_" not in d)[0])
    province = prefix[:STEP]
    source_page, source_count = page_queries(f"public.{table}", order, prefix)
    part_page, part_count = page_queries(f"{SCHEMA}.{table}", order, prefix, province)
    plans = {}
    for name, statement in (("page", part_page), ("count", part_count),
                            ("page_without_key", page_queries(f"{SCHEMA}.{table}", order, prefix)[0])):
        cur.execute(f"EXPLAIN (FORMAT JSON) {statement}")
        plans[name] = sorted(scanned(cur.fetchone()[0][0]["Plan"]))
    ids, source_page_ms = timed(cur, source_page, runs)
    part_ids, part_page_ms = timed(cur, part_page, runs)
    count, source_count_ms = timed(cur, source_count, runs)
    part_count, part_count_ms = timed(cur, part_count, runs)
    cur.execute(f"SELECT count(*) FROM public.{table}")
    source_rows = cur.fetchone()[0]
    cur.execute(f"SELECT count(*) FROM {SCHEMA}.{table}")
    rows = cur.fetchone()[0]
    cur.execute("SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid) FROM pg_inherits i"
                " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass ORDER BY c.relname",
                (f"{SCHEMA}.{table}",))
    partitions = [{"name": name, "rows": int(max(tuples, 0)), "mb": round(size / 2**20, 1)}
                  for name, tuples, size in cur.fetchall()]
    cur.execute("SELECT pg_total_relation_size(%s::regclass)", (f"public.{table}",))
    return {
        "rows": {"source": source_rows, "partitioned": rows},
        "source_mb": round(cur.fetchone()[0] / 2**20, 1),
        "order": order, "prefix": prefix,
        "scanned": plans,
        "pruned_to": plans["page"] if plans["page"] == plans["count"] else None,
        "page_ids_equal": [r[0] for r in ids] == [r[0] for r in part_ids] and len(ids) > 0,
        "page_rows": len(ids),
        "count": {"source": count[0][0], "partitioned": part_count[0][0]},
        "ms_p50": {"source_page": source_page_ms, "partitioned_page": part_page_ms,
                   "source_count": source_count_ms, "partitioned_count": part_count_ms},
        "partitions": partitions,
    }


def measure(scale, runs):
    import psycopg

    url = common.database_url(scale)
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        cur.execute(f"CREATE SCHEMA {SCHEMA}")
        # a county: the first organization two steps below a root
        cur.execute("SELECT path FROM orgs_organization WHERE length(path) = %s ORDER BY path LIMIT 1", (3 * STEP,))
        prefix = cur.fetchone()[0]
        results = {"scale": scale, "database": url.rsplit("/", 1)[-1], "machine": common.machine(), "runs": runs,
                   "tables": {}}
        for table in TABLES:
            common.log("partition", f"{table}: building")
            roots, indexes, seconds = build(cur, table)
            result = check(cur, table, indexes, prefix, runs)
            result.update(roots=roots, indexes=[moved_index(d) for d in indexes], build_seconds=round(seconds, 1),
                          load=common.load())
            results["tables"][table] = result
    return results


def render(results):
    lines = [SECTION.format(scale=results["scale"]), "",
             f"`python -m bench.partition --scale {results['scale']}` on {results['database']} "
             f"({results['machine']['nproc']} cores, {results['machine']['memory']}), a copy in schema `{SCHEMA}`; "
             f"page = `org_path LIKE 'prefix%'` of a county, `ORDER BY` the page index, LIMIT {PAGE_SIZE}; "
             f"p50 of {results['runs']} runs.", "",
             "| table | rows (source = partitioned) | partitions scanned, with `province =` | without it "
             "| same page ids | page ms source / partitioned | count ms source / partitioned | build s | load |",
             "|---|---|---|---|---|---|---|---|---|"]
    for table, r in results["tables"].items():
        ms = r["ms_p50"]
        lines.append(
            f"| {table} | {r['rows']['source']:,} = {r['rows']['partitioned']:,} | {', '.join(r['scanned']['page'])} "
            f"| {len(r['scanned']['page_without_key'])} | {'yes' if r['page_ids_equal'] else 'NO'} "
            f"| {ms['source_page']} / {ms['partitioned_page']} | {ms['source_count']} / {ms['partitioned_count']} "
            f"| {r['build_seconds']} | {r['load']} |")
    lines += ["", "Partitions (rows, total size with indexes):", ""]
    for table, r in results["tables"].items():
        parts = "; ".join(f"{p['name']} {p['rows']:,} rows {p['mb']} MB" for p in r["partitions"])
        lines.append(f"- {table} (source {r['source_mb']} MB): {parts}")
    return "\n".join(lines) + "\n"


def verdicts(results):
    return {table: r["rows"]["source"] == r["rows"]["partitioned"] and r["page_ids_equal"]
            and r["count"]["source"] == r["count"]["partitioned"] and r["pruned_to"] is not None
            and len(r["pruned_to"]) == 1 for table, r in results["tables"].items()}


def write_doc(scale, text):
    """Replace (or append at the end of docs/scaling.md) this scale's measured section."""
    title = SECTION.format(scale=scale)
    doc = DOC.read_text()
    pattern = re.compile(rf"^{re.escape(title)}\n.*?(?=^##|\Z)", re.S | re.M)
    if pattern.search(doc):
        doc = pattern.sub(lambda _: text + "\n", doc, count=1)
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    DOC.write_text(doc.rstrip("\n") + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="county", choices=sorted(common.SCALES))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-doc", action="store_true", help="only print (do not write docs/scaling.md)")
    args = parser.parse_args(argv)
    results = measure(args.scale, args.runs)
    results["verdicts"] = verdicts(results)
    path = common.ROOT / "var" / "bench" / f"partition-{args.scale}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1))
    text = render(results)
    print(text)
    print("verdicts:", results["verdicts"])
    if not args.no_doc:
        write_doc(args.scale, text)


if __name__ == "__main__":
    main()
