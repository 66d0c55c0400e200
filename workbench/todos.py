"""工作台: the signed-in actor's to-dos, counted by kind in ONE SQL statement whatever the size of its scope.

Each kind is the queryset its filtered screen lists, read through the actor's Scope, offered only to an actor
holding the permission to act on it (dispatches: to people acting for a unit, and to a unit's token). The
counts are read together (core/sql.py: ``SELECT (SELECT COUNT(v) FROM (<kind 1>)), (SELECT COUNT(v) …), …``):
the scope enters each as a few path-prefix conditions, so the statement has the same shape for a village
clerk and a province admin, and each count is an indexed range scan (org_path) rather than a walk of the tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone as dt_timezone
from typing import Callable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from cases.services import cases_q, overdue_q as overdue_case_q
from cases.models import Case
from children.models import Transfer, TransferState
from core import sql
from core.errors import ErrorCode
from jobs import services as jobs
from jobs.models import State as JobState
from notifications.services import visible_to as my_notifications
from permissions.actor import Actor
from permissions.models import UnitGroup
from programs.models import Pairing, ServiceRecord
from programs.pairings import overdue_q
from rollups.models import Report, ReportAddressee, ReportState
from rollups.reports import APPROVE, DONE, SUBMIT
from wishes.models import Dispatch, DispatchState, State as WishState, Wish
from wishes.services import acting_units, visible_dispatches

FINISHED_JOBS_HOURS = 24
CHANGE_WISH = "wishes.change_wish"
TRANSFER = "children.transfer_child"
CONFIRM_HOURS = "programs.confirm_hours"
CHANGE_PROGRAM = "programs.change_program"
CHANGE_CASE = "cases.change_case"
REQUEST_SIDE = ("request__org_path", "request__organization_id")


class TodoText(ErrorCode):
    """The label of each kind (one language, as error messages)."""

    WISHES_TO_REVIEW = ("心愿待审核", "Wishes to review")
    WISHES_TO_PUBLISH = ("心愿待公示", "Wishes to publish")
    WISHES_TO_DELIVER = ("心愿待发放", "Claimed wishes to deliver")
    DISPATCHES_TO_ANSWER = ("派单待回复", "Dispatches to answer")
    TRANSFERS_TO_DECIDE = ("档案转移待处理", "Record transfers to decide")
    REPORTS_DUE = ("报送待完成", "Reports due")
    REPORTS_TO_APPROVE = ("报送待审核", "Reports to approve")
    HOURS_TO_CONFIRM = ("服务时长待确认", "Service hours to confirm")
    OVERDUE_PAIRINGS = ("结对超期未联系", "Overdue pairings")
    OVERDUE_REASSESSMENTS = ("个案待复评（已逾期）", "Case reassessments overdue")
    FINISHED_JOBS = ("已结束的后台任务（24 小时内）", "Jobs finished in the last 24 hours")


@dataclass(frozen=True)
class Kind:
    code: str
    permission: str | None  # None: every actor (jobs), or acting for a unit (dispatches)
    link: str               # the web console's filtered screen
    rows: Callable[[Actor, datetime], QuerySet]
    deadline: str | None = None  # a date field: the nearest one gives "days left"

    @property
    def label(self) -> str:
        return TodoText[self.code].render()


def _transfers_to_decide(actor: Actor, now) -> QuerySet:
    """Offers to the receiving side, requests (by the receiver) to the keeping side."""
    scope = actor.scope
    to_side, from_side = (scope.q(Transfer, TRANSFER, fields) for fields in (Transfer.SIDES[1], Transfer.SIDES[0]))
    return Transfer.objects.filter(Q(requested_by_receiver=False) & to_side | Q(requested_by_receiver=True) & from_side,
                                   state=TransferState.REQUESTED)


def _reports_due(actor: Actor, now) -> QuerySet:
    """Requests addressed where the actor may submit, not yet submitted or approved, except the actor's own
    requests (where it may approve: a county does not answer itself)."""
    done = Report.objects.filter(request=OuterRef("request"), organization=OuterRef("organization"), state__in=DONE)
    return actor.visible(ReportAddressee.objects.exclude(Exists(done)), SUBMIT) \
        .exclude(actor.scope.q(ReportAddressee, APPROVE, REQUEST_SIDE))


def _wishes(*states):
    return lambda actor, now: actor.visible(Wish.objects.filter(state__in=states), CHANGE_WISH)


KINDS = (
    Kind("WISHES_TO_REVIEW", CHANGE_WISH, "/wishes?state=COLLECTED", _wishes(WishState.COLLECTED)),
    Kind("WISHES_TO_PUBLISH", CHANGE_WISH, "/wishes?state=REVIEWED", _wishes(WishState.REVIEWED)),
    Kind("WISHES_TO_DELIVER", CHANGE_WISH, "/wishes?state=CLAIMED", _wishes(WishState.CLAIMED, WishState.PREPARED)),
    Kind("DISPATCHES_TO_ANSWER", None, "/dispatches?state=PENDING",
         lambda actor, now: visible_dispatches(actor, Dispatch.objects.filter(state=DispatchState.PENDING, deadline__gt=now)),
         "deadline"),
    Kind("TRANSFERS_TO_DECIDE", TRANSFER, "/children?tab=transfers", _transfers_to_decide),
    Kind("REPORTS_DUE", SUBMIT, "/reports?tab=due", _reports_due, "request__deadline"),
    Kind("REPORTS_TO_APPROVE", APPROVE, "/reports?state=SUBMITTED",
         lambda actor, now: Report.objects.filter(actor.scope.q(Report, APPROVE, REQUEST_SIDE), state=ReportState.SUBMITTED)),
    Kind("HOURS_TO_CONFIRM", CONFIRM_HOURS, "/volunteers?tab=hours&confirmed=false",
         lambda actor, now: actor.visible(ServiceRecord.objects.pending(), CONFIRM_HOURS)),
    Kind("OVERDUE_PAIRINGS", CHANGE_PROGRAM, "/pairings?overdue=true",
         lambda actor, now: actor.visible(Pairing.objects.filter(overdue_q(timezone.localdate(now))), CHANGE_PROGRAM)),
    Kind("OVERDUE_REASSESSMENTS", CHANGE_CASE, "/cases?tab=overdue",
         lambda actor, now: Case.objects.filter(cases_q(actor, CHANGE_CASE), overdue_case_q(timezone.localdate(now))),
         "next_assessment_on"),
    Kind("FINISHED_JOBS", None, "/jobs",
         lambda actor, now: jobs.visible_to(actor).filter(state__in=[JobState.SUCCEEDED, JobState.FAILED],
                                                          finished_at__gte=now - timedelta(hours=FINISHED_JOBS_HOURS))),
)


@dataclass(frozen=True)
class Todo:
    kind: Kind
    count: int
    due_in_days: int | None


@dataclass(frozen=True)
class Todos:
    items: list[Todo]
    unread_notifications: int

    @property
    def total(self) -> int:
        return sum(item.count for item in self.items)


def _offered(kind: Kind, permissions: set[str], units: int) -> bool:
    if kind.code == "DISPATCHES_TO_ANSWER":
        return units > 0
    return kind.permission is None or kind.permission in permissions


def todos(actor: Actor, now: datetime | None = None) -> Todos:
    """Every offered kind with its count (and nearest deadline), plus unread notifications: one statement."""
    now = now or timezone.now()
    permissions = actor.scope.permissions()
    parts = [sql.aggregate(my_notifications(actor).filter(read_at__isnull=True)),
             sql.aggregate(UnitGroup.objects.filter(organization_id__in=acting_units(actor)))]
    for kind in KINDS:
        rows = kind.rows(actor, now)
        parts.append(sql.aggregate(rows))
        if kind.deadline:
            parts.append(sql.aggregate(rows, "MIN", kind.deadline))
    values = iter(sql.select(parts))
    unread, units = next(values) or 0, next(values) or 0
    today = timezone.localdate(now)
    items = []
    for kind in KINDS:
        count = next(values) or 0
        nearest = _as_date(next(values)) if kind.deadline else None
        if _offered(kind, permissions, units):
            items.append(Todo(kind, count, (nearest - today).days if nearest is not None and count else None))
    return Todos(items, unread)


def _as_date(value) -> date | None:
    """A MIN() as the driver returns it (SQLite: text, stored datetimes in UTC) as a local date."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
    if isinstance(value, datetime):
        return timezone.localdate(value if timezone.is_aware(value) else timezone.make_aware(value, dt_timezone.utc))
    return value
