"""Rollups freshness on the generated data (issue 17), PostgreSQL: the full rebuild (seconds, CPU seconds of the PostgreSQL
backend, whatever the load, peak memory of this
process, PostgreSQL's temporary files), incremental folds of growing numbers of dirty organizations (dirty keys,
seconds, statements: the cost must follow the keys), the time for one change to reach the province dashboard,
and an import of 10,000 children folded in. Every change it makes is deleted again (and folded) at the end, and
the root's folded figures are checked against a fresh rebuild.

    python -m bench.freshness --scale province            # BENCH_DATABASE_URL=…/bench_prov_province_rollups
    python -m bench.freshness --scale county --no-doc --check   # the CI smoke (tests/bench, BENCH_SMOKE=1)

Run it on a copy of a generated database (``createdb -T bench_prov_province bench_prov_province_rollups``): it
migrates it (the dirty-mark triggers come with the migration) and writes rows.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import time
import uuid
from datetime import date
from pathlib import Path

from bench import common

SIZES = (1, 10, 100, 1000)
IMPORTED = 10_000
TARGETS = {"change_seconds": 60, "import_fold_seconds": 60, "rebuild_seconds": 120, "rebuild_mb": 500}


def log(message):
    common.log("freshness", message)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _temp_bytes() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def _backend_cpu() -> float | None:
    """CPU seconds this connection's PostgreSQL backend has used: the rebuild's work whatever the load (None when the
    server runs on another machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def rebuild() -> dict:
    from rollups import services

    temp, load, cpu = _temp_bytes(), common.load(), _backend_cpu()
    started, own_cpu = time.perf_counter(), time.process_time()
    run = services.refresh()
    seconds, after = time.perf_counter() - started, _backend_cpu()
    return {"seconds": seconds, "rows": run.rows, "statements": run.statements, "peak_mb": _peak_mb(),
            "pg_temp_mb": (_temp_bytes() - temp) / 2**20, "load": load, "load_after": common.load(),
            "pg_cpu_seconds": None if cpu is None or after is None else after - cpu,
            "python_cpu_seconds": time.process_time() - own_cpu}


def _activities(organizations, marker: str) -> None:
    from programs.models import Activity

    Activity.objects.bulk_create([Activity(organization=o, org_path=o.path, title=marker, kind="LECTURE",
                                           held_on=date.today(), recorded_by="bench") for o in organizations])


def folds(organizations, rng) -> list[dict]:
    """For each size: one activity at that many organizations, committed, then one fold."""
    from rollups import services

    out = []
    for size in SIZES:
        _activities(rng.sample(organizations, min(size, len(organizations))), "bench-freshness")
        load = common.load()
        run = services.fold()
        out.append({"changed": size, "dirty_keys": run.dirty_keys, "seconds": run.seconds, "statements": run.statements,
                    "rows": run.rows, "load": load})
        log(f"fold of {run.dirty_keys} dirty keys: {run.seconds:.2f} s, {run.statements} statements, {run.rows} rows")
    return out


def one_change(root, village) -> dict:
    """Commit one activity at a village, fold, and read the province's figure as the dashboard does."""
    from rollups import services

    period = services.period("YEAR", year=date.today().year)
    before = services.figures([root.pk], period)[root.pk].get("activities.held", 0)
    committed = time.perf_counter()
    _activities([village], "bench-freshness")
    run = services.fold()
    after = services.figures([root.pk], period)[root.pk].get("activities.held", 0)
    seconds = time.perf_counter() - committed
    assert after == before + 1, (before, after)
    return {"fold_and_read_seconds": seconds, "fold_seconds": run.seconds, "slot_seconds": _slot(),
            "worst_case_seconds": _slot() + seconds, "statements": run.statements}


def _slot() -> float:
    """The longest a committed change waits for a fold to start: one slot of the fold (jobs.registry), the
    schedulers ticking as often (registry.tick_seconds)."""
    from jobs import registry

    return max(registry.periodic("fold_rollups").every.total_seconds(), registry.tick_seconds())


def children_import(township) -> dict:
    """10,000 children written in bulk under a township's villages (as an import would), then one fold."""
    from children.models import Child
    from orgs.models import Organization
    from rollups import services

    places = list(Organization.objects.filter(path__startswith=township.path)) or [township]
    started = time.perf_counter()
    Child.objects.bulk_create([
        Child(organization=o, org_path=o.path, name="测试儿童", sex="FEMALE", birth_date=date(2016, 3, 1), id_number="bench",
              id_index=f"bench-freshness-{uuid.uuid4().hex}", categories=["LEFT_BEHIND"], guardian_arrangement="GRANDPARENTS")
        for n in range(IMPORTED) for o in (places[n % len(places)],)], batch_size=2000)
    written = time.perf_counter() - started
    run = services.fold()
    return {"children": IMPORTED, "organizations": len(places), "write_seconds": written, "dirty_keys": run.dirty_keys,
            "fold_seconds": run.seconds, "statements": run.statements}


def clean_up(root) -> dict:
    """Delete what the measure wrote, fold, and compare the root's folded figures with a fresh rebuild."""
    from children.models import Child
    from programs.models import Activity
    from rollups import services
    from rollups.models import Figure

    Activity.objects.filter(title="bench-freshness").delete()
    Child.objects.filter(id_index__startswith="bench-freshness-").delete()
    run = services.fold()

    def root_figures():
        return {(f.metric, f.month): f.subtree for f in Figure.objects.filter(organization=root) if f.subtree}

    folded = root_figures()
    services.refresh()
    return {"delete_fold_seconds": run.seconds, "dirty_keys": run.dirty_keys, "fold_equals_rebuild": folded == root_figures()}


def measure(scale, seed) -> dict:
    common.setup_django(scale, seed)
    from orgs.models import Organization

    rng = random.Random(seed)
    root = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    below = list(Organization.objects.filter(path__startswith=root.path, depth__gte=4).only("id", "path", "depth"))
    log(f"{scale}: rebuilding ({len(below):,} organizations below the county level)")
    results = {"scale": scale, "machine": common.machine(), "rebuild": rebuild()}
    log(f"rebuild: {results['rebuild']}")
    results["folds"] = folds(below, rng)
    results["one_change"] = one_change(root, rng.choice(below))
    log(f"one change: {results['one_change']}")
    results["import"] = children_import(Organization.objects.get(pk=rng.choice([o for o in below if o.depth == 5]).pk).parent)
    log(f"import: {results['import']}")
    results["clean_up"] = clean_up(root)
    log(f"clean up: {results['clean_up']}")
    return results


def verdicts(results) -> dict[str, bool]:
    return {
        "one change visible ≤ 60 s": results["one_change"]["worst_case_seconds"] <= TARGETS["change_seconds"],
        "10,000 children folded ≤ 60 s": results["import"]["fold_seconds"] <= TARGETS["import_fold_seconds"],
        "rebuild ≤ 120 s": results["rebuild"]["seconds"] <= TARGETS["rebuild_seconds"],
        "rebuild ≤ 500 MB": results["rebuild"]["peak_mb"] <= TARGETS["rebuild_mb"],
        "fold equals rebuild": results["clean_up"]["fold_equals_rebuild"],
    }


def render(results) -> str:
    r, one, imp = results["rebuild"], results["one_change"], results["import"]
    cpu = (f"; the PostgreSQL backend used {r['pg_cpu_seconds']:.1f} s of CPU" if r.get("pg_cpu_seconds") is not None else "")
    lines = [f"## Rollups freshness, {results['scale']} scale (issue 17)", "",
             f"Machine: {results['machine']['nproc']} cores, {results['machine']['memory']}; load before the rebuild {r['load']}"
             f"{', after ' + r['load_after'] if r.get('load_after') else ''}.", "",
             f"- Full rebuild (`manage.py refresh_rollups`: own figures, then subtree sums level by level into a new table "
             f"swapped in): **{r['seconds']:.1f} s**{cpu}, {r['rows']:,} figure rows, {r['statements']} statements, "
             f"peak {r['peak_mb']:.0f} MB in this process, {r['pg_temp_mb']:.0f} MB of PostgreSQL temporary files.",
             f"- One change to the province dashboard: fold + read **{one['fold_and_read_seconds']:.2f} s** after the commit "
             f"(fold {one['fold_seconds']:.2f} s); with a fold every {one.get('slot_seconds', 60):.0f} s at most "
             f"**{one['worst_case_seconds']:.1f} s**.",
             f"- {imp['children']:,} children written in bulk under {imp['organizations']} organizations in {imp['write_seconds']:.1f} s, "
             f"folded in **{imp['fold_seconds']:.2f} s** ({imp['dirty_keys']} dirty keys, {imp['statements']} statements).",
             f"- Deleting it all again folded in {results['clean_up']['delete_fold_seconds']:.2f} s; the root's folded figures "
             f"{'equal' if results['clean_up']['fold_equals_rebuild'] else 'DIFFER FROM'} a fresh rebuild's.", "",
             "| organizations changed | dirty keys | seconds | statements | figure rows written | load |",
             "|---:|---:|---:|---:|---:|---|"]
    lines += [f"| {f['changed']:,} | {f['dirty_keys']:,} | {f['seconds']:.2f} | {f['statements']} | {f['rows']:,} | {f['load']} |"
              for f in results["folds"]]
    lines += ["", "Targets: " + "; ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in verdicts(results).items()), ""]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="province", choices=sorted(common.SCALES))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-doc", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is not met")
    args = parser.parse_args(argv)
    results = measure(args.scale, args.seed)
    path = common.ROOT / "var" / "bench" / f"freshness-{args.scale}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, default=str))
    text = render(results)
    print(text)
    if not args.no_doc:
        common.write_section(f"## Rollups freshness, {args.scale} scale (issue 17)", text)
    if args.check and not all(verdicts(results).values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
