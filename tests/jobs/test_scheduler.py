"""Periodic jobs: each slot runs once however many schedulers tick; orphaned jobs are requeued or failed."""

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from config.settings import dramatiq_broker
from jobs import registry, runner, scheduler
from jobs import services as jobs
from jobs.models import Job, Kind, State
from permissions.actor import Actor
from tests.conftest import user

pytestmark = pytest.mark.django_db

RUNS = []


def count_run():
    RUNS.append(1)
    return 7


def local(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def schedule(monkeypatch):
    RUNS.clear()
    entries = (registry.Periodic("every_five", 5 * registry.MINUTE, f"{__name__}.count_run"),
               registry.Periodic("nightly", registry.DAY, f"{__name__}.count_run", at=3 * registry.HOUR))
    monkeypatch.setattr(registry, "SCHEDULE", entries)
    return entries


def periodic_jobs(name) -> list[Job]:
    return list(Job.objects.filter(kind=Kind.PERIODIC, params__name=name).order_by("pk"))


def test_a_slot_starts_at_the_last_boundary_in_local_time():
    five = registry.Periodic("x", 5 * registry.MINUTE, "x")
    nightly = registry.Periodic("x", registry.DAY, "x", at=3 * registry.HOUR)
    assert five.slot(local(2026, 11, 26, 10, 7, 59)) == local(2026, 11, 26, 10, 5)
    assert nightly.slot(local(2026, 11, 26, 2, 59)) == local(2026, 11, 25, 3, 0)
    assert nightly.slot(local(2026, 11, 26, 3, 0)) == local(2026, 11, 26, 3, 0)
    assert nightly.key(local(2026, 11, 26, 3, 0)) == "x@2026-11-26T03:00"


def test_each_slot_runs_once_however_many_schedulers_tick(schedule):
    now = local(2026, 11, 26, 10, 1)

    first = scheduler.tick(now)
    # another scheduler (or the same one a minute later) in the same slots starts nothing
    assert scheduler.tick(now) == [] and scheduler.tick(now + timedelta(minutes=1)) == []

    assert sorted(job.params["name"] for job in first) == ["every_five", "nightly"]
    assert len(RUNS) == 2
    later = scheduler.tick(now + timedelta(minutes=4))  # 10:05: a new five-minute slot, the same night
    assert [job.params["name"] for job in later] == ["every_five"] and len(RUNS) == 3
    assert [job.key for job in periodic_jobs("every_five")] == ["every_five@2026-11-26T10:00", "every_five@2026-11-26T10:05"]
    assert [job.key for job in periodic_jobs("nightly")] == ["nightly@2026-11-26T03:00"]
    job = periodic_jobs("nightly")[0]
    assert (job.state, job.message) == (State.SUCCEEDED, "定时任务“nightly”完成：处理 7 条")


def test_the_fold_runs_in_thirty_second_slots_keyed_to_the_second_and_schedulers_tick_as_often(monkeypatch):
    # given the real fold entry: 30-second slots, and schedulers stepping every 30 s
    fold = registry.periodic("fold_rollups")
    assert fold.slot(local(2026, 11, 26, 10, 7, 59)) == local(2026, 11, 26, 10, 7, 30)
    assert registry.tick_seconds() == 30
    RUNS.clear()
    monkeypatch.setattr(registry, "SCHEDULE", (registry.Periodic("half", fold.every, f"{__name__}.count_run"),
                                               registry.Periodic("hourly", registry.HOUR, f"{__name__}.count_run")))
    now = local(2026, 11, 26, 10, 1, 5)
    # when schedulers tick at 10:01:05, 10:01:25 (the same slot) and 10:01:35 (the next)
    started = [scheduler.tick(now + timedelta(seconds=s)) for s in (0, 20, 30)]
    # then each 30-second slot ran once, with a key to the second; longer periods keep keys to the minute
    assert [len(jobs_) for jobs_ in started] == [2, 0, 1] and len(RUNS) == 3
    assert [job.key for job in periodic_jobs("half")] == ["half@2026-11-26T10:01:00", "half@2026-11-26T10:01:30"]
    assert [job.key for job in periodic_jobs("hourly")] == ["hourly@2026-11-26T10:00"]


def test_a_slot_another_scheduler_took_is_not_sent_again(schedule, settings, monkeypatch):
    settings.JOBS_EAGER = False
    sent = []
    monkeypatch.setattr(runner, "send", sent.append)
    now = local(2026, 11, 26, 10, 1)
    Job.objects.create(kind=Kind.PERIODIC, key="every_five@2026-11-26T10:00", params={"name": "every_five"})

    started = scheduler.tick(now)

    assert [job.params["name"] for job in started] == ["nightly"]
    assert len(periodic_jobs("every_five")) == 1 and RUNS == []


def test_the_registered_periodic_jobs_run_on_the_worker(worker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        started = scheduler.tick()
    worker.drain()

    assert sorted(job.params["name"] for job in started) == sorted(p.name for p in registry.SCHEDULE)
    for job in started:
        job.refresh_from_db()
        assert (job.state, job.error, job.attempts) == (State.SUCCEEDED, "", 1), job.message
        assert job.message.startswith(f"定时任务“{registry.title(job.params['name'])}”完成：处理 ")


def test_finished_periodic_jobs_are_pruned_after_the_keeping_period(schedule, settings):
    now = timezone.now()
    old = Job.objects.create(kind=Kind.PERIODIC, key="old@1", state=State.SUCCEEDED,
                             finished_at=now - timedelta(days=settings.JOBS_KEEP_PERIODIC_DAYS + 1))
    scheduler.tick(now)
    assert not Job.objects.filter(pk=old.pk).exists()


def test_runscheduler_once_starts_the_due_slots(schedule):
    out = StringIO()
    call_command("runscheduler", "--once", stdout=out)
    assert "every_five@" in out.getvalue() and "nightly@" in out.getvalue() and len(RUNS) == 2


# The reaper -------------------------------------------------------------------------------------------------

def running(heartbeat_age: timedelta, attempts=1) -> Job:
    job = jobs.create(Actor.for_user(user("maliang_league_staff")), Kind.CHILDREN_EXPORT)
    Job.objects.filter(pk=job.pk).update(state=State.RUNNING, attempts=attempts, heartbeat_at=timezone.now() - heartbeat_age)
    return Job.objects.get(pk=job.pk)


def test_a_running_job_whose_worker_died_is_queued_again_and_sent_or_failed_after_the_last_run(
        settings, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(runner, "send", sent.append)
    lease = timedelta(seconds=settings.JOBS_LEASE_SECONDS)
    orphaned, alive = running(lease + timedelta(seconds=1)), running(lease - timedelta(seconds=5))
    exhausted = running(lease + timedelta(seconds=1), attempts=settings.JOBS_MAX_ATTEMPTS)

    with django_capture_on_commit_callbacks(execute=True):
        runner.reap()

    for job in (orphaned, alive, exhausted):
        job.refresh_from_db()
    assert (orphaned.state, orphaned.message) == (State.QUEUED, runner.JobText.LOST.render())
    assert alive.state == State.RUNNING
    assert (exhausted.state, exhausted.error) == (State.FAILED, runner.JobText.FAILED.render())
    assert exhausted.message == runner.JobText.GAVE_UP.render(runs=settings.JOBS_MAX_ATTEMPTS)
    assert sent == [orphaned.pk]
    # the requeued job can be claimed by the next worker, the live one cannot
    assert runner.claim(orphaned.pk).attempts == 2 and runner.claim(alive.pk) is None


def test_a_queued_job_nobody_took_is_sent_again_once_per_period(settings, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(runner, "send", sent.append)
    job = jobs.create(Actor.for_user(user("maliang_league_staff")), Kind.CHILDREN_EXPORT)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=settings.JOBS_RESEND_SECONDS + 1))

    with django_capture_on_commit_callbacks(execute=True):
        runner.reap()
        runner.reap()

    assert sent == [job.pk] and Job.objects.get(pk=job.pk).state == State.QUEUED


def test_the_broker_comes_from_the_environment():
    assert dramatiq_broker({})["BROKER"] == "dramatiq.brokers.stub.StubBroker"
    redis = dramatiq_broker({"REDIS_URL": "redis://h:6379/2", "RABBITMQ_URL": "amqp://r"})
    assert (redis["BROKER"], redis["OPTIONS"]) == ("dramatiq.brokers.redis.RedisBroker",
                                                   {"url": "redis://h:6379/2", "namespace": "dramatiq"})
    rabbit = dramatiq_broker({"RABBITMQ_URL": "amqp://guest:guest@127.0.0.1:5672/"})
    assert (rabbit["BROKER"], rabbit["OPTIONS"]) == ("dramatiq.brokers.rabbitmq.RabbitmqBroker",
                                                     {"url": "amqp://guest:guest@127.0.0.1:5672/"})
    assert all("dramatiq.middleware.Retries" in b["MIDDLEWARE"] for b in (redis, rabbit, dramatiq_broker({})))


def test_the_web_process_starts_its_worker_and_scheduler_once_and_only_without_a_broker_server(monkeypatch):
    from dramatiq.brokers.stub import StubBroker

    from jobs import inprocess

    started = []
    monkeypatch.setattr(inprocess, "_worker", None)
    monkeypatch.setattr(inprocess.dramatiq, "Worker", lambda broker, **kw: type("W", (), {"start": lambda self: started.append("worker")})())
    monkeypatch.setattr(inprocess.threading, "Thread", lambda **kw: type("T", (), {"start": lambda self: started.append(kw["name"])})())

    monkeypatch.setattr(inprocess.dramatiq, "get_broker", lambda: object())  # Redis or RabbitMQ
    assert inprocess.start() is False and started == []

    monkeypatch.setattr(inprocess.dramatiq, "get_broker", StubBroker)
    assert inprocess.start() is True and inprocess.start() is True
    assert started == ["worker", "jobs-scheduler"]
