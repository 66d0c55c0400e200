"""Throughput of the running cluster through nginx with one app node and with two (docs/scaling.md).

    .venv/bin/python -m tests.cluster.live.throughput [--clients 8] [--seconds 30]

Each client thread signs in once and then posts the same read (a 20-row children page of the demo data) as
fast as it is answered. Measured twice: web2 stopped (nginx sends everything to web1), then both nodes. The
load average is printed with each figure: on 2 shared cores the client, nginx, pgbouncer and both PostgreSQL
servers compete with the app nodes for the same processors.
"""

import argparse
import os
import statistics
import threading
import time

from tests.cluster.live.client import NGINX, WEB2, Client, Unavailable, cluster, wait_for

QUERY = "{ children(first: 20) { totalCount edges { node { id name grade organization { name } } } } }"
USER = "baokang_league_admin"


def run(clients: int, seconds: float) -> dict:
    sessions = [Client(NGINX).login(USER) for _ in range(clients)]
    for session in sessions:
        session(QUERY)  # warm: scope cached, connections open
    latencies, failures = [], []
    ends = time.monotonic() + seconds

    def loop(session):
        while time.monotonic() < ends:
            started = time.monotonic()
            try:
                session(QUERY)
                latencies.append(time.monotonic() - started)
            except (Unavailable, AssertionError) as error:
                failures.append(repr(error))

    threads = [threading.Thread(target=loop, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()
    return {"requests": len(latencies), "req_s": len(latencies) / seconds, "failures": failures,
            "p50_ms": 1000 * statistics.median(latencies), "p95_ms": 1000 * latencies[int(0.95 * len(latencies)) - 1],
            "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    args = parser.parse_args()
    cluster("up")
    cluster("kill", "web2")
    try:
        one = run(args.clients, args.seconds)
    finally:
        cluster("start", "web2")
    wait_for(lambda: Client(WEB2).request("GET", "/auth/csrf/")[0] == 200, 60, "web2")
    two = run(args.clients, args.seconds)
    for nodes, figures in ((1, one), (2, two)):
        print(f"{nodes} node(s), {args.clients} clients, {args.seconds:g} s: {figures['req_s']:.1f} req/s, "
              f"p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms, {figures['requests']} answered, "
              f"{len(figures['failures'])} failed {figures['failures'][:3]}; load average {figures['load']}")


if __name__ == "__main__":
    main()
