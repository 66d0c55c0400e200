"""Volunteers and their service hours. Hours are recorded by the staff of the site or service point where
they were served and count only once confirmed by staff holding ``programs.confirm_hours`` there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.utils import timezone

from core.errors import NAME_MAX, TITLE_MAX, CommonErrorCode, ServiceError, Texts
from core.numbers import decimal_of
from notifications import events
from permissions import audit
from permissions.actor import Actor
from programs import common
from programs.errors import ProgramErrorCode as E
from programs.models import HappyHome, Origin, ServicePoint, ServiceRecord, Volunteer

FIELDS = ("name", "phone", "origin", "origin_name", "team", "skills")
MAX_CONFIRM_AT_ONCE = 100


def _clean(values: dict, problems: list) -> dict:
    out = {}
    for field, value in values.items():
        if field not in FIELDS:
            raise TypeError(field)
        if field == "name":
            value = common.required(value, "name", problems, NAME_MAX)
        elif field == "origin":
            value = Origin(value).value
        elif field == "skills":
            value = sorted({s.strip() for s in value or [] if s.strip()})
        else:
            value = common.text(value, field, problems, TITLE_MAX)
        out[field] = value
    return out


@transaction.atomic
def create_volunteer(actor: Actor, *, organization_id, **values) -> Volunteer:
    organization = actor.organization(organization_id, common.CHANGE)
    problems: list = []
    values.setdefault("name", "")
    fields = _clean(values, problems)
    common.raise_any(problems)
    volunteer = Volunteer.objects.create(organization=organization, **fields)
    audit.record(actor, "volunteer.create", volunteer, organization, {"origin": volunteer.origin})
    return volunteer


@transaction.atomic
def update_volunteer(actor: Actor, *, volunteer_id, **values) -> Volunteer:
    volunteer = common.for_change(actor, Volunteer.objects.all(), volunteer_id)
    problems: list = []
    fields = _clean(values, problems)
    common.raise_any(problems)
    for field, value in fields.items():
        setattr(volunteer, field, value)
    volunteer.save()
    audit.record(actor, "volunteer.update", volunteer, volunteer.organization, {"fields": sorted(fields)})
    return volunteer


def _hours(value, problems: list) -> Decimal:
    hours = decimal_of(value, Decimal("0.1"))
    if hours is None or not Decimal("0.5") <= hours <= Decimal("24"):
        problems.append((E.INVALID_HOURS, "hours", {}))
    return hours


@transaction.atomic
def record_hours(actor: Actor, *, volunteer_id, served_on: date, hours, happy_home_id=None, service_point_id=None,
                 description: str = "") -> ServiceRecord:
    """By the staff of the place; the volunteer must be assigned to it."""
    if (happy_home_id is None) == (service_point_id is None):
        raise ServiceError(E.ONE_PLACE, "happy_home_id")
    model, pk, field = (HappyHome, happy_home_id, "happy_home_id") if happy_home_id is not None else (
        ServicePoint, service_point_id, "service_point_id")
    place = common.for_change(actor, model.objects.all(), pk, field)
    volunteer = place.volunteers.filter(pk=volunteer_id).first()
    if volunteer is None:
        raise ServiceError(CommonErrorCode.NOT_FOUND, "volunteer_id")
    problems: list = []
    common.not_future(served_on, "served_on", problems)
    amount = _hours(hours, problems)
    description = common.text(description, "description", problems, 200)
    common.raise_any(problems)
    record = ServiceRecord.objects.create(
        volunteer=volunteer, organization=place.organization, served_on=served_on, hours=amount,
        description=description, recorded_by=actor.display_name,
        **({"happy_home": place} if model is HappyHome else {"service_point": place}))
    audit.record(actor, "service_hours.record", record, place.organization, {"volunteer": volunteer.pk, "hours": str(amount)})
    events.hours_recorded(record)
    return record


@transaction.atomic
def confirm_hours(actor: Actor, *, record_ids) -> list[ServiceRecord]:
    """Confirm several records at once, all or none."""
    ids = sorted({int(pk) for pk in record_ids})
    if not ids or len(ids) > MAX_CONFIRM_AT_ONCE:
        raise ServiceError(CommonErrorCode.INVALID, "record_ids", detail=f"1–{MAX_CONFIRM_AT_ONCE}")
    records = list(actor.visible(ServiceRecord.objects.select_for_update(of=("self",)).select_related("organization"),
                                 common.VIEW).filter(pk__in=ids))
    if len(records) != len(ids):
        raise ServiceError(CommonErrorCode.NOT_FOUND, "record_ids")
    for record in records:
        actor.require(common.CONFIRM, record.organization, "record_ids")
        if record.confirmed_at is not None:
            raise ServiceError(E.ALREADY_CONFIRMED, "record_ids")
    now = timezone.now()
    for record in records:
        record.confirmed_at, record.confirmed_by = now, actor.display_name
    ServiceRecord.objects.bulk_update(records, ["confirmed_at", "confirmed_by"])
    for record in records:
        audit.record(actor, "service_hours.confirm", record, record.organization, {"hours": str(record.hours)})
    return records


@dataclass(frozen=True)
class Summary:
    """A volunteer's certificate-style summary (confirmed hours only)."""

    confirmed_hours: Decimal
    services: int
    first_served_on: date | None
    last_served_on: date | None
    unconfirmed_hours: Decimal

    def certificate(self, name: str) -> str:
        if not self.services:
            return Certificate.NONE.render(name=name)
        first, last = self.first_served_on, self.last_served_on
        return Certificate.SERVED.render(
            name=name, services=self.services, hours=self.confirmed_hours, first=first, last=last,
            first_zh=f"{first.year}年{first.month}月{first.day}日", last_zh=f"{last.year}年{last.month}月{last.day}日")


class Certificate(Texts):
    NONE = ("{name} 同志暂无经确认的志愿服务记录。", "{name}: no confirmed volunteer service yet.")
    SERVED = ("兹证明 {name} 同志于 {first_zh} 至 {last_zh} 参加关爱留守儿童志愿服务 {services} 次，累计服务 {hours} 小时。",
              "{name} served on {services} occasion(s) from {first} to {last}, {hours} confirmed hours in all.")


def summary(volunteer: Volunteer) -> Summary:
    confirmed = volunteer.records.confirmed().aggregate(
        h=Sum("hours"), n=Count("pk"), first=Min("served_on"), last=Max("served_on"))
    pending = volunteer.records.pending().aggregate(h=Sum("hours"))["h"]
    def hours(value) -> Decimal:  # one decimal place on every database
        return (value or Decimal(0)).quantize(Decimal("0.1"))

    return Summary(confirmed_hours=hours(confirmed["h"]), services=confirmed["n"], first_served_on=confirmed["first"],
                   last_served_on=confirmed["last"], unconfirmed_hours=hours(pending))
