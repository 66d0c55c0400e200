"""Runs a job's function in the background.

For now a thread in the web process, started after the surrounding transaction commits (so the job row and
its uploaded file exist); ``settings.JOBS_EAGER`` runs it synchronously instead (tests). The dramatiq issue
will move ``enqueue`` behind a dramatiq actor; callers keep calling ``enqueue(job, fn)`` and ``fn`` keeps
reading everything it needs from the job row (``params``, ``input_file``), never from a closure's state.

``fn(job)`` reports progress with ``job.progress(done, total)``, writes ``job.result_file``/``job.message``
and must put each batch of writes in its own transaction: a failure then leaves whole batches only.
"""

import logging
import threading

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone, translation

from jobs.models import Job, State

logger = logging.getLogger(__name__)
FAILED_MESSAGE = ("任务失败，已记录。未完成的批次没有写入任何数据，可修正后重试。/ "
                  "The job failed and has been logged. No unfinished batch wrote anything; you may retry.")


def enqueue(job: Job, fn) -> None:
    if settings.JOBS_EAGER:
        _run(job, fn)
        return
    transaction.on_commit(lambda: threading.Thread(target=_thread, args=(job.pk, fn), daemon=True).start())


def _thread(job_id: int, fn) -> None:
    try:
        _run(Job.objects.get(pk=job_id), fn)
    finally:
        connections.close_all()  # this thread's connections only


def _run(job: Job, fn) -> None:
    job.state, job.started_at = State.RUNNING, timezone.now()
    job.save(update_fields=["state", "started_at"])
    try:
        with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
            fn(job)
        job.state = State.SUCCEEDED
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        job.state, job.error = State.FAILED, FAILED_MESSAGE
    job.finished_at = timezone.now()
    job.save()
