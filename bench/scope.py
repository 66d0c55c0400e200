"""Scope filtering benchmark (issue 4): is ``org_path LIKE 'prefix%'`` an index range scan at full size?

Builds once, seeded, in a dedicated PostgreSQL database: a province-shaped forest (1 province, 14 cities,
100 counties, 1,200 townships, the rest villages) and audit entries spread over villages and townships
(one county "went quiet": its rows are all from January). Then, for one village, township, county, the
quiet county, a city and the province, it measures
``Scope(prefixes={"permissions.view_audit": (path,)}).filter(AuditEntry.objects.all(), ...)``: the SQL,
EXPLAIN (ANALYZE, BUFFERS) of count(*) and of the first 50-row page (newest first, as the GraphQL
connection reads it), timings, and whether the page plan holds over fresh ANALYZE samples; and resolving
a real user's scope with a cold and a warm cache.
Prints the results and writes the "## Scope filtering (issue 4)" section of docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_scope .venv/bin/python -m bench.scope \
        [--orgs 55000] [--rows 1000000] [--seed 1] [--analyze-rounds 20] [--no-doc]
"""

import argparse
import os
import random
import re
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bench_scope"
PERMISSION = "permissions.view_audit"
SECTION = "## Scope filtering (issue 4)"
DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
RUNS = 30
ANALYZE_ROUNDS = 20  # re-ANALYZE this many times to see whether the page plan holds
WARMUP = 3
PAGE = 50
UPPER_LEVELS = (("city", 14), ("county", 100), ("township", 1200))
VILLAGE_SHARE = 0.85  # the rest of the rows belong to townships
LOADER = "bench:"  # actor_label prefix of the generated rows
DATA_VERSION = 2  # bump when the generator changes: the data is rebuilt
QUIET_DAYS = 31  # the last county's subtree only has rows from January 2025 (a county that went quiet)
USERNAME = "bench_county_auditor"
ACTIONS = (
    ("child.view_pii", "children.Child"),
    ("child.update", "children.Child"),
    ("wish.publish", "wishes.Wish"),
    ("program.confirm_hours", "programs.Enrollment"),
    ("report.submit", "rollups.Report"),
)


def log(message):
    print(f"[bench.scope] {message}", file=sys.stderr, flush=True)


# --- database and data -------------------------------------------------------------------------------


def ensure_database():
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("bench.scope needs PostgreSQL: set DATABASE_URL=postgres://...")
    params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "password": db["PASSWORD"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **{k: v for k, v in params.items() if v}) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone() is None:
            conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(db["NAME"])))
            log(f"created database {db['NAME']}")


def root_name(seed):
    return f"Bench province (seed {seed}, data v{DATA_VERSION})"


def build_forest(total, seed):
    from orgs.models import Kind, Level, Organization, System
    from orgs.paths import depth_of, encode_step

    villages = total - 1 - sum(n for _, n in UPPER_LEVELS)
    if villages < UPPER_LEVELS[-1][1]:
        raise SystemExit(f"--orgs must be at least {1 + sum(n for _, n in UPPER_LEVELS) + UPPER_LEVELS[-1][1]}")
    rng = random.Random(f"forest-{seed}")
    root = Organization.objects.create(
        name=root_name(seed), system=System.LEAGUE, kind=Kind.LEAGUE_COMMITTEE, level=Level.PROVINCE,
        path=encode_step(1), depth=1,
    )
    parents = [(root.pk, root.path)]
    levels = [(Level.CITY, "city", 14), (Level.COUNTY, "county", 100), (Level.TOWNSHIP, "township", 1200),
              (Level.VILLAGE, "village", villages)]
    for level, label, count in levels:
        # every parent gets at least one child, the rest are spread at random (seeded)
        owners = sorted(list(range(len(parents))) + [rng.randrange(len(parents)) for _ in range(count - len(parents))])
        steps = Counter()
        nodes = []
        for number, owner in enumerate(owners, 1):
            parent_id, parent_path = parents[owner]
            steps[owner] += 1
            path = parent_path + encode_step(steps[owner])
            kind = Kind.LEAGUE_BRANCH if level == Level.VILLAGE else Kind.LEAGUE_COMMITTEE
            nodes.append(Organization(name=f"{label} {number}", system=System.LEAGUE, kind=kind, level=level,
                                      parent_id=parent_id, path=path, depth=depth_of(path)))
        Organization.objects.bulk_create(nodes, batch_size=5000)
        parents = [(node.pk, node.path) for node in nodes]
        log(f"  {count:>6} {label} organizations")


def load_rows(rows, seed):
    """COPY ``rows`` audit entries, one every ~31 s over 2025 (ids and created_at grow together).

    Rows go to a random village (85 %) or township; the last county's subtree gets rows only in January.
    """
    from django.db import connection

    from orgs.models import Level, Organization
    from permissions.models import AuditEntry

    def nodes(level):
        return list(Organization.objects.filter(level=level).order_by("path").values_list("id", "path"))

    townships, villages = nodes(Level.TOWNSHIP), nodes(Level.VILLAGE)
    quiet = quiet_county().path
    quiet_from = rows * QUIET_DAYS // 365
    rng = random.Random(f"rows-{seed}")
    start = datetime(2025, 1, 1, tzinfo=UTC)
    step = timedelta(days=365) / rows
    columns = "actor_label, organization_id, org_path, action, target_type, target_id, changes, created_at"
    with connection.cursor() as cursor:
        with cursor.connection.cursor() as raw:
            with raw.copy(f"COPY {AuditEntry._meta.db_table} ({columns}) FROM STDIN") as copy:
                lines = []
                for i in range(rows):
                    while True:
                        org_id, path = rng.choice(villages if rng.random() < VILLAGE_SHARE else townships)
                        if i < quiet_from or not path.startswith(quiet):
                            break
                    action, target = rng.choice(ACTIONS)
                    created = (start + step * i).isoformat(sep=" ")
                    lines.append(f"{LOADER}user{rng.randrange(5000):04d}\t{org_id}\t{path}\t{action}\t{target}\t"
                                 f"{rng.randrange(1, 10**7)}\t{{}}\t{created}\n")
                    if len(lines) == 50_000:
                        copy.write("".join(lines))
                        lines.clear()
                copy.write("".join(lines))


def ensure_data(args):
    """Build the forest and the rows unless they are already there at the requested size; seconds taken."""
    from django.conf import settings
    from django.db import connection

    from orgs.models import Organization
    from permissions.models import AuditEntry
    from permissions.scope import bump_version

    forest_ok = (Organization.objects.count() == args.orgs
                 and Organization.objects.filter(depth=1, name=root_name(args.seed)).exists())
    rows_ok = forest_ok and AuditEntry.objects.filter(actor_label__startswith=LOADER).count() == args.rows
    if rows_ok:
        log(f"data already built: {args.orgs} organizations, {args.rows} audit entries (seed {args.seed})")
        return None
    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name and (Organization.objects.exists() or AuditEntry.objects.exists()):
        raise SystemExit(f"refusing to wipe database {name!r}: bench.scope only rebuilds databases named *bench*")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if forest_ok:
            cursor.execute(f"TRUNCATE {AuditEntry._meta.db_table} RESTART IDENTITY")
        else:
            cursor.execute(f"TRUNCATE {Organization._meta.db_table} RESTART IDENTITY CASCADE")
    if not forest_ok:
        log(f"building {args.orgs} organizations (seed {args.seed})")
        build_forest(args.orgs, args.seed)
        log(f"  forest built in {time.perf_counter() - started:.1f} s")
    log(f"loading {args.rows} audit entries with COPY")
    loading = time.perf_counter()
    load_rows(args.rows, args.seed)
    log(f"  rows loaded in {time.perf_counter() - loading:.1f} s")
    analyzing = time.perf_counter()
    with connection.cursor() as cursor:
        for model in (Organization, AuditEntry):
            cursor.execute(f"VACUUM (ANALYZE) {model._meta.db_table}")
    log(f"  VACUUM ANALYZE in {time.perf_counter() - analyzing:.1f} s")
    bump_version()
    return time.perf_counter() - started


def ensure_user(county):
    """A user holding AUDITOR at ``county`` (granted through the service, as in production)."""
    from django.contrib.auth import get_user_model

    from permissions.actor import Actor
    from permissions.catalog import Role
    from permissions.models import Membership
    from permissions.services import grant_role

    User = get_user_model()
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User(username=USERNAME)
        user.set_unusable_password()
        user.save()
    if not Membership.objects.filter(user=user, organization=county).exists():
        grant_role(Actor.system("bench"), organization_id=county.pk, role=Role.AUDITOR, username=USERNAME)
    return User.objects.get(pk=user.pk)


def quiet_county():
    from orgs.models import Level, Organization

    return Organization.objects.filter(level=Level.COUNTY).order_by("-path").first()


def pick_actors(seed):
    """A chain of real nodes (the province, its first city, that city's first county...) and the quiet county."""
    from orgs.models import Organization

    node = Organization.objects.get(depth=1, name=root_name(seed))
    chain = [("province", node)]
    for label in ("city", "county", "township", "village"):
        node = Organization.objects.filter(parent=node).order_by("path").first()
        chain.append((label, node))
    chain.insert(2, ("quiet county", quiet_county()))
    return chain[::-1]


# --- measuring -----------------------------------------------------------------------------------------


def timed(run, runs=RUNS):
    for _ in range(WARMUP):
        run()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - started)
    return stats(seconds)


def stats(seconds):
    ordered = sorted(seconds)
    middle = len(ordered) // 2
    median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    p95 = ordered[max(0, -(-len(ordered) * 95 // 100) - 1)]  # nearest rank
    return {"median": median * 1000, "p95": p95 * 1000}


def captured(run):
    """(the one SQL statement ``run`` sends, exactly as sent, and its result)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        result = run()
    assert len(queries) == 1, [q["sql"] for q in queries]
    return queries[0]["sql"], result


def explain(sql):
    from django.db import connection


    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


SCAN = re.compile(r"((?:Parallel )?(?:Seq Scan|Index Only Scan|Index Scan|Bitmap Index Scan|Bitmap Heap Scan)"
                  r"(?: Backward)?(?: using \S+)?(?: on \S+)?)")


def summarize(plan, needed, matched, total):
    """What a plan does with org_path: scan nodes, org_path as Index Cond or not, rows filtered, verdict."""
    scans = [m.group(1).removesuffix(" on permissions_auditentry") for line in plan for m in [SCAN.search(line)] if m]
    range_scan = any("Index Cond:" in line and "org_path" in line for line in plan)
    seq = any(s.startswith(("Seq Scan", "Parallel Seq Scan")) for s in scans)
    filtered, loops = 0, 1
    for line in plan:  # "Rows Removed by Filter" is per loop (per process in a parallel scan)
        if m := re.search(r"actual time=\S+ rows=\d+ loops=(\d+)", line):
            loops = int(m.group(1))
        if m := re.search(r"Rows Removed by Filter: (\d+)", line):
            filtered += int(m.group(1)) * loops
    execution = next((line.split(":", 1)[1].strip() for line in plan if line.startswith("Execution Time")), "")
    estimate = next((int(m.group(1)) for line in plan if SCAN.search(line) and "Parallel" not in line
                     for m in [re.search(r"rows=(\d+) width", line)] if m), None)
    # Reading more than 10x the rows it needs (and over 10,000) is a bad plan; so is a seq scan for a small scope.
    bad = filtered > max(10_000, 10 * needed) or (seq and matched < total / 2)
    if range_scan:
        verdict = "org_path range ✓"
    elif bad:
        verdict = f"**BAD: no org_path range, {filtered:,} rows filtered**"
    else:
        verdict = f"no org_path range, {filtered:,} rows filtered (fine here)"
    return {"scans": " → ".join(dict.fromkeys(scans)), "range": range_scan, "seq": seq, "bad": bad,
            "filtered": filtered, "execution": execution, "verdict": verdict, "estimate": estimate}


def page_plan_kind(plan):
    if any("Index Cond:" in line and "org_path" in line for line in plan):
        return "range"
    return "created_at walk" if any("created_at" in line and "Index Scan" in line for line in plan) else "other"


def forced_walk(sql):
    """EXPLAIN ANALYZE the page with explicit sorts disabled: what the ``created_at`` walk costs this scope."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


def plan_stability(results, rounds):
    """ANALYZE ``rounds`` times (each takes a new random sample) and count which page plan each actor gets."""
    from django.db import connection

    counts = {r["label"]: Counter() for r in results}
    with connection.cursor() as cursor:
        for _ in range(rounds):
            cursor.execute("ANALYZE permissions_auditentry")
            for r in results:
                cursor.execute("EXPLAIN " + r["sql"]["page"])
                counts[r["label"]][page_plan_kind([row[0] for row in cursor.fetchall()])] += 1
    return counts


def measure_actor(label, org, total):
    from permissions.models import AuditEntry
    from permissions.scope import Scope

    scope = Scope(prefixes={PERMISSION: (org.path,)})

    def queryset():
        return scope.filter(AuditEntry.objects.all(), PERMISSION)

    def page():
        return list(queryset().order_by("-created_at", "-id")[:PAGE])

    count_sql, matched = captured(lambda: queryset().count())
    page_sql, rows = captured(page)
    assert all(row.org_path.startswith(org.path) for row in rows)
    timings = {"count": timed(lambda: queryset().count()), "page": timed(page)}
    plans = {"count": explain(count_sql), "page": explain(page_sql)}
    plans["walk"] = forced_walk(page_sql)
    summary = {"count": summarize(plans["count"], matched, matched, total),
               "page": summarize(plans["page"], min(PAGE, matched), matched, total),
               "walk": summarize(plans["walk"], min(PAGE, matched), matched, total)}
    log(f"  {label:<12} {org.path:<20} {matched:>9} rows  count {timings['count']['median']:.2f} ms  "
        f"page {timings['page']['median']:.2f} ms")
    return {"label": label, "org": org, "matched": matched, "sql": {"count": count_sql, "page": page_sql},
            "plans": plans, "summary": summary, "timings": timings}


def measure_resolution(user, county):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from permissions import scope as scopes

    cache.clear()
    with CaptureQueriesContext(connection) as cold_queries:
        resolved = scopes.for_user(user)
    with CaptureQueriesContext(connection) as warm_queries:
        scopes.for_user(user)
    assert resolved.prefixes.get(PERMISSION) == (county.path,), resolved

    def cold():
        cache.clear()
        scopes.for_user(user)

    return {
        "cold": {**timed(cold), "queries": len(cold_queries), "sql": [q["sql"] for q in cold_queries]},
        "warm": {**timed(lambda: scopes.for_user(user)), "queries": len(warm_queries)},
    }


# --- reporting -----------------------------------------------------------------------------------------


def machine():
    from django.db import connection

    from bench import common

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_table_size('permissions_auditentry')), "
                       "pg_size_pretty(pg_indexes_size('permissions_auditentry'))")
        table, indexes = cursor.fetchone()
        cursor.execute("SELECT i.indexname, pg_size_pretty(pg_relation_size(quote_ident(i.indexname)::regclass)), "
                       "i.indexdef FROM pg_indexes i WHERE i.tablename = 'permissions_auditentry' ORDER BY 1")
        index_rows = cursor.fetchall()
    return {**common.machine(),
            "postgres": version, "shared_buffers": shared_buffers, "table": table, "indexes": indexes,
            "index_rows": index_rows}


def command(args):
    flags = f" --orgs {args.orgs} --rows {args.rows} --seed {args.seed}"
    return f"DATABASE_URL={os.environ['DATABASE_URL']} .venv/bin/python -m bench.scope{flags}"


def findings(results, stability, rounds):
    notes = []
    for kind, title in (("count", "count(*)"), ("page", f"{PAGE}-row page")):
        ranged = [r["label"] for r in results if r["summary"][kind]["range"]]
        if ranged:
            notes.append(f"- {title}: an index range scan on `org_path` (`Index Cond` on the `varchar_pattern_ops` "
                         f"`_like` index) for: {', '.join(ranged)}.")
        for r in results:
            s = r["summary"][kind]
            if s["range"]:
                continue
            what = (f"{title} for the {r['label']} actor ({r['matched']:,} rows) uses `{s['scans']}` with "
                    f"`org_path` only as a filter ({s['filtered']:,} rows removed, EXPLAIN {s['execution']})")
            if s["bad"]:
                notes.append(f"- **{what}: a bad plan.** It walks the `created_at` index newest first and throws "
                             f"rows away until {PAGE} match.")
            elif kind == "count":
                notes.append(f"- {what}: fine, the prefix covers (nearly) the whole table.")
            else:
                notes.append(f"- {what}: fine here, the scope holds enough of the recent rows.")
    flips = [label for label, c in stability.items() if c["range"] and c["created_at walk"]]
    if flips:
        notes.append(f"- **The page plan is not stable**: after each of {rounds} fresh ANALYZE samples, "
                     + "; ".join(f"{label} got the `org_path` range {stability[label]['range']}× and the "
                                 f"`created_at` walk {stability[label]['created_at walk']}×" for label in flips)
                     + ". The planner's row estimate for a `LIKE 'prefix%'` narrower than one histogram bucket "
                     "(1 % of the rows at the default statistics target) is poor ("
                     + ", ".join(f"{r['label']}: {r['summary']['count']['estimate']:,} estimated, "
                                 f"{r['matched']:,} actual" for r in results
                                 if r["label"] in flips and r["summary"]["count"]["estimate"])
                     + "), so the choice between the two plans is decided by the sample.")
    quiet = next(r["summary"] for r in results if r["label"] == "quiet county")
    if flips or any(r["summary"]["page"]["bad"] for r in results):
        notes.append(
            "- Why it matters: the `created_at` walk reads about 50 / (the scope's share of the recent rows). It "
            "is cheap for a busy large scope and reads most of the table for a small scope or one whose rows are "
            "old (see the last column of the plans table; the quiet county on the walk: "
            f"{quiet['walk']['execution']}, {quiet['walk']['filtered']:,} rows filtered). It grows with the table.\n"
            "- Suggested fix (not applied; models and migrations untouched). Tried by hand on this data set, "
            "not by this script: a composite index `(org_path varchar_pattern_ops, created_at)` alone did not "
            "change the planner's choice, since the page still needs every row of the range from the heap before "
            "its top-N sort. A covering index `(org_path varchar_pattern_ops, created_at, id)` with the page read "
            "as `id IN (SELECT id … WHERE org_path LIKE 'p%' ORDER BY created_at DESC, id DESC LIMIT 50)` kept "
            "the village to county scopes on an index-only range plus top-N sort in every ANALYZE sample, and "
            "the city and province on the walk. The other way is to choose from the count the connection already "
            "computes: below a threshold, sort the `org_path` range (for example a MATERIALIZED CTE); above it, "
            "walk `created_at`. Re-run this benchmark after either change.")
    for r in results:
        if r["timings"]["count"]["median"] > 50:
            notes.append(f"- count(*) for the {r['label']} actor reads {r['matched']:,} index entries "
                         f"({r['timings']['count']['median']:.0f} ms median): `totalCount` on every page costs "
                         f"that much for large scopes.")
    return notes


def render(args, results, resolution, stability, built_seconds, info):
    def ms(value):
        return f"{value:.2f}"

    villages = args.orgs - 1 - sum(n for _, n in UPPER_LEVELS)
    generated = (f"built in {built_seconds:.0f} s (forest with bulk_create, rows with COPY, then VACUUM ANALYZE)"
                 if built_seconds is not None else "reused from an earlier run (built only when missing)")
    out = [
        SECTION, "",
        f"Measured {datetime.now().astimezone():%Y-%m-%d %H:%M %Z} on {info['nproc']} cores ({info['cpu']}), "
        f"{info['memory']} RAM, PostgreSQL {info['postgres']} (shared_buffers {info['shared_buffers']}).",
        f"Data: {args.orgs:,} organizations (1 province, 14 cities, 100 counties, 1,200 townships, {villages:,} "
        f"villages) and {args.rows:,} `AuditEntry` rows ({VILLAGE_SHARE:.0%} on villages, the rest on townships, "
        f"one every ~{365 * 86400 / args.rows:.0f} s of 2025; the last county's subtree, the \"quiet county\", "
        f"only has rows from the first {QUIET_DAYS} days), seed {args.seed}; table {info['table']}, "
        f"indexes {info['indexes']}. Data {generated}.",
        "",
        f"Query: `Scope(prefixes={{\"{PERMISSION}\": (node.path,)}}).filter(AuditEntry.objects.all(), "
        f"\"{PERMISSION}\")` for a chain of real nodes; `count()` and the first page "
        f"`.order_by(\"-created_at\", \"-id\")[:{PAGE}]` (as the GraphQL connection reads it, model instances built). "
        f"Times are wall-clock from Python over {RUNS} runs after {WARMUP} warm-up runs (warm cache).",
        "",
        "Reproduce:", "", "```sh", "make bench-scope", command(args), "```", "",
        "| actor | path prefix | matched rows | planner estimate | count median ms | count p95 ms "
        f"| page ({PAGE}) median ms | page p95 ms |",
        "|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        t, estimate = r["timings"], r["summary"]["count"]["estimate"]
        out.append(f"| {r['label']} | `{r['org'].path}` | {r['matched']:,} | "
                   f"{'(parallel)' if estimate is None else f'{estimate:,}'} | {ms(t['count']['median'])} | "
                   f"{ms(t['count']['p95'])} | {ms(t['page']['median'])} | {ms(t['page']['p95'])} |")
    out += ["", f"Plans (full EXPLAIN output below; the last two columns: which page plan the planner picks after "
            f"each of {args.analyze_rounds} fresh ANALYZE samples, and what the page costs when forced onto the "
            f"`created_at` walk with `SET LOCAL enable_sort = off`):", "",
            "| actor | count plan | page plan | page plan over ANALYZE samples | page on the created_at walk |",
            "|---|---|---|---|---|"]
    for r in results:
        s = r["summary"]
        out.append(f"| {r['label']} | {s['count']['verdict']}: {s['count']['scans']} | {s['page']['verdict']}: "
                   f"{s['page']['scans']} | "
                   + ", ".join(f"{kind} {n}" for kind, n in stability[r["label"]].most_common())
                   + f" | {s['walk']['execution']}, {s['walk']['filtered']:,} rows filtered |")
    cold, warm = resolution["cold"], resolution["warm"]
    county = next(r for r in results if r["label"] == "county")
    out += [
        "", "### Resolving a user's scope (`permissions.scope.for_user`)", "",
        f"User `{USERNAME}` holds AUDITOR at the county above (granted with `permissions.services.grant_role` by "
        f"`Actor.system(\"bench\")`); the scope resolves to one prefix per permission.", "",
        "| cache | queries | median ms | p95 ms |", "|---|--:|--:|--:|",
        f"| cold (cache cleared) | {cold['queries']} | {ms(cold['median'])} | {ms(cold['p95'])} |",
        f"| warm | {warm['queries']} | {ms(warm['median'])} | {ms(warm['p95'])} |",
        "", "Cold queries:", "", "```sql", *cold["sql"], "```",
        "", "### SQL sent (county actor)", "", "```sql",
        county["sql"]["count"] + ";", county["sql"]["page"] + ";", "```",
        "", "### Indexes on `permissions_auditentry`", "", "| index | size | definition |", "|---|--:|---|",
        *[f"| {name} | {size} | `{definition}` |" for name, size, definition in info["index_rows"]],
        "", "### EXPLAIN (ANALYZE, BUFFERS)", "",
    ]
    for r in results:
        for kind in ("count", "page"):
            out += [f"{r['label']} ({r['matched']:,} rows), {kind}:", "", "```", *r["plans"][kind], "```", ""]
    out += ["### Findings", "", *findings(results, stability, args.analyze_rounds), ""]
    return "\n".join(out)


def header(args, info):
    return "\n".join([
        "# Benchmarks", "",
        f"Machine: {info['nproc']} cores (`nproc`), {info['memory']} RAM, PostgreSQL {info['postgres']}, "
        "other work may run on the same machine: treat figures as rough and relative.",
        f"Data: {args.orgs:,} organizations and {args.rows:,} scoped rows, built by the script itself.",
        f"Reproduce: `make bench-scope` or `{command(args)}`.",
        "Each section is rewritten by its script; edit the scripts, not the figures.", "", "",
    ])


def write_doc(section, args, info):
    text = DOC.read_text() if DOC.exists() else header(args, info)
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.scope", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=55_000, help="organizations in the forest (default 55000)")
    parser.add_argument("--rows", type=int, default=1_000_000, help="scoped AuditEntry rows (default 1000000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--analyze-rounds", type=int, default=ANALYZE_ROUNDS,
                        help=f"re-ANALYZE this many times to check the page plan (default {ANALYZE_ROUNDS}, 0 = skip)")
    parser.add_argument("--no-doc", action="store_true", help="print only, leave docs/benchmarks.md alone")
    args = parser.parse_args(argv)

    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = DEFAULT_DATABASE_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DEBUG", "1")  # development secrets from var/, as make run; the query log stays off
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from permissions.models import AuditEntry

    settings.DEBUG = False  # no query log while timing (CaptureQueriesContext still works)
    ensure_database()
    call_command("migrate", verbosity=0)
    built_seconds = ensure_data(args)
    actors = pick_actors(args.seed)
    county = dict(actors)["county"]
    user = ensure_user(county)
    log("measuring")
    total = AuditEntry.objects.count()
    results = [measure_actor(label, org, total) for label, org in actors]
    resolution = measure_resolution(user, county)
    log(f"checking the page plans over {args.analyze_rounds} fresh ANALYZE samples")
    stability = plan_stability(results, args.analyze_rounds)
    info = machine()
    section = render(args, results, resolution, stability, built_seconds, info)
    print(section)
    if not args.no_doc:
        write_doc(section, args, info)
        log(f"wrote {DOC.relative_to(DOC.parent.parent)}")


if __name__ == "__main__":
    main()
