"""快乐家园 sites: their record, the children and volunteers they serve, interest groups, and the standards
a site is held to (figures with explanations in Chinese and English)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce

from core.errors import CommonErrorCode, ServiceError
from permissions import audit
from permissions.actor import Actor
from programs import common
from programs.errors import ProgramErrorCode as E
from programs.models import (Corner, FundingSource, HappyHome, HomeChild, HomeFunding, HomeStaff, InterestGroup,
                             StaffRole, Volunteer)

VOLUNTEER_RATIO = Decimal("0.30")
FIELDS = ("name", "division_code", "address", "opened_on", "area_m2", "corners", "open_after_school", "open_weekends",
          "open_holidays", "opening_hours", "books_count", "supervision_group")


@dataclass(frozen=True)
class Standard:
    code: str
    met: bool
    figure: str
    explanation: str


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def standards(*, children: int, volunteers: int, roles: set[str], after_school: bool, weekends: bool,
              holidays: bool) -> list[Standard]:
    """The three checks of a site (志愿者比例, 专职人员, 开放时间), each with its figure and why."""
    ratio = Decimal(volunteers) / Decimal(children) if children else None
    ratio_met = children == 0 or ratio >= VOLUNTEER_RATIO
    ratio_figure = _percent(ratio) if ratio is not None else "—"
    need = (Decimal(children) * VOLUNTEER_RATIO).to_integral_value(rounding="ROUND_CEILING")
    ratio_text = (f"志愿者 {volunteers} 人，服务儿童 {children} 人，比例 {ratio_figure}，"
                  + ("达到不低于 30% 的要求。" if ratio_met else f"低于 30% 的要求，至少需要 {need} 名志愿者。")
                  + f" / {volunteers} volunteers for {children} children ({ratio_figure}): "
                  + ("meets the 30% rule." if ratio_met else f"below the 30% rule; at least {need} volunteers are needed."))
    missing = [label for role, label in ((StaffRole.DIRECTOR, "专职主任 director"), (StaffRole.SOCIAL_WORKER, "社工 social worker"))
               if role not in roles]
    staff_text = ("专职主任和社工均已到位。 / A director and a social worker are in post." if not missing
                  else "缺少：" + "、".join(m.split(" ")[0] for m in missing) + " / Missing: " + ", ".join(m.split(" ", 1)[1] for m in missing))
    hours = {"放学后 after school": after_school, "周末 weekends": weekends, "节假日 holidays": holidays}
    closed = [name for name, is_open in hours.items() if not is_open]
    hours_text = ("放学后、周末和节假日均开放。 / Open after school, at weekends and in holidays." if not closed
                  else "未开放：" + "、".join(c.split(" ")[0] for c in closed) + " / Not open: " + ", ".join(c.split(" ", 1)[1] for c in closed))
    return [
        Standard("VOLUNTEER_RATIO", ratio_met, ratio_figure, ratio_text),
        Standard("STAFF", not missing, f"{2 - len(missing)}/2", staff_text),
        Standard("OPENING_HOURS", not closed, f"{3 - len(closed)}/3", hours_text),
    ]


def with_counts(queryset):
    """Sites annotated with ``children_count`` and ``volunteers_count`` (one subquery each, no join fan-out)."""
    def count(model, field):
        rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    return queryset.annotate(children_count=count(HomeChild, "home"),
                             volunteers_count=count(HappyHome.volunteers.through, "happyhome"))


def standards_of(home: HappyHome) -> list[Standard]:
    """For a site loaded through ``with_counts`` with ``staff`` prefetched (or not: then it queries)."""
    children = home.children_count if hasattr(home, "children_count") else home.children.count()
    volunteers = home.volunteers_count if hasattr(home, "volunteers_count") else home.volunteers.count()
    return standards(children=children, volunteers=volunteers, roles={s.role for s in home.staff.all()},
                     after_school=home.open_after_school, weekends=home.open_weekends, holidays=home.open_holidays)


def below_standard(home: HappyHome) -> bool:
    return not all(s.met for s in standards_of(home))


def _clean(values: dict, problems: list) -> dict:
    out = {}
    for field in FIELDS:
        if field not in values:
            continue
        value = values[field]
        if field == "name":
            value = common.required(value, "name", problems)
        elif field == "corners":
            value = [{"kind": Corner(c["kind"]).value, "name": (c.get("name") or "").strip()[:50],
                      "computers": max(0, int(c.get("computers") or 0))} for c in value or []]
        elif field in ("area_m2", "books_count") and (value is None or value < 0):
            problems.append((E.INVALID_AMOUNT, {"area_m2": "areaM2", "books_count": "booksCount"}[field], {}))
        elif isinstance(value, str):
            value = value.strip()
        out[field] = value
    return out


def _check_staff_and_funding(staff, funding, problems: list) -> None:
    if staff is not None and any(not (name or "").strip() for _role, name in staff):
        problems.append((E.NAME_REQUIRED, "staff", {}))
    for _year, _source, value in funding or ():
        common.amount(value, "funding", problems)


def _replace_staff_and_funding(home: HappyHome, staff, funding) -> None:
    """``None`` keeps what is there; a list replaces it."""
    if staff is not None:
        home.staff.all().delete()
        HomeStaff.objects.bulk_create([HomeStaff(home=home, role=StaffRole(role), name=name.strip()) for role, name in staff])
    if funding is not None:
        home.funding.all().delete()
        HomeFunding.objects.bulk_create([HomeFunding(home=home, year=year, source=FundingSource(source), amount=value)
                                         for year, source, value in funding])


@transaction.atomic
def create_home(actor: Actor, *, organization_id, staff=(), funding=(), **values) -> HappyHome:
    organization = actor.organization(organization_id, common.CHANGE)
    problems: list = []
    values.setdefault("name", "")
    fields = _clean(values, problems)
    _check_staff_and_funding(staff, funding, problems)
    common.raise_any(problems)
    home = HappyHome.objects.create(organization=organization, **fields)
    _replace_staff_and_funding(home, list(staff), list(funding))
    audit.record(actor, "happy_home.create", home, organization, {"name": home.name})
    return home


@transaction.atomic
def update_home(actor: Actor, *, home_id, staff=None, funding=None, **values) -> HappyHome:
    home = common.for_change(actor, HappyHome.objects.all(), home_id)
    problems: list = []
    fields = _clean(values, problems)
    _check_staff_and_funding(staff, funding, problems)
    common.raise_any(problems)
    for field, value in fields.items():
        setattr(home, field, value)
    home.save()
    _replace_staff_and_funding(home, staff, funding)
    audit.record(actor, "happy_home.update", home, home.organization, {"fields": sorted(fields)})
    return home


@transaction.atomic
def set_members(actor: Actor, *, home_id, add_child_ids=(), remove_child_ids=(), add_volunteer_ids=(),
                remove_volunteer_ids=()) -> HappyHome:
    """Children served and volunteers assigned. Added children and volunteers must be visible to the actor."""
    home = common.for_change(actor, HappyHome.objects.all(), home_id, "homeId")
    added = common.children(actor, add_child_ids, "addChildIds")
    volunteers = common.visible_all(actor, Volunteer.objects.all(), common.VIEW, add_volunteer_ids, "addVolunteerIds")
    HomeChild.objects.bulk_create([HomeChild(home=home, child=c) for c in added], ignore_conflicts=True)
    HomeChild.objects.filter(home=home, child_id__in=list(remove_child_ids)).delete()
    home.volunteers.add(*volunteers)
    home.volunteers.remove(*list(remove_volunteer_ids))
    audit.record(actor, "happy_home.members", home, home.organization, {
        "children_added": [c.pk for c in added], "children_removed": sorted(map(int, remove_child_ids)),
        "volunteers_added": [v.pk for v in volunteers], "volunteers_removed": sorted(map(int, remove_volunteer_ids))})
    return home


@transaction.atomic
def save_group(actor: Actor, *, home_id, name: str, schedule: str = "", member_ids=(), group_id=None) -> InterestGroup:
    """Create or change an interest group; members must be children the site serves."""
    home = common.for_change(actor, HappyHome.objects.all(), home_id, "homeId")
    problems: list = []
    name = common.required(name, "name", problems)
    common.raise_any(problems)
    members = sorted({int(pk) for pk in member_ids})
    if HomeChild.objects.filter(home=home, child_id__in=members).count() != len(members):
        raise ServiceError(CommonErrorCode.NOT_FOUND, "memberIds")
    group = home.groups.filter(pk=group_id).first() if group_id is not None else InterestGroup(home=home)
    if group is None:
        raise ServiceError(CommonErrorCode.NOT_FOUND, "id")
    group.name, group.schedule = name, (schedule or "").strip()
    group.save()
    group.members.set(members)
    audit.record(actor, "happy_home.group", home, home.organization, {"group": group.pk, "members": members})
    return group
