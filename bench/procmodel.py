"""Which gunicorn process model (workers × threads) serves most on this machine (issue 15 item 4), by measurement
rather than by the 2 × cores + 1 rule: a request that is mostly Python holds the GIL, so a second thread in a
worker only helps while the first waits on PostgreSQL or Redis, and every extra worker costs memory.

    python -m bench.procmodel --scale county [--models 1x8,2x4,3x2,2x2,5x1,5x2] [--clients 8,16] [--seconds 10]
                              [--rounds 3] [--no-doc]

For each model W×T, gunicorn starts with platform/gunicorn.conf.py and WEB_CONCURRENCY=W, WEB_THREADS=T on the
scale's generated database (bench.run's server, client and concurrent runner), and measures
- the county VIEWER's masked 50-row ChildRoster page (the page of issue 15's targets) at each number of concurrent
  clients: requests per second, p50 and p95, and the server's CPU time per request (its processes' user and
  system time over the measured window: the model's overhead, which the other load on a shared machine hardly
  changes, unlike requests per second);
- a mixed load at the first number of clients: each client repeats three roster pages, the province rollup
  dashboard (RollupDashboard, YEAR) and a write (RecordFollowUp by the county STAFF on a child of the page);
- the server's memory (resident set of the master and its workers) after the measures,
with the load average at the start and end of each measure. On a shared machine one pass is noise: the models are
measured in ``--rounds`` rounds, each starting one model later than the one before, and reported by their
median with the lowest and highest req/s of the rounds. The write adds follow-up rows: on a shared database,
point BENCH_DATABASE_URL at a copy. Results in var/bench/procmodel-<scale>.json; the scale's block of the
"## Process model (issue 15 item 4)" section of docs/benchmarks.md is rewritten (the other scales' blocks kept).
"""

import argparse
import json
import os
import statistics
from datetime import date, datetime

from bench import common, run

SECTION = "## Process model (issue 15 item 4)"
MODELS = "1x8,2x4,3x2,2x2,5x1,5x2"
INTRO = """Each scale's block below is rewritten by `python -m bench.procmodel --scale <scale>` (bench/procmodel.py): gunicorn
with platform/gunicorn.conf.py at each workers × threads (WEB_CONCURRENCY × WEB_THREADS), the county VIEWER's
masked 50-row children page at 8 and 16 concurrent clients, and a mixed load at 8 clients (per client: 3 pages, the
province rollup dashboard, a RecordFollowUp write), with the server's CPU time per request. The choice of the default and its reasons are in
platform/gunicorn.conf.py and platform/README.md.
"""
MIX = ("page", "page", "page", "dashboard", "write")


def log(message):
    common.log("procmodel", message)


def parse_models(text):
    """'1x8,2x4' -> [(1, 8), (2, 4)]."""
    models = []
    for item in text.split(","):
        workers, threads = (int(n) for n in item.lower().split("x"))
        if workers < 1 or threads < 1:
            raise ValueError(f"{item}: workers and threads are at least 1")
        models.append((workers, threads))
    return models


def server_rss_mib(pid):
    """Resident memory of gunicorn's master ``pid`` and its workers, MiB."""
    kib = 0
    for entry in run.server_processes(pid):
        try:
            kib += int(next(line for line in (entry / "status").read_text().splitlines()
                            if line.startswith("VmRSS:")).split()[1])
        except (OSError, StopIteration):  # gone meanwhile
            continue
    return kib / 1024


class Load:
    """The requests one client sends: the masked page, and for the mixed load the dashboard and the write."""

    def __init__(self, conn, actors):
        roster = run.operation_text("children", "ChildRoster")
        self.viewer = run.Client(run.PORT).login("bench_county_viewer")
        self.staff = run.Client(run.PORT).login("bench_county_staff")
        self.rollup = run.Client(run.PORT).login("bench_province_rollup")
        self.page = lambda client: client.graphql(roster, {"first": 50}, "ChildRoster")
        answer, _ = self.page(self.viewer)
        self.children = [edge["node"]["id"] for edge in answer["data"]["children"]["edges"]]
        province = conn.execute("SELECT id FROM orgs_organization WHERE path = %s", [actors["province"]]).fetchone()[0]
        self.dashboard_variables = {"organizationId": run.global_id("Organization", province),
                                    "period": {"kind": "YEAR", "year": run.ROLLUP_YEAR}}
        self.dashboard_text = run.operation_text("rollups", "RollupDashboard")
        self.write_text = run.operation_text("children", "RecordFollowUp")

    def clone(self, client):
        copy = run.Client(run.PORT)
        copy.cookies = dict(client.cookies)
        return copy

    def page_call(self):
        client = self.clone(self.viewer)
        return lambda: self.page(client)

    def mixed_call(self, index):
        """Client ``index``'s round of MIX (each client starts at another step, and writes on another child)."""
        viewer, staff, rollup = self.clone(self.viewer), self.clone(self.staff), self.clone(self.rollup)
        steps = {"page": lambda: self.page(viewer),
                 "dashboard": lambda: self.checked(rollup, self.dashboard_text, self.dashboard_variables,
                                                   "RollupDashboard", "rollup"),
                 "write": lambda: self.checked(staff, self.write_text, {"input": {
                     "childId": self.children[index % len(self.children)], "visitedOn": date.today().isoformat(),
                     "note": "bench.procmodel"}}, "RecordFollowUp", "recordFollowUp")}
        position = [index]

        def call():
            step = MIX[position[0] % len(MIX)]
            position[0] += 1
            return steps[step]()
        return call

    @staticmethod
    def checked(client, text, variables, operation, field):
        answer, info = client.graphql(text, variables, operation)
        if answer["data"][field]["errors"]:
            raise RuntimeError(f"{operation}: {answer['data'][field]['errors']}")
        return answer, info


def measure_model(args, workers, threads, conn, actors):
    """One pass of one model: the page at each number of clients, then the mixed load; the server's memory."""
    log(f"{workers} workers × {threads} threads (load {common.load()})")
    server = run.start_gunicorn(args.scale, args.seed, workers, threads)
    try:
        load = Load(conn, actors)
        result = {"page": {}}
        for clients in args.clients:
            result["page"][str(clients)] = run.concurrent(load.page_call, clients, args.seconds, server=server.pid)
            log(f"  page, {clients} clients: {result['page'][str(clients)]['rps']:.1f} req/s")
        counter = iter(range(args.clients[0]))
        result["mixed"] = run.concurrent(lambda: load.mixed_call(next(counter)), args.clients[0], args.seconds,
                                         server=server.pid)
        result["mixed"]["clients"] = args.clients[0]
        log(f"  mixed, {args.clients[0]} clients: {result['mixed']['rps']:.1f} req/s")
        result["rss_mib"] = server_rss_mib(server.pid)
    finally:
        run.stop(server)
    return result


def measure(args):
    common.setup_django(args.scale, args.seed)
    import redis

    conn = run.pg()
    actors = run.actor_paths(run.generation(conn))
    log("rollups.services.refresh() first (the dashboard reads its figures)")
    run.refresh_rollups()
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    started = common.load()
    passes = {model: [] for model in args.models}
    for round_ in range(args.rounds):
        log(f"round {round_ + 1} of {args.rounds}")
        shift = round_ % len(args.models)
        for workers, threads in args.models[shift:] + args.models[:shift]:
            passes[(workers, threads)].append(measure_model(args, workers, threads, conn, actors))
    models = [{"workers": w, "threads": t, **summary(passes[(w, t)])} for w, t in args.models]
    return {"models": models, "clients": args.clients, "seconds": args.seconds, "rounds": args.rounds,
            "load": [started, common.load()],
            "machine": common.machine(), "measured": f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
            "database": common.database_url(args.scale).rsplit("/", 1)[-1], "scale": args.scale}


def median_of(measures):
    """One measure from several passes: median req/s, p50 and p95, the req/s range, the load over all of them."""
    rps = [m["rps"] for m in measures]
    return {"rps": statistics.median(rps), "rps_range": [min(rps), max(rps)],
            "p50": statistics.median(m["p50"] for m in measures), "p95": statistics.median(m["p95"] for m in measures),
            "cpu_ms": statistics.median(m["cpu_ms"] for m in measures),
            "load": [measures[0]["load"][0], measures[-1]["load"][1]]}


def summary(passes):
    """A model's passes summed up by median_of, each pass kept."""
    return {"page": {c: median_of([p["page"][c] for p in passes]) for c in passes[0]["page"]},
            "mixed": median_of([p["mixed"] for p in passes]),
            "rss_mib": statistics.median(p["rss_mib"] for p in passes), "passes": passes}


def best(models, pick):
    """The model with most requests per second by ``pick(model) -> measure``, as 'W×T'."""
    top = max(models, key=lambda m: pick(m)["rps"])
    return f"{top['workers']}×{top['threads']}"


def render(r):
    clients, mixed_clients = r["clients"], r["clients"][0]
    header = ["workers × threads", *(f"page, {c} clients: req/s (range) · p50 · p95 ms · CPU ms/request" for c in clients),
              f"mixed, {mixed_clients} clients: req/s (range) · p50 · p95 ms · CPU ms/request", "RSS MiB", "load (1 min)"]
    lines = [f"{common.BLOCK}{r['scale']}", "",
             f"Measured {r['measured']} on {r['machine']['nproc']} cores ({r['machine']['cpu']}) on {r['database']}, "
             f"{r['seconds']:g} s per measure after 3 s of warm-up, {r['rounds']} rounds (medians; the range is the "
             f"lowest and highest req/s of the rounds); load average {r['load'][0]} at the start, {r['load'][1]} at "
             "the end (the machine is shared: compare the models within this table, and mind the ranges).", "",
             "| " + " | ".join(header) + " |", "|---|" + "--:|" * (len(header) - 1)]
    for m in r["models"]:
        measures = [m["page"][str(c)] for c in clients] + [m["mixed"]]
        cells = [f"{m['workers']} × {m['threads']}"]
        cells += [f"{x['rps']:.1f} ({x['rps_range'][0]:.1f}–{x['rps_range'][1]:.1f}) · {x['p50']:.0f} · {x['p95']:.0f} · "
                  f"{x['cpu_ms']:.0f}" for x in measures]
        cells += [f"{m['rss_mib']:.0f}", f"{measures[0]['load'][0].split()[0]} → {measures[-1]['load'][1].split()[0]}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Most requests per second: "
              + "; ".join(f"page at {c} clients {best(r['models'], lambda m, c=c: m['page'][str(c)])}" for c in clients)
              + f"; mixed load {best(r['models'], lambda m: m['mixed'])}.", "",
              "Reproduce: `python -m bench.procmodel --scale " + r["scale"] + " --models "
              + ",".join(f"{m['workers']}x{m['threads']}" for m in r["models"])
              + " --clients " + ",".join(map(str, clients)) + f" --seconds {r['seconds']:g} --rounds {r['rounds']}`."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.procmodel", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=tuple(common.SCALES), default="county")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--models", type=parse_models, default=parse_models(MODELS),
                        help=f"workers x threads, comma-separated (default {MODELS})")
    parser.add_argument("--clients", type=lambda t: [int(n) for n in t.split(",")], default=[8, 16],
                        help="concurrent clients for the page; the mixed load uses the first (default 8,16)")
    parser.add_argument("--seconds", type=float, default=10, help="length of each measure (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the models (default 3)")
    parser.add_argument("--no-doc", action="store_true", help="print only, leave docs/benchmarks.md alone")
    parser.add_argument("--report-only", action="store_true", help="re-render from var/bench/procmodel-<scale>.json")
    args = parser.parse_args(argv)
    path = run.LOGS / f"procmodel-{args.scale}.json"
    if args.report_only:
        results = json.loads(path.read_text())
    else:
        results = measure(args)
        run.LOGS.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(results, default=str, ensure_ascii=False, indent=1))
    block = render(results)
    print(block)
    if not args.no_doc:
        common.write_scale_block(SECTION, [INTRO], args.scale, block)
        log(f"wrote {common.DOC.relative_to(common.ROOT)}")
    return results


if __name__ == "__main__":
    main()
