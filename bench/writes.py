"""CPU per request of a write against a read, for the sizing of docs/scaling.md (issue 21 item 5).

    BENCH_DATABASE_URL=postgres://…/bench_prov_county_<copy> python -m bench.writes --scale county [--requests 200]

A write changes the database: run it on a copy of a generated database (``createdb -T bench_prov_county
bench_prov_county_<name>``), never on the shared one. The server is bench.run's (gunicorn with the production
settings and bench/middleware.py's SQL count); the client signs in like the web client and sends its operations:

- write: ``UpdateChild`` as the county's STAFF, the grade of one of the county's children set to a new value each
  time (a real change, with everything a save causes), cycling over 50 children;
- read: ``ChildRoster`` of 50 rows as the county's VIEWER (masked), the page the read figures are about.

Each is sent ``--requests`` times one after another (after ``--warmup``). Measured: the latency; the time in the
server and the SQL statements per request (bench/middleware.py's headers); the CPU time per request of the app
(every process of gunicorn's group, from /proc) and of PostgreSQL (the server processes connected to this
database, from pg_stat_activity and /proc; the server keeps its connections for the run, DB_CONN_MAX_AGE=3600,
so that none ends uncounted). CPU time, unlike latency, hardly depends on what else the machine runs. Prints a
table and writes var/bench/writes-<scale>.json.
"""

import argparse
import json
import os
import statistics

from bench import common
from bench.run import LOGS, PORT, Client, operation_text, pg, start_gunicorn, stats, stop

TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def log(message):
    common.log("writes", message)


def cpu_ms(pids) -> dict[int, float]:
    """utime + stime of each of the processes ``pids`` still running, in milliseconds."""
    found = {}
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) * TICK_MS
    return found


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU milliseconds used between two readings (a process started in between counts from its start)."""
    if set(before) - set(after):
        raise SystemExit("a measured process ended during the measure: its CPU would be lost")
    return sum(ms - before.get(pid, 0.0) for pid, ms in after.items())


def group(pgid: int) -> list[int]:
    """The processes of one process group (gunicorn's master and workers)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[2]) == pgid:
                    found.append(int(entry))
            except OSError:
                continue
    return found


def backends(conn) -> list[int]:
    """PostgreSQL's server processes connected to this database, other than the harness's own."""
    return [row[0] for row in conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]


def measure(conn, server, call, requests, warmup):
    for _ in range(warmup):
        call()
    app, db = cpu_ms(group(server.pid)), cpu_ms(backends(conn))
    seconds, queries, server_ms = [], [], []
    for _ in range(requests):
        info = call()
        seconds.append(info["seconds"])
        queries.append(info["queries"])
        server_ms.append(info["server_ms"])
    return {**stats(seconds), "queries": sorted(set(queries)), "server_ms": statistics.median(server_ms),
            "app_cpu_ms": spent(app, cpu_ms(group(server.pid))) / requests,
            "db_cpu_ms": spent(db, cpu_ms(backends(conn))) / requests, "load": common.load()}


def run(args):
    common.setup_django(args.scale, args.seed)  # this copy migrated as bench.run migrates the generated database
    os.environ["DB_CONN_MAX_AGE"] = "3600"  # the server's connections last the run: their processes are counted
    conn = pg()
    server = start_gunicorn(args.scale, args.seed)
    try:
        staff = Client(PORT).login("bench_county_staff")
        viewer = Client(PORT).login("bench_county_viewer")
        update, roster = operation_text("children", "UpdateChild"), operation_text("children", "ChildRoster")
        page, _ = staff.graphql(roster, {"first": 50}, "ChildRoster")
        children = [edge["node"]["id"] for edge in page["data"]["children"]["edges"]]
        sent = {"n": 0}

        def write():
            sent["n"] += 1
            child = children[sent["n"] % len(children)]
            answer, info = staff.graphql(update, {"input": {"id": child, "grade": f"八年级-{sent['n']}"}}, "UpdateChild")
            if answer["data"]["updateChild"]["errors"]:
                raise RuntimeError(answer["data"]["updateChild"]["errors"])
            return info

        def read():
            answer, info = viewer.graphql(roster, {"first": 50}, "ChildRoster")
            assert len(answer["data"]["children"]["edges"]) == 50
            return info

        return {name: measure(conn, server, call, args.requests, args.warmup)
                for name, call in (("write UpdateChild", write), ("read ChildRoster 50 (masked)", read))}
    finally:
        stop(server)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.writes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=tuple(common.SCALES), default="county")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args(argv)
    if common.database_url(args.scale).rsplit("/", 1)[-1] == common.database_name(args.scale):
        raise SystemExit("bench.writes changes the database: point BENCH_DATABASE_URL at a copy (see the docstring)")
    results = run(args)
    LOGS.mkdir(parents=True, exist_ok=True)
    (LOGS / f"writes-{args.scale}.json").write_text(json.dumps({"args": vars(args), "results": results}, indent=1))
    print(f"{'measure':30} {'p50 ms':>8} {'p95 ms':>8} {'server ms':>10} {'SQL':>4} {'app CPU ms':>11} "
          f"{'DB CPU ms':>10}  load")
    for name, m in results.items():
        print(f"{name:30} {m['p50']:8.1f} {m['p95']:8.1f} {m['server_ms']:10.1f} {'/'.join(map(str, m['queries'])):>4} "
              f"{m['app_cpu_ms']:11.1f} {m['db_cpu_ms']:10.1f}  {m['load']}")
    return results


if __name__ == "__main__":
    main()
