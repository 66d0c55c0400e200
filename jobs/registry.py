"""What runs in the background: the function of each job kind, and the periodic jobs with their schedule.

Functions are named by dotted path (imported when a job runs: children.excel imports jobs.runner, so a direct
import here would be circular). A job function takes the Job and reads everything from its row.

Adding a periodic job is one line in SCHEDULE: a name (stable: it keys the slots already run), how often,
optionally an offset into the period in local time (``at``), and the function. With ``actor=True`` the
function is called with an unscoped system actor named after the job (``Actor.system``), else with no
arguments; it returns how many records it handled (or None).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.module_loading import import_string

from core.errors import Texts
from jobs.models import Kind

FUNCTIONS = {
    Kind.CHILDREN_IMPORT: "children.excel.run_import",
    Kind.CHILDREN_EXPORT: "children.excel.run_export",
    Kind.PERIODIC: "jobs.scheduler.run_periodic",
    Kind.LEDGER_EXPORT: "rollups.ledgers.run_export",
    Kind.REPORT_EXPORT: "rollups.ledgers.run_report_export",
    Kind.ACCOUNTS_IMPORT: "accounts.excel.run_import",
    Kind.AUDIT_EXPORT: "accounts.audit_export.run_export",
    Kind.NOTIFICATION_DELIVERY: "notifications.services.run_delivery",
}

# Kinds that only read the domain's tables (they write their file, their progress and audit entries, which
# always go to the primary): with a standby (settings.JOBS_READ_ONLY_RUN) they read it.
READ_ONLY = frozenset({Kind.CHILDREN_EXPORT, Kind.LEDGER_EXPORT, Kind.REPORT_EXPORT, Kind.AUDIT_EXPORT})

SECOND, MINUTE, HOUR, DAY = timedelta(seconds=1), timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
EPOCH = datetime(2000, 1, 3)  # a Monday, local time: weekly periods start on Mondays


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    call: str
    at: timedelta = timedelta(0)
    actor: bool = False

    def slot(self, now: datetime) -> datetime:
        """The start of the period ``now`` falls in (local time, aware): each slot runs once."""
        local = timezone.localtime(now).replace(tzinfo=None)
        start = EPOCH + self.at + (local - EPOCH - self.at) // self.every * self.every
        return timezone.make_aware(start)

    def key(self, slot: datetime) -> str:
        """"name@slot start": to the minute, to the second for periods shorter than a minute."""
        return f"{self.name}@{timezone.localtime(slot):%Y-%m-%dT%H:%M{':%S' if self.every < MINUTE else ''}}"


SCHEDULE = (
    Periodic("anonymize_expired", DAY, "children.services.anonymize_expired", at=3 * HOUR, actor=True),
    Periodic("expire_dispatches", 5 * MINUTE, "wishes.services.expire_dispatches"),
    Periodic("escalate_overdue", DAY, "wishes.services.escalate_overdue", at=1 * HOUR, actor=True),
    # a change reaches every ancestor's figures within a slot, the tick and the fold: well within a minute
    Periodic("fold_rollups", 30 * SECOND, "rollups.services.scheduled_fold"),
    Periodic("rebuild_rollups", DAY, "rollups.services.scheduled_refresh", at=2 * HOUR),
    Periodic("remind_reports", DAY, "rollups.reports.remind_due", at=8 * HOUR),
    Periodic("remind_overdue_pairings", DAY, "programs.pairings.remind_overdue", at=8 * HOUR),
    Periodic("purge_job_files", 15 * MINUTE, "jobs.services.purge_expired_files", actor=True),
    Periodic("remind_expiring_dispatches", HOUR, "notifications.reminders.remind_expiring_dispatches"),
    Periodic("remind_waiting_transfers", DAY, "notifications.reminders.remind_waiting_transfers", at=8 * HOUR),
    Periodic("remind_overdue_reports", DAY, "notifications.reminders.remind_overdue_reports", at=8 * HOUR),
    Periodic("fold_path_counts", HOUR, "orgs.counts.compact", at=17 * MINUTE),
)



def tick_seconds() -> float:
    """How often the schedulers step (runscheduler, the in-process thread): the shortest period, at most a
    minute, so that no slot of it is missed."""
    return min([MINUTE, *(p.every for p in SCHEDULE)]).total_seconds()


class PeriodicTitle(Texts):
    """What each periodic job is called in its messages (keyed by the job's name)."""

    anonymize_expired = ("匿名化到期档案", "anonymizing expired records")
    expire_dispatches = ("过期派单处理", "expiring dispatches")
    escalate_overdue = ("逾期心愿交上级", "escalating overdue wishes")
    fold_rollups = ("统计数据增量汇总", "folding changes into the rollups")
    rebuild_rollups = ("统计数据全量重算", "rebuilding the rollups")
    remind_reports = ("报送到期提醒", "reminding reports due")
    remind_overdue_pairings = ("结对逾期提醒", "reminding overdue pairings")
    fold_path_counts = ("整理列表计数", "folding the lists' row counts")


def function(kind: str):
    return import_string(FUNCTIONS[kind])


def title(name: str) -> str:
    """A periodic job's name for people (its key when it has no title, e.g. a test's own schedule)."""
    return PeriodicTitle[name].render() if name in PeriodicTitle.__members__ else name


def periodic(name: str) -> Periodic:
    return next(p for p in SCHEDULE if p.name == name)
