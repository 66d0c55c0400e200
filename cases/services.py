"""Child-protection case work: every rule about a case lives here (risk rules: cases/risk.py, who reads what in
clear: cases/privacy.py). A case hangs off a child's file and is opened by the first thing recorded on it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from cases import risk
from cases.errors import CaseErrorCode as E
from cases.models import (
    SCOPE_FIELDS, Action, ActionStatus, AidProgramme, Assessment, Case, CaseStatus,
    Goal, Incident, IncidentKind, Informed, Rating, Referral, ReferralStatus, ReferralTarget, RiskLevel, Service,
    ServiceKind, Severity,
)
from cases.privacy import CHANGE, VIEW
from children.models import Child
from children.services import require_consent
from core.errors import NAME_MAX, TEXT_MAX, TITLE_MAX, ServiceError, limited, not_found, permission_denied
from notifications import events
from orgs.models import Level, Organization, System
from orgs.paths import ancestor_paths
from permissions import audit
from permissions import services as access
from permissions.actor import Actor
from permissions.holders import holders

VIEW_CHILD = "children.view_child"
MAX_ACCESS_DAYS = 180
DEFAULT_ACCESS_DAYS = 30
REFERRAL_ORDER = list(ReferralStatus.values)


# Reading ---------------------------------------------------------------------------------------------------

def cases_q(actor: Actor, permission: str = VIEW, prefix: str = "") -> Q:
    """Cases the permission reaches: through the child's organization, or a referral's grant on the case."""
    q = actor.scope.q(Case, permission, SCOPE_FIELDS)
    return Q(**{f"{prefix}pk__in": Case.objects.filter(q).values("pk")}) if prefix else q


def overdue_q(today: date, prefix: str = "") -> Q:
    """Open cases whose reassessment is past due."""
    return Q(**{f"{prefix}status": CaseStatus.OPEN, f"{prefix}next_assessment_on__lt": today})


# Changing --------------------------------------------------------------------------------------------------

def _child(actor: Actor, child_id) -> Child:
    child = actor.get_visible(Child.objects.select_for_update().select_related("organization"), VIEW_CHILD, child_id,
                              "child_id")
    actor.require(CHANGE, child.organization, "child_id")
    if child.anonymized_at is not None:
        raise ServiceError(E.ANONYMIZED, "child_id")
    return child


def _open_case(actor: Actor, child_id) -> Case:
    """The child's open case (opened now if it has none): for recording anything on it."""
    child = _child(actor, child_id)
    case, _created = Case.objects.get_or_create(child=child, defaults={"opened_by": actor.display_name})
    if case.status == CaseStatus.CLOSED:
        raise ServiceError(E.CASE_CLOSED, "child_id")
    case.child = child
    return case


def _case_of(actor: Actor, queryset: QuerySet, pk, field: str = "id", to_case: str = "case__"):
    """A record of a case (a goal, an action, an incident, a referral): NOT_FOUND unless its case is visible."""
    row = queryset.filter(cases_q(actor, VIEW, to_case), pk=pk).first() if pk is not None else None
    if row is None:
        raise not_found(field)
    return row


def _texts(checks, required=()) -> None:
    problems = []
    for value, field, limit in checks:
        limited(value, field, limit, problems)
    problems += [(E.TEXT_REQUIRED, field, {}) for value, field in required if not (value or "").strip()]
    if problems:
        raise ServiceError.many(problems)


def _not_future(day: date, field: str) -> None:
    if day > timezone.localdate():
        raise ServiceError(E.DATE_IN_FUTURE, field)


def _choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise ServiceError(E.INVALID_CHOICE, field, value=value)
    return value


def _audit(actor: Actor, action: str, case: Case, changes: dict) -> None:
    """Case changes are audited on the case, at the child's organization; summaries hold codes, never texts."""
    audit.record(actor, action, case, case.child.organization, changes)


@transaction.atomic
def open_case(actor: Actor, *, child_id) -> Case:
    """Open a case on a child's file, or reopen a closed one."""
    child = _child(actor, child_id)
    case, created = Case.objects.get_or_create(child=child, defaults={"opened_by": actor.display_name})
    if not created:
        if case.status == CaseStatus.OPEN:
            raise ServiceError(E.CASE_OPEN, "child_id")
        case.status, case.closed_reason, case.closed_at = CaseStatus.OPEN, "", None
        case.save()
    case.child = child
    _audit(actor, "case.open", case, {})
    return case


@transaction.atomic
def record_assessment(actor: Actor, *, child_id, assessed_on: date, ratings: dict, note: str = "") -> Assessment:
    """The level comes from the rule table (cases/risk.py) and becomes the case's; the next assessment is due by
    the level (high monthly, medium quarterly, low half-yearly)."""
    case = _open_case(actor, child_id)
    _not_future(assessed_on, "assessed_on")
    _texts([(note, "note", TEXT_MAX)])
    ratings = {item: _choice(ratings.get(item, ""), Rating, item) for item in risk.ITEMS}
    level, reasons = risk.assess(ratings)
    assessment = Assessment.objects.create(case=case, assessed_on=assessed_on, level=level, reasons=reasons,
                                           note=(note or "").strip(), assessor=actor.display_name, **ratings)
    case.risk_level, case.risk_reasons = level, reasons
    case.next_assessment_on = risk.next_assessment(level, assessed_on)
    case.save()
    _audit(actor, "case.assess", case, {"level": level, "assessedOn": assessed_on.isoformat()})
    return assessment


@transaction.atomic
def add_goal(actor: Actor, *, child_id, text: str) -> Goal:
    case = _open_case(actor, child_id)
    _texts([(text, "text", TEXT_MAX)], [(text, "text")])
    goal = Goal.objects.create(case=case, text=text.strip())
    _audit(actor, "case.goal", case, {"goal": goal.pk})
    return goal


def _owner(username: str, case: Case):
    """A staff account doing case work where the child is kept."""
    if username not in (holder.get_username() for holder in _staff(case)):
        raise ServiceError(E.OWNER_NOT_STAFF, "owner")
    return get_user_model().objects.get(username=username)


def _staff(case: Case) -> list:
    return list(get_user_model().objects.filter(pk__in=holders(CHANGE, case.child.organization, nearest=False)))


def staff_of(actor: Actor, case: Case) -> list:
    """Who may own an action of the case (offered to those who plan it)."""
    return _staff(case) if actor.can(CHANGE, case.child.organization) else []


@transaction.atomic
def add_action(actor: Actor, *, goal_id, text: str, owner: str, due_on: date) -> Action:
    goal = _case_of(actor, Goal.objects.all(), goal_id, "goal_id")
    case = _open_case(actor, goal.case.child_id)
    _texts([(text, "text", TEXT_MAX)], [(text, "text")])
    if due_on < timezone.localdate():
        raise ServiceError(E.DATE_IN_PAST, "due_on")
    action = Action.objects.create(goal=goal, text=text.strip(), owner=_owner(owner, case), due_on=due_on)
    _audit(actor, "case.action", case, {"action": action.pk, "dueOn": due_on.isoformat()})
    return action


@transaction.atomic
def set_action_status(actor: Actor, *, action_id, status: str) -> Action:
    action = _case_of(actor, Action.objects.select_related("goal__case"), action_id, to_case="goal__case__")
    case = _open_case(actor, action.goal.case.child_id)
    action.status = _choice(status, ActionStatus, "status")
    action.save(update_fields=["status"])
    _audit(actor, "case.action_status", case, {"action": action.pk, "status": status})
    return action


@transaction.atomic
def close_case(actor: Actor, *, child_id, reason: str) -> Case:
    """Closing a case ends every referral still running (and the access it gave)."""
    case = _open_case(actor, child_id)
    _texts([(reason, "reason", TEXT_MAX)], [(reason, "reason")])
    for referral in case.referrals.exclude(status=ReferralStatus.CLOSED):
        _close_referral(referral, case)
    case.status, case.closed_reason, case.closed_at = CaseStatus.CLOSED, reason.strip(), timezone.now()
    case.save()
    _audit(actor, "case.close", case, {})
    return case


def _raise_to_high(case: Case, reason: str) -> None:
    """High now: for this reason alone, or beside the reasons it was already high for."""
    kept = case.risk_reasons if case.risk_level == RiskLevel.HIGH else []
    case.risk_level, case.risk_reasons = RiskLevel.HIGH, [*[r for r in kept if r != reason], reason]
    due = risk.next_assessment(RiskLevel.HIGH, timezone.localdate())
    case.next_assessment_on = min(case.next_assessment_on or due, due)
    case.save()


def county_body(organization: Organization) -> Organization:
    """The county-level body responsible where ``organization`` is (itself at county level or above)."""
    return Organization.objects.filter(path__in=[*ancestor_paths(organization.path), organization.path],
                                       level__lte=Level.COUNTY).order_by("-depth").first() or organization


@transaction.atomic
def report_incident(actor: Actor, *, child_id, kind: str, severity: str, occurred_on: date, description: str,
                    informed: list[str] = (), informed_on: date | None = None, follow_up: str = "") -> Incident:
    """A grave incident raises the case to 高 and tells the county's responsible body (no personal data)."""
    case = _open_case(actor, child_id)
    _choice(kind, IncidentKind, "kind")
    _choice(severity, Severity, "severity")
    for value in informed:
        _choice(value, Informed, "informed")
    _not_future(occurred_on, "occurred_on")
    if informed_on is not None:
        _not_future(informed_on, "informed_on")
    _texts([(description, "description", TEXT_MAX), (follow_up, "follow_up", TEXT_MAX)], [(description, "description")])
    incident = Incident.objects.create(case=case, kind=kind, severity=severity, occurred_on=occurred_on,
                                       description=description.strip(), informed=sorted(set(informed)),
                                       informed_on=informed_on, follow_up=(follow_up or "").strip(),
                                       reported_by=actor.display_name)
    _audit(actor, "case.incident", case, {"incident": incident.pk, "kind": kind, "severity": severity})
    if severity == Severity.GRAVE:
        _raise_to_high(case, risk.Reason.GRAVE_INCIDENT.name)
        organization = case.child.organization
        events.grave_incident(incident.pk, organization, county_body(organization), incident.get_kind_display(), CHANGE)
    return incident


@transaction.atomic
def update_incident(actor: Actor, *, incident_id, follow_up: str | None = None, informed: list[str] | None = None,
                    informed_on: date | None = None, close: bool = False) -> Incident:
    incident = _case_of(actor, Incident.objects.all(), incident_id)
    case = _open_case(actor, incident.case.child_id)
    if follow_up is not None:
        _texts([(follow_up, "follow_up", TEXT_MAX)])
        incident.follow_up = follow_up.strip()
    if informed is not None:
        incident.informed = sorted({_choice(value, Informed, "informed") for value in informed})
    if informed_on is not None:
        _not_future(informed_on, "informed_on")
        incident.informed_on = informed_on
    if close and incident.closed_at is None:
        incident.closed_at = timezone.now()
    incident.save()
    _audit(actor, "case.incident_update", case, {"incident": incident.pk, "closed": incident.closed_at is not None})
    return incident


@transaction.atomic
def refer(actor: Actor, *, child_id, target: str, reason: str, sent_on: date, receiver: str = "", unit_id=None,
          access_days: int = DEFAULT_ACCESS_DAYS) -> Referral:
    """A referral to a partner unit shares the case with the unit (a record-level grant, needing the guardian's
    consent to partner sharing) for ``access_days`` or until the referral closes."""
    case = _open_case(actor, child_id)
    _choice(target, ReferralTarget, "target")
    _not_future(sent_on, "sent_on")
    _texts([(reason, "reason", TEXT_MAX), (receiver, "receiver", TITLE_MAX)], [(reason, "reason")])
    unit, access_until = None, None
    if target == ReferralTarget.PARTNER:
        if unit_id is None:
            raise ServiceError(E.UNIT_REQUIRED, "unit_id")
        if not 1 <= access_days <= MAX_ACCESS_DAYS:
            raise ServiceError(E.ACCESS_DAYS, "access_days", limit=MAX_ACCESS_DAYS)
        require_consent(case.child, "partner_sharing")
        unit = _partner_unit(case.child.organization, unit_id)
        receiver = receiver or unit.name
        access_until = timezone.now() + timedelta(days=access_days)
        access.share_record(actor, case, unit=unit, expires_at=access_until)
    referral = Referral.objects.create(case=case, target=target, receiver=(receiver or "").strip(), unit=unit,
                                       reason=reason.strip(), access_until=access_until, sent_on=sent_on,
                                       referred_by=actor.display_name)
    _audit(actor, "case.refer", case, {"referral": referral.pk, "target": target, "unit": unit.name if unit else None,
                                      "accessUntil": access_until.isoformat() if access_until else None})
    return referral


def partner_units(organization: Organization) -> QuerySet:
    """The units (enterprises, schools, hospitals, social organizations …) of the county where a child is kept:
    where its case may be referred. unscoped(): the referring staff of a village need not see the units' own
    records; only their names are shown to them."""
    return Organization.objects.active().filter(system=System.UNIT, path__startswith=county_body(organization).path)


def _partner_unit(organization: Organization, unit_id) -> Organization:
    unit = partner_units(organization).filter(pk=unit_id).first()
    if unit is None:
        raise not_found("unit_id")
    return unit


def _close_referral(referral: Referral, case: Case) -> None:
    """Closed: the unit's access through this referral ends (unless another running referral to it remains)."""
    referral.status = ReferralStatus.CLOSED
    referral.save(update_fields=["status", "updated_at"])
    if referral.unit_id is None:
        return
    running = case.referrals.filter(unit_id=referral.unit_id).exclude(status=ReferralStatus.CLOSED).exclude(pk=referral.pk)
    if not running.exists():
        access.unshare_record(case, unit=referral.unit)


@transaction.atomic
def update_referral(actor: Actor, *, referral_id, status: str, feedback: str | None = None) -> Referral:
    """The referring staff move a referral forward (to closed); the receiving unit may record that it accepted
    or served the child, with its feedback."""
    referral = _case_of(actor, Referral.objects.select_related("case__child__organization", "unit"), referral_id)
    case = referral.case
    _choice(status, ReferralStatus, "status")
    if not actor.can(CHANGE, case.child.organization):
        if not actor.scope.shares(VIEW, case):
            raise permission_denied("id")
        if status == ReferralStatus.CLOSED:
            raise ServiceError(E.RECEIVER_MAY_NOT_CLOSE, "status")
    elif case.status == CaseStatus.CLOSED:
        raise ServiceError(E.CASE_CLOSED, "id")
    if REFERRAL_ORDER.index(status) < REFERRAL_ORDER.index(referral.status):
        raise ServiceError(E.STATUS_BACKWARDS, "status")
    if feedback is not None:
        _texts([(feedback, "feedback", TEXT_MAX)])
        referral.feedback = feedback.strip()
    if status == ReferralStatus.CLOSED and referral.status != ReferralStatus.CLOSED:
        _close_referral(referral, case)
    referral.status = status
    referral.save()
    _audit(actor, "case.referral_update", case, {"referral": referral.pk, "status": status})
    return referral


SERVICE_NEEDS = {  # kind -> fields it must have
    ServiceKind.COUNSELLING: ("provider", "summary"),
    ServiceKind.FAMILY_CALL: ("with_whom", "minutes"),
    ServiceKind.SAFETY_LESSON: ("summary",),
    ServiceKind.AID: ("programme", "amount"),
}


@transaction.atomic
def record_service(actor: Actor, *, child_id, kind: str, given_on: date, provider: str = "", with_whom: str = "",
                   minutes: int | None = None, programme: str = "", amount: Decimal | None = None,
                   summary: str = "") -> Service:
    case = _open_case(actor, child_id)
    _choice(kind, ServiceKind, "kind")
    _not_future(given_on, "given_on")
    _texts([(provider, "provider", NAME_MAX), (with_whom, "with_whom", NAME_MAX), (summary, "summary", TEXT_MAX)])
    fields = {"provider": (provider or "").strip(), "with_whom": (with_whom or "").strip(), "minutes": minutes,
              "programme": programme or "", "amount": amount, "summary": (summary or "").strip()}
    missing = [(E.FIELD_REQUIRED, name, {}) for name in SERVICE_NEEDS[kind] if fields[name] in ("", None)]
    if missing:
        raise ServiceError.many(missing)
    if programme:
        _choice(programme, AidProgramme, "programme")
    if amount is not None and amount <= 0:
        raise ServiceError(E.INVALID_AMOUNT, "amount")
    if minutes is not None and not 1 <= minutes <= 600:
        raise ServiceError(E.INVALID_MINUTES, "minutes")
    service = Service.objects.create(case=case, kind=kind, given_on=given_on, recorded_by=actor.display_name, **fields)
    _audit(actor, "case.service", case, {"service": service.pk, "kind": kind})
    return service


def clear_texts(child: Child) -> None:
    """Anonymizing a child (children.services.anonymize) erases every text of its case and ends all sharing."""
    case = Case.objects.filter(child=child).first()
    if case is None:
        return
    Case.objects.filter(pk=case.pk).update(closed_reason="", risk_reasons=[])
    Assessment.objects.filter(case=case).update(note="", reasons=[])
    Goal.objects.filter(case=case).update(text="")
    Action.objects.filter(goal__case=case).update(text="")
    Incident.objects.filter(case=case).update(description="", follow_up="")
    Referral.objects.filter(case=case).update(reason="", feedback="", receiver="")
    Service.objects.filter(case=case).update(provider="", with_whom="", summary="")
    access.unshare_record(case)
