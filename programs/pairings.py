"""结对帮扶: person pairings (大手拉小手 with its 五个一 checklist, 手拉手, 代理妈妈) and organization pairings,
their contacts, and which are overdue (no contact within the weeks set for their kind)."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from children.models import Child
from core.errors import TITLE_MAX, CommonErrorCode, ServiceError
from notifications import events
from orgs.models import Organization
from permissions import audit
from permissions.actor import Actor
from programs import common
from programs.errors import ProgramErrorCode as E
from programs.models import (ChecklistItem, ContactKind, Pairing, PairingContact, PairingKind, PairingState, PairingTick,
                             Volunteer)

OVERDUE_WEEKS = {
    PairingKind.BIG_HAND: 4,
    PairingKind.HAND_IN_HAND: 8,
    PairingKind.SURROGATE_MOTHER: 2,
    PairingKind.UNIT_COUNTY: 26,
    PairingKind.BRANCH_SCHOOL: 13,
    PairingKind.COMMITTEE_MEMBER_COUNTY: 26,
}
# What each kind needs: a volunteer, a child, a pioneer partner child, a partner body.
SIDES = {
    PairingKind.BIG_HAND: ("volunteer", "child"),
    PairingKind.SURROGATE_MOTHER: ("volunteer", "child"),
    PairingKind.HAND_IN_HAND: ("child", "partner_child"),
    PairingKind.UNIT_COUNTY: ("partner",),
    PairingKind.BRANCH_SCHOOL: ("partner",),
    PairingKind.COMMITTEE_MEMBER_COUNTY: ("partner",),
}
SIDE_LABELS = {"volunteer": "志愿者 volunteer", "child": "儿童 child", "partner_child": "少先队员 pioneer child",
               "partner": "结对单位 partner body"}


def overdue_q(today: date | None = None, prefix: str = "") -> Q:
    """Active pairings whose last contact is older than their kind's weeks."""
    today = today or timezone.localdate()
    late = Q(pk__in=[])
    for kind, weeks in OVERDUE_WEEKS.items():
        late |= Q(**{f"{prefix}kind": kind, f"{prefix}last_contact_on__lt": today - timedelta(weeks=weeks)})
    return Q(**{f"{prefix}state": PairingState.ACTIVE}) & late


def due_by(pairing: Pairing) -> date:
    return pairing.last_contact_on + timedelta(weeks=OVERDUE_WEEKS[PairingKind(pairing.kind)])


def is_overdue(pairing: Pairing, today: date | None = None) -> bool:
    return pairing.state == PairingState.ACTIVE and due_by(pairing) < (today or timezone.localdate())


def remind_overdue(today: date | None = None) -> int:
    """Periodic (jobs.registry.SCHEDULE, daily): stamp ``reminded_on`` on each overdue pairing not reminded
    since its last contact, with an audit entry for its staff's list; a pairing is reminded once per lapse."""
    today = today or timezone.localdate()
    actor = Actor.system("pairing-reminders")
    with transaction.atomic():
        due = list(Pairing.objects.filter(overdue_q(today)).filter(
            Q(reminded_on__isnull=True) | Q(reminded_on__lt=F("last_contact_on")))
            .select_for_update(of=("self",), skip_locked=True).select_related("organization"))
        for pairing in due:
            pairing.reminded_on = today
            audit.record(actor, "pairing.overdue_reminder", pairing, pairing.organization,
                         {"last_contact_on": str(pairing.last_contact_on), "due_by": str(due_by(pairing))})
            events.pairing_overdue(pairing, due_by(pairing))
        Pairing.objects.bulk_update(due, ["reminded_on"])
    return len(due)


@transaction.atomic
def create_pairing(actor: Actor, *, organization_id, kind: str, started_on: date, volunteer_id=None, child_id=None,
                   partner_child: str = "", partner_organization_id=None, partner_name: str = "",
                   commitments: str = "") -> Pairing:
    organization = actor.organization(organization_id, common.CHANGE)
    kind = PairingKind(kind)
    problems: list = []
    partner_child = common.person(partner_child, "partner_child", problems)
    partner_name = common.text(partner_name, "partner_name", problems, TITLE_MAX)
    commitments = common.text(commitments, "commitments", problems)
    common.raise_any(problems)
    given = {"volunteer": volunteer_id is not None, "child": child_id is not None, "partner_child": bool(partner_child),
             "partner": partner_organization_id is not None or bool(partner_name)}
    needs = SIDES[kind]
    if not all(given[side] for side in needs) or any(given[side] for side in given if side not in needs):
        labels = [SIDE_LABELS[side].split(" ", 1) for side in needs]
        raise ServiceError(E.PAIRING_SIDES, "kind", kind=kind.label, needs_zh="、".join(zh for zh, _en in labels),
                           needs_en=", ".join(en for _zh, en in labels))
    problems: list = []
    common.not_future(started_on, "started_on", problems)
    common.raise_any(problems)
    child = actor.get_visible(Child.objects.all(), "children.view_child", child_id, "child_id") if child_id else None
    if child is not None and not child.org_path.startswith(organization.path):
        raise ServiceError(E.NOT_IN_SUBTREE, "child_id", organization=organization.name)
    volunteer = actor.get_visible(Volunteer.objects.all(), common.VIEW, volunteer_id, "volunteer_id") if volunteer_id else None
    partner = None
    if partner_organization_id is not None:
        # Any active body may be a partner (a university in another province): only its name is ever shown.
        partner = Organization.objects.active().filter(pk=partner_organization_id).first()
        if partner is None:
            raise ServiceError(CommonErrorCode.NOT_FOUND, "partner_organization_id")
        partner_name = partner_name or partner.name
    pairing = Pairing.objects.create(
        organization=organization, kind=kind, volunteer=volunteer, child=child, partner_child=partner_child,
        partner_organization=partner, partner_name=partner_name, started_on=started_on,
        commitments=commitments, last_contact_on=started_on)
    audit.record(actor, "pairing.create", pairing, organization, {"kind": kind.value})
    return pairing


def _active(actor: Actor, pairing_id) -> Pairing:
    pairing = common.for_change(actor, Pairing.objects.all(), pairing_id, "pairing_id")
    if pairing.state != PairingState.ACTIVE:
        raise ServiceError(E.PAIRING_CLOSED, "pairing_id")
    return pairing


def _contacted(pairing: Pairing, day: date) -> None:
    if day > pairing.last_contact_on:
        pairing.last_contact_on = day
        pairing.save(update_fields=["last_contact_on"])


@transaction.atomic
def record_contact(actor: Actor, *, pairing_id, contacted_on: date, kind: str, note: str = "") -> PairingContact:
    pairing = _active(actor, pairing_id)
    problems: list = []
    common.not_future(contacted_on, "contacted_on", problems)
    note = common.text(note, "note", problems)
    common.raise_any(problems)
    contact = PairingContact.objects.create(pairing=pairing, contacted_on=contacted_on, kind=ContactKind(kind),
                                            note=note, author=actor.display_name)
    _contacted(pairing, contacted_on)
    audit.record(actor, "pairing.contact", pairing, pairing.organization, {"on": str(contacted_on), "kind": kind})
    return contact


@transaction.atomic
def tick(actor: Actor, *, pairing_id, item: str, done_on: date, note: str = "") -> PairingTick:
    """Tick one of the 五个一 (大手拉小手 only); each item once. A tick is also a contact."""
    pairing = _active(actor, pairing_id)
    if pairing.kind != PairingKind.BIG_HAND:
        raise ServiceError(E.NOT_A_CHECKLIST, "pairing_id")
    item = ChecklistItem(item)
    done = pairing.ticks.filter(item=item).first()
    if done is not None:
        raise ServiceError(E.ALREADY_TICKED, "item", item=item.label, done_on=done.done_on)
    problems: list = []
    common.not_future(done_on, "done_on", problems)
    note = common.text(note, "note", problems, 200)
    common.raise_any(problems)
    row = PairingTick.objects.create(pairing=pairing, item=item, done_on=done_on, note=note,
                                     ticked_by=actor.display_name)
    _contacted(pairing, done_on)
    audit.record(actor, "pairing.tick", pairing, pairing.organization, {"item": item.value, "on": str(done_on)})
    return row


@transaction.atomic
def close_pairing(actor: Actor, *, pairing_id, reason: str) -> Pairing:
    pairing = _active(actor, pairing_id)
    if not (reason or "").strip():
        raise ServiceError(E.REASON_REQUIRED, "reason")
    problems: list = []
    reason = common.text(reason, "reason", problems, 200)
    common.raise_any(problems)
    pairing.state, pairing.closed_on, pairing.close_reason = PairingState.CLOSED, timezone.localdate(), reason
    pairing.save(update_fields=["state", "closed_on", "close_reason"])
    audit.record(actor, "pairing.close", pairing, pairing.organization, {"reason": pairing.close_reason})
    return pairing
