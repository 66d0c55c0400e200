"""Periodic jobs: every 30 s (registry.tick_seconds), ``tick()`` reaps orphaned jobs and starts each periodic job whose
slot is due.

Any number of schedulers (``manage.py runscheduler`` on several machines, the in-process thread of each web
process) may tick at once: a slot becomes a Job row with a unique ``key`` ("name@slot start") inserted
before anything is sent, so the second scheduler's insert fails and that slot runs once. A scheduler that
was down catches up with the current slot only (a daily job missed at 03:00 runs when the scheduler is
back, once). The schedule itself is jobs.registry.SCHEDULE.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.errors import Texts
from jobs import registry, runner
from jobs.models import Job, Kind, State
from permissions.actor import Actor

logger = logging.getLogger(__name__)


class SchedulerText(Texts):
    DONE = ("定时任务“{name}”完成：处理 {count} 条", "Periodic job “{name}” done: {count} handled")


def tick(now=None) -> list[Job]:
    """One scheduler step; returns the periodic jobs it started."""
    now = now or timezone.now()
    runner.reap(now)
    started = [job for periodic in registry.SCHEDULE if (job := start(periodic, now)) is not None]
    Job.objects.filter(kind=Kind.PERIODIC, state__in=[State.SUCCEEDED, State.FAILED],
                       finished_at__lt=now - timedelta(days=settings.JOBS_KEEP_PERIODIC_DAYS)).delete()
    return started


def start(periodic: registry.Periodic, now) -> Job | None:
    """The job of ``periodic``'s current slot, or None when a scheduler already started that slot."""
    slot = periodic.slot(now)
    try:
        with transaction.atomic():
            job = Job.objects.create(kind=Kind.PERIODIC, key=periodic.key(slot), created_at=now, heartbeat_at=now,
                                     params={"name": periodic.name, "slot": slot.isoformat(),
                                             "language": settings.LANGUAGE_CODE})
    except IntegrityError:
        return None
    logger.info("periodic job %s: slot %s started as job %s", periodic.name, slot, job.pk)
    runner.enqueue(job)
    return job


def run_periodic(job: Job) -> None:
    """The job function of every periodic job (registry.FUNCTIONS[PERIODIC])."""
    periodic = registry.periodic(job.params["name"])
    function = import_string(periodic.call)
    count = function(Actor.system(f"periodic:{periodic.name}")) if periodic.actor else function()
    job.message = SchedulerText.DONE.render(name=registry.title(periodic.name),
                                            count=count if count is not None else "-")
