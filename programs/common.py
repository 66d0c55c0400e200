"""What every program service shares: the permissions, looking rows up through the scope, plain checks."""

from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from children.models import Child
from core.errors import NAME_MAX, TEXT_MAX, TITLE_MAX, CommonErrorCode, ServiceError, limited
from core.numbers import CENTS, decimal_of
from orgs.models import Organization
from permissions.actor import Actor
from programs.errors import ProgramErrorCode as E

VIEW = "programs.view_program"
CHANGE = "programs.change_program"
CONFIRM = "programs.confirm_hours"
MAX_PHOTOS = 9


def for_change(actor: Actor, queryset: QuerySet, pk, field: str = "id", permission: str = CHANGE):
    """A row visible to the actor, locked, with ``permission`` over its organization."""
    row = actor.get_visible(queryset.select_for_update(of=("self",)).select_related("organization"), VIEW, pk, field)
    actor.require(permission, row.organization, field)
    return row


def visible_all(actor: Actor, queryset: QuerySet, permission: str, ids, field: str) -> list:
    """All of ``ids`` or NOT_FOUND: a list is taken whole or not at all."""
    ids = sorted({int(pk) for pk in ids})
    rows = list(actor.visible(queryset, permission).filter(pk__in=ids)) if ids else []
    if len(rows) != len(ids):
        raise ServiceError(CommonErrorCode.NOT_FOUND, field)
    return rows


def children(actor: Actor, ids, field: str = "child_ids") -> list[Child]:
    return visible_all(actor, Child.objects.all(), "children.view_child", ids, field)


def under(node: Organization, top: Organization, field: str) -> None:
    """NOT_IN_SUBTREE unless ``node`` is ``top`` or below it."""
    if not node.path.startswith(top.path):
        raise ServiceError(E.NOT_IN_SUBTREE, field, organization=top.name)


def required(value: str, field: str, problems: list, limit: int = TITLE_MAX) -> str:
    value = limited(value, field, limit, problems)
    if not value:
        problems.append((E.NAME_REQUIRED, field, {}))
    return value


def text(value: str | None, field: str, problems: list, limit: int = TEXT_MAX) -> str:
    """Optional free text, stripped; TOO_LONG past ``limit``."""
    return limited(value, field, limit, problems)


def person(value: str | None, field: str, problems: list) -> str:
    """An optional person's name."""
    return limited(value, field, NAME_MAX, problems)


def period(starts_on: date, ends_on: date, problems: list, field: str = "ends_on") -> None:
    if starts_on and ends_on and ends_on < starts_on:
        problems.append((E.DATES_REVERSED, field, {}))


def not_future(day: date, field: str, problems: list) -> None:
    if day > timezone.localdate():
        problems.append((E.FUTURE_DATE, field, {}))


def amount(value, field: str, problems: list) -> Decimal:
    number = decimal_of(value, CENTS)
    if number is None or number < 0:
        problems.append((E.INVALID_AMOUNT, field, {}))
        return Decimal(-1)
    return number


def raise_any(problems: list) -> None:
    if problems:
        raise ServiceError.many(problems)
