"""报送: report requests from a superior body to its direct child organizations, and the reports answering them
(DHIS2's data-approval idea).

A report goes DRAFT → SUBMITTED → APPROVED, where it is locked. Before review the subordinate may withdraw it
(SUBMITTED → DRAFT); the superior may return it with a comment (SUBMITTED → RETURNED), after which it is
editable again and resubmitted. Opening a request, approving and returning need ``rollups.approve_report`` at
the superior; drafting, submitting and withdrawing need ``rollups.submit_report`` at the subordinate.

Figures are pre-filled when a report is started (and again on ``refill``): when the subordinate has itself asked
its own children for reports that answer this request, the sum of those APPROVED; otherwise its subtree's
figures for the request's period counted live from the records (rollups.services.live), not the folded
figures. Approving a report whose figures differ from the live count is refused with FIGURES_CHANGED, naming
the differences, unless ``confirm`` is given. Every change writes an audit entry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from core import photos
from core.errors import CommonErrorCode, ServiceError, not_found
from core.numbers import decimal_of
from notifications import events
from orgs.models import Organization, System
from permissions import audit
from permissions.actor import Actor
from programs import campaigns
from rollups import metrics, services
from rollups.errors import ReportErrorCode as E
from rollups.models import Report, ReportAddressee, ReportPhoto, ReportRequest, ReportState

SUBMIT = "rollups.submit_report"
APPROVE = "rollups.approve_report"
PHOTOS = "report-photos"
MAX_PHOTOS = 9
MAX_FIGURES = 200
REMIND_DAYS = 3
EDITABLE = (ReportState.DRAFT, ReportState.RETURNED)
DONE = (ReportState.SUBMITTED, ReportState.APPROVED)
# action -> (permission, where it is needed, states it applies to, resulting state)
TRANSITIONS = {
    "submit": (SUBMIT, "subordinate", EDITABLE, ReportState.SUBMITTED),
    "withdraw": (SUBMIT, "subordinate", (ReportState.SUBMITTED,), ReportState.DRAFT),
    "approve": (APPROVE, "superior", (ReportState.SUBMITTED,), ReportState.APPROVED),
    "return": (APPROVE, "superior", (ReportState.SUBMITTED,), ReportState.RETURNED),
}


def visible_requests(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    """Requests opened where the actor may approve or submit reports, or addressed to where it may submit."""
    queryset = ReportRequest.objects.all() if queryset is None else queryset
    addressed = actor.visible(ReportAddressee.objects.all(), SUBMIT).values("request_id")
    scope = actor.scope
    return queryset.filter(scope.q(ReportRequest, APPROVE) | scope.q(ReportRequest, SUBMIT) | Q(pk__in=addressed))


def visible_reports(actor: Actor, queryset: QuerySet | None = None) -> QuerySet:
    """Reports seen at the subordinate (where the actor may submit) and at the superior that asked (approve)."""
    queryset = Report.objects.all() if queryset is None else queryset
    scope = actor.scope
    return queryset.filter(scope.q(Report, SUBMIT) | scope.q(Report, APPROVE, ("request__org_path", "request__organization_id")))


def period_of(request: ReportRequest) -> services.Period:
    return services.Period(request.first_month, request.last_month)


def _number(value) -> str:
    return format(Decimal(value).normalize(), "f")


def _plain(totals: dict) -> dict[str, str]:
    return {metric: _number(value) for metric, value in sorted(totals.items())}


def prefill(request: ReportRequest, subordinate: Organization) -> dict[str, str]:
    """The sum of the approved reports of the subordinate's own requests answering ``request``, if it opened
    any; else the live rollup of its subtree for the period."""
    own_requests = ReportRequest.objects.filter(answers=request, organization=subordinate)
    if not own_requests.exists():
        return _plain(services.live(subordinate, period_of(request)))
    totals: dict = defaultdict(Decimal)
    approved = Report.objects.filter(request__in=own_requests, state=ReportState.APPROVED)
    for figures in approved.values_list("figures", flat=True):
        for metric, value in figures.items():
            totals[metric] += Decimal(value)
    return _plain(totals)


def _checked_figures(figures) -> dict[str, str]:
    """``[(metric, value)]`` given by the subordinate: metric names as rollups.metrics writes them, values ≥ 0."""
    figures = list(figures)
    if len(figures) > MAX_FIGURES:
        raise ServiceError(CommonErrorCode.INVALID, "figures", detail=f"≤ {MAX_FIGURES}")
    checked = {}
    for metric, value in figures:
        number = decimal_of(value)
        name = (metric or "").strip()
        if not (0 < len(name) <= 60 and "." in name) or number is None or number < 0:
            raise ServiceError(E.FIGURE_INVALID, "figures", metric=name[:60])
        checked[name] = number
    return _plain(checked)


@transaction.atomic
def open_request(actor: Actor, *, organization_id, title: str, deadline: date, period_: services.Period,
                 instructions: str = "", campaign_id=None, addressee_ids=(), answers_id=None) -> ReportRequest:
    """发起报送 to the given direct children (default: every active direct child of the superior's own system;
    member units such as schools and departments are asked only when chosen)."""
    superior = actor.organization(organization_id, APPROVE)
    problems = []
    title = (title or "").strip()
    if not title:
        problems.append((E.TITLE_REQUIRED, "title", {}))
    if deadline < timezone.localdate():
        problems.append((E.DEADLINE_PASSED, "deadline", {}))
    if problems:
        raise ServiceError.many(problems)
    children = Organization.objects.active().filter(parent=superior)
    chosen = sorted({int(pk) for pk in addressee_ids})
    addressees = list(children.filter(pk__in=chosen) if chosen else children.exclude(system=System.UNIT))
    if chosen and len(addressees) != len(chosen):
        raise ServiceError(E.NOT_DIRECT_CHILD, "addressee_ids")
    if not addressees:
        raise ServiceError(E.NO_ADDRESSEES, "addressee_ids")
    campaign = campaigns.visible(actor).filter(pk=campaign_id).first() if campaign_id is not None else None
    if campaign_id is not None and campaign is None:
        raise not_found("campaign_id")
    answers = visible_requests(actor).filter(pk=answers_id).first() if answers_id is not None else None
    if answers_id is not None and answers is None:
        raise not_found("answers_id")
    if answers is not None and not answers.recipients.filter(organization=superior).exists():
        raise ServiceError(E.ANSWERS_ELSEWHERE, "answers_id")
    request = ReportRequest.objects.create(
        organization=superior, title=title, instructions=(instructions or "").strip(), campaign=campaign,
        first_month=period_.first, last_month=period_.last, deadline=deadline, answers=answers, opened_by=actor.display_name)
    ReportAddressee.objects.bulk_create([ReportAddressee(request=request, organization=o, org_path=o.path) for o in addressees])
    audit.record(actor, "report_request.open", request, superior, {
        "title": title, "deadline": str(deadline), "addressees": [o.pk for o in addressees],
        "answers": answers_id, "campaign": campaign_id})
    events.report_requested(request, addressees)
    return request


def _refuse_change(report: Report, allowed=EDITABLE) -> None:
    if report.state == ReportState.APPROVED:
        raise ServiceError(E.LOCKED, "id")
    if report.state not in allowed:
        raise ServiceError(E.ILLEGAL_TRANSITION, "id", state=report.state)


@transaction.atomic
def save_report(actor: Actor, *, request_id, organization_id, narrative: str | None = None, figures=None,
                refill: bool = False, uploads=()) -> Report:
    """起草/保存: the subordinate's report on a request, started pre-filled the first time; narrative, figures
    (``[(metric, value)]``, merged over the pre-filled ones) and photos while DRAFT or RETURNED."""
    request = visible_requests(actor).filter(pk=request_id).first()
    if request is None:
        raise not_found("request_id")
    subordinate = actor.organization(organization_id, SUBMIT)
    recipient = ReportAddressee.objects.select_for_update().filter(request=request, organization=subordinate).first()
    if recipient is None:
        raise ServiceError(E.NOT_ADDRESSED, "organization_id", organization=subordinate.name)
    report = Report.objects.filter(request=request, organization=subordinate).first()
    now = timezone.now()
    if report is None:
        report = Report(request=request, organization=subordinate, created_by=actor.label)
        refill = True
    else:
        _refuse_change(report)
    if refill:
        report.figures, report.filled_at = prefill(request, subordinate), now
    if narrative is not None:
        report.narrative = narrative.strip()
    if figures:
        report.figures = {**report.figures, **_checked_figures(figures)}
    report.save()
    room = MAX_PHOTOS - report.photos.count()
    added = photos.store_many(PHOTOS, list(uploads), lambda name, content_type: ReportPhoto(
        report=report, file_name=name, content_type=content_type, uploaded_by=actor.label), room)
    audit.record(actor, "report.save", report, subordinate, {
        "refilled": refill, "figures": sorted(k for k, _ in figures or ()), "photos": len(added)})
    return report


@dataclass(frozen=True)
class Difference:
    metric: str
    label: str
    reported: Decimal
    live: Decimal


def differences(report: Report) -> list[Difference]:
    """The figures of the report that differ from its subtree's live count (metrics of the catalogue only)."""
    live = services.live(report.organization, period_of(report.request))
    reported = {k: Decimal(v) for k, v in report.figures.items() if k in metrics.LABELS}
    return [Difference(k, metrics.LABELS[k], reported.get(k, Decimal(0)), live.get(k, Decimal(0)))
            for k in sorted(reported.keys() | live.keys()) if reported.get(k, Decimal(0)) != live.get(k, Decimal(0))]


def _describe(found: list[Difference]) -> str:
    return "；".join(f"{d.label} 报送 {_number(d.reported)}、当前 {_number(d.live)}" for d in found)


@transaction.atomic
def transition(actor: Actor, *, report_id, action: str, comment: str = "", confirm: bool = False) -> Report:
    """报送 (submit), 撤回 (withdraw, before review), 审核通过 (approve: locks it; when the figures no longer
    match the subtree's live count, only with ``confirm``), 退回 (return, with a comment)."""
    permission, where, allowed, target = TRANSITIONS[action]
    locked = Report.objects.select_for_update(of=("self",)).select_related("organization", "request__organization")
    report = visible_reports(actor, locked).filter(pk=report_id).first()
    if report is None:
        raise not_found("id")
    actor.require(permission, report.organization if where == "subordinate" else report.request.organization, "id")
    _refuse_change(report, allowed)
    now = timezone.now()
    changed = differences(report) if action == "approve" else []
    if changed and not confirm:
        raise ServiceError(E.FIGURES_CHANGED, "id", detail=_describe(changed))
    if action == "return":
        comment = (comment or "").strip()
        if not comment:
            raise ServiceError(E.COMMENT_REQUIRED, "comment")
        report.return_comment = comment
    if action == "submit":
        report.submitted_at, report.submitted_by = now, actor.display_name
    elif action == "withdraw":
        report.submitted_at, report.submitted_by = None, ""
    else:
        report.reviewed_at, report.reviewed_by = now, actor.display_name
    before, report.state = report.state, target
    report.save()
    audit.record(actor, f"report.{action}", report, report.organization, {
        "from": before, "to": target, "comment": comment,
        **({"confirmedDifferences": {d.metric: [str(d.reported), str(d.live)] for d in changed}} if changed else {})})
    events.report_changed(report, action)
    return report


@dataclass(frozen=True)
class StatusRow:
    """One addressee of a request as its superior sees it. ``late``: the deadline has passed and nothing is
    submitted or approved; ``missing``: no report was started at all (late or not)."""

    organization: Organization
    report: Report | None
    reminded_at: datetime | None
    late: bool

    @property
    def missing(self) -> bool:
        return self.report is None

    @property
    def state(self) -> str | None:
        return None if self.report is None else self.report.state


def status_rows(request: ReportRequest, today: date | None = None) -> list[StatusRow]:
    """Per addressee, from ``request.recipients`` (with their organization) and ``request.reports``, which
    the caller may have prefetched."""
    today = today or timezone.localdate()
    reports = {r.organization_id: r for r in request.reports.all()}
    rows = []
    for recipient in request.recipients.all():
        report = reports.get(recipient.organization_id)
        rows.append(StatusRow(recipient.organization, report, recipient.reminded_at,
                              late=is_late(request.deadline, today, report.state if report else None)))
    return rows


def is_late(deadline: date, today: date, state: str | None) -> bool:
    """An addressee is late once the deadline has passed with its report (state None: none) not submitted or
    approved."""
    return today > deadline and state not in DONE


def addressed():
    """Addressees with their organization's name and, as columns, what a status row shows of their report
    (``report_id``, ``report_state``, ``report_submitted_at``; None without one): the status rows of a page of
    requests in one statement (a prefetch), without reading the reports' figures."""
    report = Report.objects.filter(request=OuterRef("request"), organization=OuterRef("organization")).order_by()
    return (ReportAddressee.objects.select_related("organization")
            .only("request_id", "organization_id", "organization__name", "reminded_at")
            .annotate(report_id=Subquery(report.values("pk")), report_state=Subquery(report.values("state")),
                      report_submitted_at=Subquery(report.values("submitted_at"))))


def status(actor: Actor, *, request_id, today: date | None = None) -> list[StatusRow]:
    """Submitted, approved, returned, late and missing, per addressee: for the superior (approve there)."""
    request = visible_requests(actor).select_related("organization").filter(pk=request_id).first()
    if request is None:
        raise not_found("id")
    actor.require(APPROVE, request.organization, "id")
    request = ReportRequest.objects.prefetch_related("recipients__organization", "reports").get(pk=request.pk)
    return status_rows(request, today)


def remind_due(today: date | None = None) -> int:
    """Periodic: the job system's scheduler calls this daily. Every addressee of a request due within
    REMIND_DAYS (deadline today or later) that has nothing submitted or approved yet is reminded once:
    ``reminded_at`` is stamped (shown to the superior in the status rows) with an audit entry; a reminder is
    not sent twice, and missing addressees are reminded without a report being started for them."""
    today = today or timezone.localdate()
    done = Report.objects.filter(request=OuterRef("request"), organization=OuterRef("organization"), state__in=DONE)
    due = (ReportAddressee.objects.filter(reminded_at__isnull=True, request__deadline__gte=today,
                                          request__deadline__lte=today + timedelta(days=REMIND_DAYS))
           .exclude(Exists(done)))
    actor = Actor.system("report-reminders")
    with transaction.atomic():
        rows = list(due.select_for_update(of=("self",), skip_locked=True).select_related("request", "organization"))
        for row in rows:
            audit.record(actor, "report.remind", row.request, row.organization, {"deadline": str(row.request.deadline)})
            events.report_due(row, today)
        ReportAddressee.objects.filter(pk__in=[r.pk for r in rows]).update(reminded_at=timezone.now())
    return len(rows)
