"""Issue 21, item 4: the production topology (platform/cluster/) under test, over HTTP and psql only.

Run by `make cluster-test` (CLUSTER=1) against the running cluster; in this order, the failover last (the
cluster is whole again afterwards: `cluster.py up` clones a new standby).
"""

import base64
import collections
import os
import signal
import threading
import time
from urllib.parse import urlsplit

import pytest

from tests.cluster.live.client import NGINX, PG, ROOT, WEB1, WEB2, Client, Unavailable, cluster, cluster_state, psql, wait_for
from tests.jobs.helpers import EXPORT, roster, workbook

STAFF = "maliang_league_staff"
CHILDREN = "{ children(first: 20) { totalCount edges { node { id grade } } } }"
GRADE = "query($id: ID!) { child(id: $id) { grade } }"
JOB = "query($id: ID!) { job(id: $id) { state progressDone progressTotal message } }"
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


def calls(port: int, *patterns: str) -> int:
    """Statements run so far on one server whose text matches every LIKE pattern (pg_stat_statements)."""
    where = " AND ".join(f"query LIKE '{pattern}'" for pattern in patterns)
    return int(psql(port, f"SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE {where}"))


CHILDREN_READ = ("SELECT %", '%FROM "children_child"%')
READ_BOUND = ("%SET LOCAL statement_timeout%",)  # graphql_api/guards.py: each statement of a read carries it


def test_read_only_operations_are_served_by_the_standby_and_cost_the_primary_nothing():
    reader = Client(NGINX).login(STAFF)
    wait_for(replayed_everything, 10, "the standby to catch up (after the login's write)")
    before = {port: (calls(port, *CHILDREN_READ), calls(port, *READ_BOUND)) for port in (standby_port(), primary_port())}
    for _ in range(20):
        assert reader(CHILDREN)["children"]["totalCount"] > 0
    after = {port: (calls(port, *CHILDREN_READ), calls(port, *READ_BOUND)) for port in (standby_port(), primary_port())}
    # each list reads the children's table at least once, each statement bounded in time: on the standby...
    assert after[standby_port()][0] - before[standby_port()][0] >= 20
    assert after[standby_port()][1] - before[standby_port()][1] >= 20
    # ...and the primary runs neither the reads nor their bound (no primary connection held by a read)
    assert after[primary_port()] == before[primary_port()]


def test_an_export_job_reads_the_standby_and_its_file_is_served_by_every_node():
    staff = Client(NGINX).login(STAFF)
    wait_for(replayed_everything, 10, "the standby to catch up (after the login's write)")
    before = calls(standby_port(), *CHILDREN_READ)
    job = staff(EXPORT, {"input": {}})["exportChildren"]["job"]["id"]
    done = wait_for(lambda: (j := staff(JOB, {"id": job})["job"])["state"] in ("SUCCEEDED", "FAILED") and j, 120,
                    "the export on a worker")
    assert done["state"] == "SUCCEEDED", done
    # the worker read the roster from the standby (nothing else reads children there meanwhile: the client only
    # polls the job, whose row is read on the primary)
    assert calls(standby_port(), *CHILDREN_READ) > before
    # and the file the worker wrote (the shared VAR_DIR) is downloaded alike through either node
    link = urlsplit(staff("query($id: ID!) { job(id: $id) { resultUrl } }", {"id": job})["job"]["resultUrl"])
    files = [staff.on(port).request("GET", f"{link.path}?{link.query}") for port in (WEB1, WEB2)]
    assert [status for status, _ in files] == [200, 200] and files[0][1] == files[1][1] and files[0][1][:2] == b"PK"


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


RUN = 4 * 250  # 4 clients: long enough at 50 req/s that the kill lands mid-run, however fast the machine is


def test_an_app_node_killed_during_a_load_run_loses_no_request_that_the_client_retries():
    clients = [Client(NGINX).login(STAFF) for _ in range(4)]
    results, retries = [], []
    threads = [threading.Thread(target=load, args=(client, RUN // 4, results, retries)) for client in clients]
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
    assert answered_before_the_kill < RUN  # the node died in the middle of the run
    assert len(results) == RUN and None not in results, (len(results), results.count(None))
    assert len(set(results)) == 1  # every answer whole and the same
    # and the node comes back into the rotation
    wait_for(lambda: Client(WEB1).request("GET", "/auth/csrf/")[0] == 200, 60, "web1 to restart")


IMPORT = """mutation($organizationId: ID!, $file: Upload!) {
  importChildren(input: {organizationId: $organizationId, file: $file}) { job { id } errors { code message } } }"""
ROWS = 10 * 500  # ten batches of children/excel.py's 500


def signal_group(name: str, sig: int) -> None:
    """Sends a signal to one cluster process's group (the worker and its children), as its pid file names it."""
    os.killpg(int((ROOT / "var" / "cluster" / "run" / f"{name}.pid").read_text()), sig)


def booted(name: str) -> int:
    """How many times a worker has come up (the line dramatiq logs when its threads are ready)."""
    return (ROOT / "var" / "cluster" / "log" / f"{name}.log").read_text().count("Worker process is ready for action")


def test_a_worker_killed_mid_import_leaves_the_job_to_the_other_worker_without_duplicates():
    staff = Client(NGINX).login(STAFF)
    town = staff("{ children(first: 1) { edges { node { organization { id } } } } }")["children"]["edges"][0]["node"]["organization"]["id"]
    prefix = f"集群{time.monotonic_ns() % 100_000}号"
    rows = [roster(ROWS)[0]] + [[prefix + str(i), *row[1:]] for i, row in enumerate(roster(ROWS)[1:])]
    # given the import running on worker1 (worker2 down while it is picked up), some batches in, frozen there
    # (SIGSTOP: so that it is certainly mid-run, however fast this machine is) while worker2 comes up
    cluster("kill", "worker2")
    try:
        started = staff.upload(IMPORT, {"organizationId": town}, "file", "花名册.xlsx", workbook(rows, title=None))
        assert not started["importChildren"]["errors"], started
        job = started["importChildren"]["job"]["id"]
        wait_for(lambda: staff(JOB, {"id": job})["job"]["progressDone"] >= 500, 120, "the first batch", every=0.05)
        signal_group("worker1", signal.SIGSTOP)
    finally:
        boots = booted("worker2")
        cluster("start", "worker2")
    frozen = staff(JOB, {"id": job})["job"]
    assert frozen["state"] == "RUNNING" and frozen["progressDone"] < ROWS, frozen
    wait_for(lambda: booted("worker2") > boots, 60, "worker2 to come up")
    # when worker1 is killed without warning
    cluster("kill", "worker1")
    try:
        # then worker2 finishes the job (RabbitMQ redelivers worker1's message; the reaper requeues the run
        # whose heartbeat stopped) with exactly one child per row
        done = wait_for(lambda: (j := staff(JOB, {"id": job})["job"])["state"] in ("SUCCEEDED", "FAILED") and j, 240,
                        "the job to finish on worker2")
    finally:
        cluster("start", "worker1")
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
    cluster_dir = ROOT / "var" / "cluster"
    started = collections.Counter(
        line.split(" started as job")[0] for name in ("scheduler1", "scheduler2")
        for line in (cluster_dir / "log" / f"{name}.log").read_text().splitlines() if " started as job " in line)
    assert started and max(started.values()) == 1, started.most_common(3)
    refused = sum(path.read_text(errors="replace").count('violates unique constraint "jobs_job_key_key"')
                  for path in (cluster_dir / "system" / "postgres" / "log").glob("postgres-*.log"))
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
