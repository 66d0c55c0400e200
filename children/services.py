"""The children's registry: every rule about a child's record lives here."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from children import idcard
from children.errors import ChildErrorCode as E
from children.models import Category, Child, Guardian, GuardianArrangement, Need, Sex, Status
from core.crypto import blind_index
from core.errors import ServiceError
from orgs.models import Organization
from permissions import audit
from permissions.actor import Actor

VIEW = "children.view_child"
CHANGE = "children.change_child"
ID_PROBLEMS = {
    "LENGTH": E.INVALID_ID_LENGTH,
    "REGION": E.INVALID_ID_REGION,
    "BIRTH_DATE": E.INVALID_ID_BIRTH_DATE,
    "CHECK_DIGIT": E.INVALID_ID_CHECK_DIGIT,
}
AUDITED = ("name", "sex", "birth_date", "categories", "school", "grade", "home_division_code",
           "guardian_arrangement", "parents_work_place", "needs", "status")


def index_of(id_number: str) -> str:
    return blind_index(idcard.normalize(id_number))


def _choice_problems(values, choices, field) -> list:
    return [(E.INVALID_CHOICE, field, {"value": v}) for v in values if v not in choices.values]


def validate(child: Child, today: date | None = None) -> None:
    """Every problem of the record at once; normalizes the ID number in place."""
    today = today or timezone.localdate()
    problems = []
    child.name = (child.name or "").strip()
    if not child.name:
        problems.append((E.NAME_REQUIRED, "name", {}))
    number = child.id_number = idcard.normalize(child.id_number)
    wrong = idcard.problem(number, today)
    if wrong:
        problems.append((ID_PROBLEMS[wrong], "idNumber", {}))
    else:
        if child.birth_date and child.birth_date != idcard.birth_date(number):
            problems.append((E.ID_BIRTH_DATE_MISMATCH, "birthDate", {}))
        if child.sex and (child.sex == Sex.MALE) != idcard.is_male(number):
            problems.append((E.ID_SEX_MISMATCH, "sex", {}))
    problems += _choice_problems(child.categories, Category, "categories")
    problems += _choice_problems(child.needs, Need, "needs")
    problems += _choice_problems([child.guardian_arrangement], GuardianArrangement, "guardianArrangement")
    problems += _choice_problems([child.sex], Sex, "sex")
    if problems:
        raise ServiceError.many(problems)
    child.birth_date = idcard.birth_date(number)


def _refuse_duplicate(child: Child) -> None:
    """Registered elsewhere: name the owner, reveal none of the other record's personal data."""
    other = Child.objects.filter(id_index=child.id_index).exclude(pk=child.pk).select_related("organization").first()
    if other is not None:
        raise ServiceError(E.ALREADY_REGISTERED, "idNumber", organization=other.organization.name)


def _snapshot(child: Child) -> dict:
    return {f: getattr(child, f) if not isinstance(getattr(child, f), date) else getattr(child, f).isoformat() for f in AUDITED}


@transaction.atomic
def create_child(actor: Actor, *, organization_id, guardians: list[dict] = (), **fields) -> Child:
    organization = actor.get_visible(Organization.objects.all(), "orgs.view_organization", organization_id, "organizationId")
    actor.require(CHANGE, organization, "organizationId")
    child = Child(organization=organization, **fields)
    validate(child)
    child.id_index = index_of(child.id_number)
    _refuse_duplicate(child)
    try:
        with transaction.atomic():
            child.save()
    except IntegrityError:  # registered concurrently
        _refuse_duplicate(child)
        raise
    Guardian.objects.bulk_create([Guardian(child=child, **g) for g in guardians])
    audit.record(actor, "child.create", child, organization, _snapshot(child))
    return child


@transaction.atomic
def update_child(actor: Actor, *, child_id, guardians: list[dict] | None = None, **fields) -> Child:
    child = actor.get_visible(Child.objects.select_for_update(), VIEW, child_id)
    actor.require(CHANGE, child.organization)
    before = _snapshot(child)
    for name, value in fields.items():
        if value is not None:
            setattr(child, name, value)
    validate(child)
    child.id_index = index_of(child.id_number)
    _refuse_duplicate(child)
    child.save()
    if guardians is not None:
        child.guardians.all().delete()
        Guardian.objects.bulk_create([Guardian(child=child, **g) for g in guardians])
    after = _snapshot(child)
    audit.record(actor, "child.update", child, child.organization, {k: [before[k], after[k]] for k in after if before[k] != after[k]})
    return child


@transaction.atomic
def close_child(actor: Actor, *, child_id, status: str, reason: str = "") -> Child:
    child = actor.get_visible(Child.objects.select_for_update(), VIEW, child_id)
    actor.require(CHANGE, child.organization)
    if status not in Status.values or status == Status.ACTIVE:
        raise ServiceError(E.INVALID_CHOICE, "status", value=status)
    child.status, child.closed_reason = status, reason.strip()
    child.save(update_fields=["status", "closed_reason", "updated_at"])
    audit.record(actor, "child.close", child, child.organization, {"status": status, "reason": child.closed_reason})
    return child
