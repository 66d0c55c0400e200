"""The embedded default: without REDIS_URL or RABBITMQ_URL the broker lives in the web process, and so do a
dramatiq worker and a scheduler thread. config/wsgi.py and config/asgi.py call ``start()`` (so the web server
starts them, management commands such as migrate do not); with a real broker it does nothing (workers are
``manage.py rundramatiq``, the scheduler ``manage.py runscheduler``).

Messages in memory die with the process: on start, QUEUED jobs are sent again, and RUNNING ones that lost
their worker are requeued by the scheduler's reaper once their lease ends (runs are claimed once).
"""

import logging
import threading
import time

import dramatiq
from dramatiq.brokers.stub import StubBroker

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_worker = None


def start(worker_threads: int = 2, interval: float | None = None) -> bool:
    """Starts the worker and the scheduler once per process; False if the broker is not in-process."""
    global _worker
    broker = dramatiq.get_broker()
    if not isinstance(broker, StubBroker):
        return False
    with _lock:
        if _worker is not None:
            return True
        import jobs.tasks  # noqa: F401  (declares the actor and its queue on the broker)

        _worker = dramatiq.Worker(broker, worker_threads=worker_threads)
        _worker.start()
        from jobs import registry

        threading.Thread(target=_schedule, args=(interval or registry.tick_seconds(),), name="jobs-scheduler",
                         daemon=True).start()
    logger.info("in-process job worker (%s threads) and scheduler started", worker_threads)
    return True


def _schedule(interval: float) -> None:
    """A thread, not the caller: the ORM must not run in an ASGI server's event loop."""
    from django.db import close_old_connections

    from jobs import runner, scheduler
    from jobs.models import Job, State

    for job_id in Job.objects.filter(state=State.QUEUED).values_list("pk", flat=True):
        runner.send(job_id)
    while True:
        try:
            scheduler.tick()
        except Exception:
            logger.exception("scheduler step failed / 定时任务调度出错")
        finally:
            close_old_connections()
        time.sleep(interval)
