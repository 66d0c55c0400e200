"""Issue 21, item 4: the production topology (platform/cluster/) under test, over HTTP and psql only.

Run by `make cluster-test` (CLUSTER=1) against the running cluster; in this order, the failover last (the
cluster is whole again afterwards: `cluster.py up` clones a new standby).
"""

import base64
import collections
import os
import threading
import time

import pytest

from tests.cluster.live.client import NGINX, PG, ROOT, WEB1, WEB2, Client, Unavailable, cluster, cluster_state, psql, wait_for
from tests.jobs.helpers import roster, workbook

STAFF = "maliang_league_staff"
CHILDREN = "{ children(first: 20) { totalCount edges { node { id grade } } } }"
GRADE = "query($id: ID!) { child(id: $id) { grade } }"
SET_GRADE = """mutation($id: ID!, $grade: String!) {
  updateChild(input: {id: $id, grade: $grade}) { child { grade } errors { code message } } }"""


@pytest.fixture(scope="module", autouse=True)
def running_cluster():
    cluster("up")


def primary_port() -> int:
    return PG[cluster_state()["primary"]]


def standby_port() -> int:
    return PG[cluster_state()["standby"]]


def a_child(client: Client) -> str:
    return client(CHILDREN)["children"]["edges"][0]["node"]["id"]


def set_grade(client: Client, child: str, grade: str) -> None:
    result = client(SET_GRADE, {"id": child, "grade": grade})["updateChild"]
    assert not result["errors"] and result["child"]["grade"] == grade, result


def replayed_everything() -> bool:
    written = psql(primary_port(), "SELECT pg_current_wal_lsn()")
    return psql(standby_port(), f"SELECT pg_last_wal_replay_lsn() >= '{written}'::pg_lsn") == "t"


def test_a_write_through_node_a_is_read_at_once_through_node_b_while_others_read_the_lagging_standby():
    # given two sessions of the same town's staff, one signed in on each node, and the standby caught up
    writer = Client(WEB1).login(STAFF)
    other = Client(WEB2).login(STAFF)
    child = a_child(writer)
    before = writer(GRADE, {"id": child})["child"]["grade"]
    wait_for(replayed_everything, 10, "the standby to catch up")
    # when the standby stops replaying and the first session writes through node A
    psql(standby_port(), "SELECT pg_wal_replay_pause()")
    try:
        grade = f"八年级-{time.monotonic_ns() % 10_000}"
        set_grade(writer, child, grade)
        # then the writer reads its write at once through node B (its session is pinned to the primary)...
        assert writer.on(WEB2)(GRADE, {"id": child})["child"]["grade"] == grade
        # ...while the other session is served by the standby, which has not replayed the write
        assert other(GRADE, {"id": child})["child"]["grade"] == before
    finally:
        psql(standby_port(), "SELECT pg_wal_replay_resume()")
    # and once the standby replays, everyone reads the write
    wait_for(lambda: other(GRADE, {"id": child})["child"]["grade"] == grade, 10, "the standby to replay")


def children_reads(port: int) -> int:
    """Statements that read the children's table on one server (pg_stat_statements, kept per server)."""
    return int(psql(port, "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
                          "WHERE query LIKE 'SELECT %' AND query LIKE '%FROM \"children_child\"%'"))


def test_read_only_operations_are_served_by_the_standby():
    reader = Client(NGINX).login(STAFF)
    wait_for(replayed_everything, 10, "the standby to catch up (after the login's write)")
    on_standby, on_primary = children_reads(standby_port()), children_reads(primary_port())
    for _ in range(20):
        assert reader(CHILDREN)["children"]["totalCount"] > 0
    # each list reads the children's table at least once: on the standby, never on the primary
    assert children_reads(standby_port()) - on_standby >= 20
    assert children_reads(primary_port()) - on_primary == 0


def load(client: Client, requests: int, results: list, retries: list) -> None:
    """A client that retries a request that got no answer (at most 3 times); records each outcome."""
    for _ in range(requests):
        for attempt in range(4):
            try:
                results.append(client(CHILDREN)["children"]["totalCount"])
                break
            except Unavailable:
                retries.append(attempt)
                time.sleep(0.2)
        else:
            results.append(None)


def test_an_app_node_killed_during_a_load_run_loses_no_request_that_the_client_retries():
    clients = [Client(NGINX).login(STAFF) for _ in range(4)]
    results, retries = [], []
    threads = [threading.Thread(target=load, args=(client, 50, results, retries)) for client in clients]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: len(results) >= 40, 120, "the load run to get going")
        cluster("kill", "web1")  # SIGKILL to the node's process group: its in-flight requests are cut
        answered_before_the_kill = len(results)
        for thread in threads:
            thread.join(300)
    finally:
        cluster("start", "web1")
    assert answered_before_the_kill < 200  # the node died in the middle of the run
    assert len(results) == 200 and None not in results, (len(results), results.count(None))
    assert len(set(results)) == 1  # every answer whole and the same
    # and the node comes back into the rotation
    wait_for(lambda: Client(WEB1).request("GET", "/auth/csrf/")[0] == 200, 60, "web1 to restart")


IMPORT = """mutation($organizationId: ID!, $file: Upload!) {
  importChildren(input: {organizationId: $organizationId, file: $file}) { job { id } errors { code message } } }"""
JOB = "query($id: ID!) { job(id: $id) { state progressDone progressTotal message } }"
TOWN = "{ me { memberships { organization { id name } } } }"
ROWS = 4 * 500  # four batches of children/excel.py's 500


def cpu_ticks(name: str) -> int:
    """CPU time used so far by the processes of one cluster process's group (the worker and its children)."""
    pgid = int((ROOT / "var" / "cluster" / "run" / f"{name}.pid").read_text())
    total = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid:  # field 5 (pgrp) of /proc/<pid>/stat
                total += int(fields[11]) + int(fields[12])  # utime + stime
    return total


def busy_worker() -> str:
    before = {name: cpu_ticks(name) for name in ("worker1", "worker2")}
    time.sleep(1.0)
    used = {name: cpu_ticks(name) - ticks for name, ticks in before.items()}
    return max(used, key=used.get)


def test_a_worker_killed_mid_import_leaves_the_job_to_the_other_worker_without_duplicates():
    staff = Client(NGINX).login(STAFF)
    town = staff("{ children(first: 1) { edges { node { organization { id } } } } }")["children"]["edges"][0]["node"]["organization"]["id"]
    prefix = f"集群{time.monotonic_ns() % 100_000}号"
    rows = [roster(ROWS)[0]] + [[prefix + str(i), *row[1:]] for i, row in enumerate(roster(ROWS)[1:])]
    started = staff.upload(IMPORT, {"organizationId": town}, "file", "花名册.xlsx", workbook(rows, title=None))
    assert not started["importChildren"]["errors"], started
    job = started["importChildren"]["job"]["id"]
    # given the import running on one of the two workers, some batches in
    wait_for(lambda: staff(JOB, {"id": job})["job"]["progressDone"] >= 500, 120, "the first batch")
    victim = busy_worker()
    # when that worker is killed without warning
    cluster("kill", victim)
    try:
        # then the other worker finishes the job (RabbitMQ redelivers its message; the reaper requeues the run
        # whose heartbeat stopped) with exactly one child per row
        done = wait_for(lambda: (j := staff(JOB, {"id": job})["job"])["state"] in ("SUCCEEDED", "FAILED") and j, 180,
                        "the job to finish on the other worker")
    finally:
        cluster("start", victim)
    assert done["state"] == "SUCCEEDED" and done["progressDone"] == ROWS, done
    pk = base64.b64decode(job).decode().split(":")[1]
    assert psql(primary_port(), f"SELECT attempts FROM jobs_job WHERE id = {int(pk)}") == "2"  # the second run finished it
    # (the rows' ID numbers are the same in every run of this test: earlier runs' children are updated, never doubled)
    ids = psql(primary_port(), "SELECT count(*), count(DISTINCT id_index) FROM children_child WHERE id_index IN "
                               f"(SELECT id_index FROM children_child WHERE name LIKE '{prefix}%')")
    assert ids == f"{ROWS}|{ROWS}", ids


def test_two_schedulers_start_each_periodic_slot_once():
    """Both schedulers tick every 5 s (cluster.py) for every minute's slots: each slot is started by one of them;
    the other's insert of the same slot key is refused by PostgreSQL (its log keeps the refusals)."""
    logs = ROOT / "var" / "cluster" / "log"
    started = collections.Counter(
        line.split(" started as job")[0] for name in ("scheduler1", "scheduler2")
        for line in (logs / f"{name}.log").read_text().splitlines() if " started as job " in line)
    assert started and max(started.values()) == 1, started.most_common(3)
    refused = sum(path.read_text(errors="replace").count('violates unique constraint "jobs_job_key_key"')
                  for path in logs.glob("postgres-*.log"))
    assert refused > 0  # the second scheduler did try the slots the first had started


def test_the_primary_stopped_and_the_standby_promoted_the_app_is_back_within_60_s_with_nothing_lost():
    staff = Client(NGINX).login(STAFF)
    child = a_child(staff)
    grade = f"九年级-{time.monotonic_ns() % 10_000}"
    set_grade(staff, child, grade)  # committed (synchronous commit on the primary) before the answer
    wait_for(replayed_everything, 10, "the standby to stream the write")
    # when the primary's machine dies and the standby is promoted (pgbouncer re-pointed at it)
    cluster("stop-primary")
    stopped = time.monotonic()
    cluster("promote")

    # then within 60 s the app reads the committed write and takes new ones
    def answers():
        reader = Client(NGINX).login(STAFF)
        return reader(GRADE, {"id": child})["child"]["grade"] == grade and reader

    reader = wait_for(answers, 60, "the app on the promoted primary", every=1)
    assert time.monotonic() - stopped < 60
    set_grade(reader, child, grade + "+")
    assert reader(GRADE, {"id": child})["child"]["grade"] == grade + "+"
    # and `up` clones a new standby from the new primary: the topology is whole again
    cluster("up")
    wait_for(lambda: psql(standby_port(), "SELECT pg_is_in_recovery()") == "t", 30, "the new standby")
