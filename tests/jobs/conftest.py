"""Jobs run eagerly unless a test asks for ``worker``: a real dramatiq Worker in this process, consuming from the
configured broker (the in-process StubBroker; Redis when REDIS_URL is set), running jobs.tasks.run_job.

The worker's thread uses the test's own database connection (as Django's live server does for in-memory SQLite),
so it sees the rows of the test's transaction and the test still rolls back; the test waits in ``drain()`` while
the worker runs, so the connection is never used by two threads at once. Killed workers and separate processes
are tested in test_killed_worker.py with committed data.
"""

import os
import uuid

import dramatiq
import pytest
from django.db import connections
from dramatiq.brokers.redis import RedisBroker

import jobs.tasks  # noqa: F401  (declares the actor and the "jobs" queue)

QUEUE = "jobs"


@pytest.fixture(autouse=True)
def eager_jobs(settings):
    settings.JOBS_EAGER = True


class _SharedConnection(dramatiq.Middleware):
    """Hands the test's connection to the worker thread before each message."""

    connection = None

    def before_process_message(self, broker, message):
        if self.connection is not None:
            connections["default"] = self.connection


_shared = _SharedConnection()


@pytest.fixture(scope="session")
def broker():
    """The configured broker; on Redis under a key namespace of this test process, deleted afterwards."""
    broker = dramatiq.get_broker()
    if _shared not in broker.middleware:
        broker.add_middleware(_shared)
    if not isinstance(broker, RedisBroker):
        yield broker
        return
    previous = broker.namespace
    broker.namespace = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:8]}"
    yield broker
    for key in broker.client.scan_iter(f"{broker.namespace}:*"):
        broker.client.delete(key)
    broker.namespace = previous


class Worker:
    def __init__(self, broker):
        self.broker = broker
        self.worker = dramatiq.Worker(broker, worker_timeout=50, worker_threads=1)

    def drain(self, timeout_ms: int = 20000) -> None:
        """Waits until every message sent so far (and any retry it caused) has been processed."""
        self.broker.join(QUEUE, timeout=timeout_ms)
        self.worker.join()


@pytest.fixture
def worker(broker, settings, monkeypatch):
    settings.JOBS_EAGER = False
    settings.JOBS_RETRY_BACKOFF_SECONDS = 0.05
    connection = connections["default"]
    connection.ensure_connection()
    # dramatiq-django closes "old" connections around each message: that would end the test's transaction.
    monkeypatch.setattr(connection, "close", lambda: None)
    connection.inc_thread_sharing()
    _shared.connection = connection
    running = Worker(broker)
    running.worker.start()
    try:
        yield running
    finally:
        running.worker.stop()
        _shared.connection = None
        connection.dec_thread_sharing()
