"""A worker process killed (SIGKILL) in the middle of an import, on PostgreSQL and Redis: whole batches only,
the orphaned job is found by the reaper and queued again, and a new worker finishes it without duplicates.

The worker is ``manage.py rundramatiq`` in its own process group, so its rows must be committed: the test is
transactional (pytest-django flushes the database afterwards) and ``committed`` loads the demo data again
after the module, as tests/wishes/test_concurrency.py does.
"""

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from dramatiq.brokers.redis import RedisBroker

from children.excel import BATCH
from children.models import Child
from jobs import runner
from jobs import services as jobs
from jobs.models import Job, Kind, State
from permissions.actor import Actor
from tests.conftest import GraphQLClient, user
from tests.jobs.helpers import roster, workbook
from tests.permissions.helpers import org

ROWS = 8 * BATCH
LEASE_SECONDS = 2
JOB = "query($id: ID!) { job(id: $id) { state progressDone progressTotal } }"


@pytest.fixture(scope="module")
def committed(django_db_blocker):
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("a worker in another process needs PostgreSQL and REDIS_URL (the in-memory SQLite test "
                    "database is invisible to other processes); test_worker.py covers the in-process path")
    yield
    from demo.loader import load

    with django_db_blocker.unblock():
        pytest.demo = load()


def worker_environment(broker) -> dict:
    url = urlsplit(os.environ["DATABASE_URL"])
    return {**os.environ,
            "DATABASE_URL": urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"])),
            "DRAMATIQ_NAMESPACE": broker.namespace, "VAR_DIR": str(settings.VAR_DIR),
            "SECRET_KEY": settings.SECRET_KEY, "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
            "BLIND_INDEX_KEY": settings.BLIND_INDEX_KEY, "JOBS_LEASE_SECONDS": str(LEASE_SECONDS)}


def start_worker(broker, log):
    return subprocess.Popen([sys.executable, "manage.py", "rundramatiq", "--processes", "1", "--threads", "1"],
                            cwd=settings.BASE_DIR, env=worker_environment(broker), stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.usefixtures("committed")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_whole_batches_and_the_job_finishes_on_a_new_worker(broker, settings, tmp_path):
    assert isinstance(broker, RedisBroker)
    settings.JOBS_EAGER, settings.JOBS_LEASE_SECONDS = False, LEASE_SECONDS
    town = org("马良镇团委")
    imported = Child.objects.filter(organization=town, name__startswith="测试儿童")
    job = jobs.create(Actor.for_user(user("maliang_league_staff")), Kind.CHILDREN_IMPORT, town)
    jobs.save_upload(job, SimpleUploadedFile("花名册.xlsx", workbook(roster(ROWS), title=None)))
    staff = GraphQLClient().login("maliang_league_staff")
    job_id = staff("{ myJobs(first: 1) { edges { node { id } } } }")["myJobs"]["edges"][0]["node"]["id"]
    log = open(tmp_path / "worker.log", "w")

    # given an import running on a worker process, some batches in
    runner.enqueue(job)  # autocommit: sent at once
    first = start_worker(broker, log)
    try:
        seen = wait_for(lambda: (j := staff(JOB, {"id": job_id})["job"])["progressDone"] >= BATCH and j, 45,
                        "the first batch")
        assert seen["state"] == "RUNNING" and seen["progressTotal"] == ROWS
    finally:
        # when the worker is killed without warning
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()

    # then the children written are whole batches, and the job is still marked RUNNING
    written = imported.count()
    assert 0 < written < ROWS and written % BATCH == 0, written
    assert Job.objects.get(pk=job.pk).state == State.RUNNING

    # and once its lease ends the reaper queues it again, with a message
    assert wait_for(lambda: runner.reap() == [job.pk], LEASE_SECONDS + 5, "the reaper")
    assert (Job.objects.get(pk=job.pk).state, Job.objects.get(pk=job.pk).message) == (State.QUEUED, runner.JobText.LOST.render())

    # and a new worker finishes it with exactly one child per row
    second = start_worker(broker, log)
    try:
        wait_for(lambda: Job.objects.get(pk=job.pk).state in (State.SUCCEEDED, State.FAILED), 45, "the second run")
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    job.refresh_from_db()
    assert (job.state, job.attempts, job.progress_done, job.error) == (State.SUCCEEDED, 2, ROWS, ""), \
        (tmp_path / "worker.log").read_text()[-3000:]
    assert imported.count() == ROWS
    assert imported.values("id_index").distinct().count() == ROWS
    assert job.message.startswith(f"新增 {ROWS - written} 条，更新 0 条，未变 {written} 条，有误 0 行")
    assert job.message.endswith(runner.JobText.RESUMED.render(run=2))
