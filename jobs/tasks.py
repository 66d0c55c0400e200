"""The one dramatiq actor: messages carry a job's id only; jobs.runner does the rest (found by rundramatiq)."""

import dramatiq
from django.conf import settings

from jobs import runner


@dramatiq.actor(queue_name="jobs", max_retries=settings.JOBS_MAX_ATTEMPTS + 2,
                time_limit=settings.JOBS_TIME_LIMIT_SECONDS * 1000)
def run_job(job_id: int) -> None:
    """Retries are decided by jobs.runner (JOBS_MAX_ATTEMPTS, counted on the job row); ``max_retries`` here is
    only a backstop. dramatiq's Retries middleware re-sends the message after the backoff in ``Retry``."""
    try:
        runner.execute(job_id)
    except runner.RetryLater as later:
        raise dramatiq.Retry(delay=later.delay_ms) from None
