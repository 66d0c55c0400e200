import logging
import signal
import threading

import dramatiq
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from dramatiq.brokers.stub import StubBroker

from jobs import registry, scheduler

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = ("Every 30 s (the shortest period of jobs.registry.SCHEDULE): start due periodic jobs and requeue orphaned "
            "ones; safe to run several / 每 30 秒启动到期的定时任务、重新排队中断的任务；可同时运行多个")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one step, then exit (cron) / 只运行一次")
        parser.add_argument("--interval", type=float, default=registry.tick_seconds(),
                            help="seconds between steps / 间隔秒数")

    def handle(self, *args, once=False, interval=None, **options):
        interval = interval or registry.tick_seconds()
        if isinstance(dramatiq.get_broker(), StubBroker) and not settings.JOBS_EAGER:
            raise CommandError("没有设置 REDIS_URL 或 RABBITMQ_URL：定时任务由 Web 进程自己运行（make run）。/ "
                               "No REDIS_URL or RABBITMQ_URL: the web process runs the scheduler itself (make run).")
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        while True:
            try:
                started = scheduler.tick()
            except Exception:  # the database may be restarting: log, wait, try again
                if once:
                    raise
                logger.exception("scheduler step failed / 定时任务调度出错")
                started = []
            finally:
                close_old_connections()
            if started or once:
                self.stdout.write(f"启动 / started: {', '.join(job.key for job in started) or '-'}")
            if once or stop.wait(interval):
                return
