"""Runs jobs in the background through dramatiq, once each, retried with backoff, resumed after a lost worker.

``enqueue(job)`` sends the job's id to the broker after the surrounding transaction commits (so the row and
its uploaded file exist); the actor (jobs.tasks.run_job) calls ``execute(job_id)`` in a worker, which runs
the function that jobs.registry names for the job's kind. ``settings.JOBS_EAGER`` runs it at once instead.

The rules, all here:

- A run starts by *claiming* the job in one UPDATE: QUEUED, or RUNNING with a heartbeat older than the
  lease (its worker died), becomes RUNNING with one more attempt. A duplicate or late message (a redelivery,
  a resend) claims nothing, so a job runs once at a time and a SUCCEEDED or FAILED job never runs again.
- While the function runs, a thread writes a heartbeat every third of ``JOBS_LEASE_SECONDS``;
  ``reap()`` (called by the scheduler every 30 s) queues again a RUNNING job whose heartbeat stopped, or
  fails it with a message once it has had ``JOBS_MAX_ATTEMPTS`` runs.
- An exception queues the job again and raises dramatiq's Retry with an exponential backoff, up to
  ``JOBS_MAX_ATTEMPTS`` runs; then it is FAILED with ``JobText.FAILED`` (details in the log only).
- A run writes its outcome only if it still holds the claim (same attempt, still RUNNING).
- A ServiceError is a refusal of the job's input (a workbook too large, a corrupt file, an object no longer
  visible): running again cannot help, so the job is FAILED at once with the error's code and its message in
  the job's language (``error_code``, ``error``).
- A job that ends (SUCCEEDED or FAILED) loses its uploaded input file; one that does not succeed loses any
  result file it wrote.

So a function must be safe to run again from the start: it reads everything from the job row (``params``,
``input_file``), reports progress with ``job.progress(done, total)``, writes ``result_file``/``message``,
and puts each batch of writes in its own transaction, skipping what an earlier run already wrote
(children.excel.run_import matches rows to existing records by the ID number's blind index). A killed run
then leaves whole batches only, and the next run recounts its progress from the start of the file.
"""

import logging
import threading
from contextlib import nullcontext
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from core.errors import ServiceError, Texts
from jobs import registry, services
from jobs.models import Job, Kind, State

logger = logging.getLogger(__name__)


class JobText(Texts):
    FAILED = ("任务失败，已记录。未完成的批次没有写入任何数据，可修正后重试。",
              "The job failed and has been logged. No unfinished batch wrote anything; you may retry.")
    RETRY = ("第 {run} 次运行出错，{seconds:g} 秒后自动重试。", "Run {run} failed; retrying in {seconds:g} s.")
    LOST = ("处理任务的工作进程中断，任务已重新排队，将从头核对、接着完成（已写入的批次不会重复）。",
            "The worker running this job stopped; the job is queued again and will check from the start and finish "
            "(batches already written are not written twice).")
    GAVE_UP = ("任务已运行 {runs} 次仍未完成，已停止。", "The job did not finish in {runs} runs and was stopped.")
    TIME_LIMIT = ("任务超过运行时限 {seconds} 秒，已停止。", "The job exceeded its time limit of {seconds} s and was stopped.")
    RESUMED = ("（第 {run} 次运行完成；此前运行已写入的数据没有重复写入）",
               " (finished on run {run}; nothing an earlier run wrote was written twice)")


def language(job: Job):
    """The job's own language (its request's), for everything written about it."""
    return translation.override(job.params.get("language") or settings.LANGUAGE_CODE)


OUTCOME_FIELDS = ("progress_done", "progress_total", "message", "result_file", "input_file")


class RetryLater(Exception):
    def __init__(self, delay_ms: int):
        super().__init__(delay_ms)
        self.delay_ms = delay_ms


def enqueue(job: Job) -> None:
    """Runs ``job`` in the background once the current transaction commits (at once with JOBS_EAGER)."""
    if settings.JOBS_EAGER:
        while True:
            try:
                execute(job.pk)
                break
            except RetryLater:
                continue
        job.refresh_from_db()
        return
    job_id = job.pk
    transaction.on_commit(lambda: send(job_id))


def send(job_id: int) -> None:
    from jobs.tasks import run_job  # the actor binds to the broker that django-dramatiq sets up

    run_job.send(job_id)


def claim(job_id: int, now=None) -> Job | None:
    """The job, now RUNNING under a new attempt, or None when it is not ours to run (see the module doc)."""
    now = now or timezone.now()
    claimable = Q(state=State.QUEUED) | Q(state=State.RUNNING, heartbeat_at__lt=now - lease())
    claimed = Job.objects.filter(claimable, pk=job_id).update(
        state=State.RUNNING, attempts=F("attempts") + 1, heartbeat_at=now,
        started_at=Coalesce(F("started_at"), Value(now, output_field=DateTimeField())))
    return Job.objects.get(pk=job_id) if claimed else None


def execute(job_id: int) -> None:
    """One run of a job; raises RetryLater(delay in ms) when it should run again."""
    job = claim(job_id)
    if job is None:
        logger.info("job %s: not claimable (finished, or running elsewhere); message skipped", job_id)
        return
    with language(job):
        _run(job)


def _run(job: Job) -> None:
    if job.attempts > settings.JOBS_MAX_ATTEMPTS:
        _finish(job, State.FAILED, error=JobText.FAILED.render(), message=JobText.GAVE_UP.render(runs=job.attempts - 1))
        return
    heartbeat = None if settings.JOBS_EAGER else _Heartbeat(job)
    try:
        with _reads_of(job):
            registry.function(job.kind)(job)
    except ServiceError as refusal:
        logger.info("job %s (%s) refused: %s", job.pk, job.kind, refusal.code.name)
        error = " ".join(message for _field, _code, message in refusal.rendered())
        _finish(job, State.FAILED, error=error, error_code=refusal.code.name)
        return
    except Exception:
        logger.exception("job %s (%s) failed on run %s", job.pk, job.kind, job.attempts)
        if job.attempts < settings.JOBS_MAX_ATTEMPTS:
            # capped below the resend period, or reap() would send the waiting job again before its retry
            seconds = min(settings.JOBS_RETRY_BACKOFF_SECONDS * 2 ** (job.attempts - 1), settings.JOBS_RESEND_SECONDS / 2)
            _finish(job, State.QUEUED, message=JobText.RETRY.render(run=job.attempts, seconds=seconds))
            raise RetryLater(int(seconds * 1000)) from None
        _finish(job, State.FAILED, error=JobText.FAILED.render())
        return
    except _time_limit_exceeded():
        logger.error("job %s (%s) exceeded its time limit", job.pk, job.kind)
        _finish(job, State.FAILED, error=JobText.FAILED.render(),
                message=JobText.TIME_LIMIT.render(seconds=settings.JOBS_TIME_LIMIT_SECONDS))
        return
    finally:
        if heartbeat is not None:
            heartbeat.stop()
    if job.attempts > 1 and job.kind != Kind.PERIODIC:
        job.message = f"{job.message}{JobText.RESUMED.render(run=job.attempts)}"
    _finish(job, State.SUCCEEDED)


def _reads_of(job: Job):
    """Where the run reads: a read-only kind through settings.JOBS_READ_ONLY_RUN (the standby), else as usual."""
    if job.kind in registry.READ_ONLY and settings.JOBS_READ_ONLY_RUN:
        return import_string(settings.JOBS_READ_ONLY_RUN)()
    return nullcontext()


def _finish(job: Job, state: str, *, error: str = "", error_code: str = "", message: str | None = None) -> None:
    """Writes the run's outcome, only while the run still holds the job (same attempt, RUNNING), and then
    deletes the files the outcome no longer names (see the module doc)."""
    now = timezone.now()
    if message is not None:
        job.message = message
    ended = state in (State.SUCCEEDED, State.FAILED)
    dropped = [job.result_file] if state != State.SUCCEEDED else []
    dropped += [job.input_file] if ended else []
    if state != State.SUCCEEDED:
        job.result_file = ""
    if ended:
        job.input_file = ""
    job.state, job.error, job.error_code, job.heartbeat_at = state, error, error_code, now
    job.finished_at = now if ended else None
    written = Job.objects.filter(pk=job.pk, attempts=job.attempts, state=State.RUNNING).update(
        state=state, error=error, error_code=error_code, heartbeat_at=now, finished_at=job.finished_at,
        **{field: getattr(job, field) for field in OUTCOME_FIELDS})
    if not written:
        logger.warning("job %s: run %s lost its claim (reaped as orphaned); outcome %s not written",
                       job.pk, job.attempts, state)
        return
    for name in dropped:
        services.discard(name)
    if job.finished_at is not None:
        from notifications import events  # notifications are sent by jobs: imported here, not at the top

        events.job_finished(job)


def reap(now=None) -> list[int]:
    """Queues again the RUNNING jobs whose worker died (heartbeat older than the lease), or fails them after
    JOBS_MAX_ATTEMPTS runs; sends again the QUEUED jobs no worker took for JOBS_RESEND_SECONDS (a lost
    message). Safe to run in several schedulers at once: each change is one conditional UPDATE.
    Returns the ids of the jobs sent again."""
    now = now or timezone.now()
    sent = []
    for job in Job.objects.filter(state=State.RUNNING, heartbeat_at__lt=now - lease()):
        mine = Job.objects.filter(pk=job.pk, attempts=job.attempts, state=State.RUNNING, heartbeat_at__lt=now - lease())
        with language(job):
            failed, gave_up, lost = JobText.FAILED.render(), JobText.GAVE_UP.render(runs=job.attempts), JobText.LOST.render()
        if job.attempts >= settings.JOBS_MAX_ATTEMPTS:
            if mine.update(state=State.FAILED, finished_at=now, heartbeat_at=now, error=failed, message=gave_up,
                           input_file="", result_file=""):
                services.discard(job.input_file)
                services.discard(job.result_file)
        elif mine.update(state=State.QUEUED, heartbeat_at=now, message=lost):
            logger.warning("job %s: worker lost during run %s; queued again", job.pk, job.attempts)
            sent.append(job.pk)
    for job_id in Job.objects.filter(state=State.QUEUED, heartbeat_at__lt=now - timedelta(seconds=settings.JOBS_RESEND_SECONDS)) \
            .values_list("pk", flat=True):
        if Job.objects.filter(pk=job_id, state=State.QUEUED, heartbeat_at__lt=now - timedelta(seconds=settings.JOBS_RESEND_SECONDS)) \
                .update(heartbeat_at=now):
            sent.append(job_id)
    for job_id in sent:
        transaction.on_commit(lambda job_id=job_id: send(job_id))
    return sent


def lease() -> timedelta:
    return timedelta(seconds=settings.JOBS_LEASE_SECONDS)


def _time_limit_exceeded():
    from dramatiq.middleware import TimeLimitExceeded

    return TimeLimitExceeded


class _Heartbeat(threading.Thread):
    """Writes the job's heartbeat while its run holds the claim; its own database connection."""

    def __init__(self, job: Job):
        super().__init__(name=f"job-{job.pk}-heartbeat", daemon=True)
        self.job_id, self.attempt, self.stopped = job.pk, job.attempts, threading.Event()
        self.start()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.JOBS_LEASE_SECONDS / 3):
                try:
                    Job.objects.filter(pk=self.job_id, attempts=self.attempt, state=State.RUNNING) \
                        .update(heartbeat_at=timezone.now())
                except DatabaseError:
                    logger.warning("job %s: heartbeat not written", self.job_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only

    def stop(self) -> None:
        self.stopped.set()
        self.join()
