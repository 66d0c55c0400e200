"""Periodic reminders (jobs.registry.SCHEDULE) that only notify: dispatches about to expire, transfers left
waiting, reports past their deadline. Each thing is reminded once (the notification key). The reminder of a
report due soon is rollups.reports.remind_due, and of an overdue pairing programs.pairings.remind_overdue: they
also stamp their own records."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from children.models import Transfer, TransferState
from notifications import events
from rollups.models import Report, ReportAddressee
from rollups.reports import DONE
from wishes.models import Dispatch, DispatchState

DISPATCH_WARNING = timedelta(hours=24)
TRANSFER_WAIT_DAYS = 3
OVERDUE_REMINDER_DAYS = 7  # a report missed by its deadline is reminded if the deadline is at most this old


def remind_expiring_dispatches(now=None) -> int:
    """Hourly: units whose pending dispatch expires within DISPATCH_WARNING."""
    now = now or timezone.now()
    due = Dispatch.objects.filter(state=DispatchState.PENDING, deadline__gt=now, deadline__lte=now + DISPATCH_WARNING) \
        .select_related("unit", "wish__organization", "wish__handling_organization")
    for dispatch in due:
        events.dispatch_expiring(dispatch)
    return len(due)


def remind_waiting_transfers(today: date | None = None) -> int:
    """Daily: transfers nobody decided on for TRANSFER_WAIT_DAYS."""
    today = today or timezone.localdate()
    since = timezone.make_aware(datetime.combine(today - timedelta(days=TRANSFER_WAIT_DAYS), time.min))
    waiting = Transfer.objects.filter(state=TransferState.REQUESTED, created_at__lt=since) \
        .select_related("from_organization", "to_organization")
    for transfer in waiting:
        events.transfer_waiting(transfer, (today - timezone.localdate(transfer.created_at)).days)
    return len(waiting)


def remind_overdue_reports(today: date | None = None) -> int:
    """Daily: addressees past the deadline with nothing submitted or approved."""
    today = today or timezone.localdate()
    done = Report.objects.filter(request=OuterRef("request"), organization=OuterRef("organization"), state__in=DONE)
    late = ReportAddressee.objects.filter(request__deadline__lt=today,
                                          request__deadline__gte=today - timedelta(days=OVERDUE_REMINDER_DAYS)) \
        .exclude(Exists(done)).select_related("request__organization", "organization")
    for addressee in late:
        events.report_overdue(addressee)
    return len(late)
