"""Jobs through a real dramatiq Worker on the configured broker (in-process StubBroker; Redis with REDIS_URL):
progress and outcome over GraphQL, retries with backoff, a bounded number of runs, and each job run once."""

import time

import pytest
from django.conf import settings
from django.test import Client

from children.models import Child
from jobs import registry, runner
from jobs import services as jobs
from jobs.models import Job, Kind, State
from jobs.tasks import run_job
from permissions.actor import Actor
from tests.conftest import GraphQLClient, user
from tests.jobs.helpers import roster, upload, workbook
from tests.permissions.helpers import org

pytestmark = pytest.mark.django_db

JOB = "query($id: ID!) { job(id: $id) { id kind state progressDone progressTotal message error resultUrl } }"
CALLS = []


def flaky(job):
    """Fails on its first run, succeeds on the next."""
    CALLS.append((job.pk, job.attempts, time.monotonic()))
    if job.attempts == 1:
        raise ConnectionError("database went away")
    job.message = "ok"


def broken(job):
    CALLS.append((job.pk, job.attempts, time.monotonic()))
    raise ValueError("a bug")


def counted(job):
    CALLS.append((job.pk, job.attempts, time.monotonic()))
    job.message = "ok"


@pytest.fixture
def calls(monkeypatch):
    CALLS.clear()
    return lambda function: monkeypatch.setitem(registry.FUNCTIONS, Kind.CHILDREN_EXPORT, f"{__name__}.{function}")


def export_job() -> Job:
    return jobs.create(Actor.for_user(user("maliang_league_staff")), Kind.CHILDREN_EXPORT)


def staff_client() -> Client:
    client = Client()
    client.force_login(user("maliang_league_staff"))
    return client


def test_an_import_runs_on_the_worker_after_commit_and_its_progress_shows_over_graphql(
        worker, django_capture_on_commit_callbacks):
    client = staff_client()
    before = Child.objects.filter(organization=org("马良镇团委")).count()

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, org("马良镇团委"), workbook(roster(600), title=None))
        queued = response.json()["data"]["importChildren"]["job"]
        assert queued["state"] == "QUEUED" and queued["progressDone"] == 0
    worker.drain()

    job = GraphQLClient(client)(JOB, {"id": queued["id"]})["job"]
    assert (job["state"], job["progressDone"], job["progressTotal"], job["error"]) == ("SUCCEEDED", 600, 600, "")
    assert job["message"].startswith("新增 600 条，更新 0 条，未变 0 条，有误 0 行")
    assert job["resultUrl"]
    assert Child.objects.filter(organization=org("马良镇团委")).count() == before + 600
    assert Job.objects.get(pk=Job.objects.latest("pk").pk).attempts == 1


def test_a_failing_run_is_retried_after_a_backoff_and_then_succeeds(worker, calls, settings):
    calls("flaky")
    settings.JOBS_RETRY_BACKOFF_SECONDS = 0.3
    job = export_job()

    runner.send(job.pk)
    worker.drain()

    job.refresh_from_db()
    assert (job.state, job.attempts, job.message, job.error) == (State.SUCCEEDED, 2, "ok（第 2 次运行完成；此前运行已写入的数据没有重复写入）", "")
    (_, first, at_first), (_, second, at_second) = CALLS
    assert (first, second) == (1, 2)
    assert at_second - at_first >= 0.3  # dramatiq's Retries waited for the backoff


def test_a_job_that_keeps_failing_stops_after_the_maximum_runs_with_a_message(
        worker, calls, django_capture_on_commit_callbacks):
    calls("broken")
    client = staff_client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/graphql", {"query": "mutation { exportChildren(input: {}) { job { id } } }"},
                               content_type="application/json")
    job_id = response.json()["data"]["exportChildren"]["job"]["id"]
    worker.drain()

    job = GraphQLClient(client)(JOB, {"id": job_id})["job"]
    assert (job["state"], job["error"]) == ("FAILED", runner.JobText.FAILED.render())
    assert [attempt for _, attempt, _ in CALLS] == list(range(1, settings.JOBS_MAX_ATTEMPTS + 1))
    assert "a bug" not in job["message"] + job["error"]


def test_a_finished_job_never_runs_again_and_a_running_one_is_not_run_twice(worker, calls):
    calls("counted")
    job = export_job()
    runner.send(job.pk)
    worker.drain()
    runner.send(job.pk)  # a redelivery, or a resend, of a job that already succeeded
    worker.drain()
    assert [(pk, attempt) for pk, attempt, _ in CALLS] == [(job.pk, 1)]
    assert Job.objects.get(pk=job.pk).state == State.SUCCEEDED

    other = export_job()
    Job.objects.filter(pk=other.pk).update(state=State.RUNNING, attempts=1)  # another worker holds it, alive
    run_job.send(other.pk)
    worker.drain()
    assert [pk for pk, _, _ in CALLS] == [job.pk]
    assert Job.objects.get(pk=other.pk).state == State.RUNNING
