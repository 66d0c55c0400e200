"""快乐家园 sites: their record, the children and volunteers they serve, interest groups, and the standards
a site is held to (figures with explanations, in the request's language)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from core.errors import NAME_MAX, TITLE_MAX, CommonErrorCode, ServiceError, Texts
from permissions import audit
from permissions.actor import Actor
from programs import common
from programs.errors import ProgramErrorCode as E
from programs.models import (Corner, FundingSource, HappyHome, HomeChild, HomeFunding, HomeStaff, InterestGroup,
                             StaffRole, Volunteer)

VOLUNTEER_RATIO = Decimal("0.30")
LIMITS = {"division_code": 12, "address": 100, "opening_hours": 100, "supervision_group": 100}
FIELDS = ("name", "division_code", "address", "opened_on", "area_m2", "corners", "open_after_school", "open_weekends",
          "open_holidays", "opening_hours", "books_count", "supervision_group")


@dataclass(frozen=True)
class Standard:
    code: str
    title: str
    met: bool
    figure: str
    explanation: str


class SiteText(Texts):
    VOLUNTEER_RATIO = ("志愿者比例", "Volunteer ratio")
    STAFF = ("专职人员", "Staff in post")
    OPENING_HOURS = ("开放时间", "Opening hours")
    NOBODY_SERVED = ("尚未登记服务儿童，请先在“服务儿童”中添加；有儿童和志愿者后才能达标。",
                     "No children served are recorded yet: add them first; a site meets the standard only with "
                     "children and volunteers.")
    RATIO_MET = ("志愿者 {volunteers} 人，服务儿童 {children} 人，比例 {figure}，达到不低于 30% 的要求。",
                 "{volunteers} volunteers for {children} children ({figure}): meets the 30% rule.")
    RATIO_SHORT = ("志愿者 {volunteers} 人，服务儿童 {children} 人，比例 {figure}，低于 30% 的要求，至少需要 {need} 名志愿者。",
                   "{volunteers} volunteers for {children} children ({figure}): below the 30% rule; at least {need} "
                   "volunteers are needed.")
    STAFF_MET = ("专职主任和社工均已到位。", "A director and a social worker are in post.")
    STAFF_MISSING = ("缺少：{missing}。", "Missing: {missing}.")
    DIRECTOR = ("专职主任", "a director")
    SOCIAL_WORKER = ("社工", "a social worker")
    HOURS_MET = ("放学后、周末和节假日均开放。", "Open after school, at weekends and in holidays.")
    HOURS_CLOSED = ("未开放：{closed}。", "Not open: {closed}.")
    AFTER_SCHOOL = ("放学后", "after school")
    WEEKENDS = ("周末", "at weekends")
    HOLIDAYS = ("节假日", "in holidays")
    LIST_SEPARATOR = ("、", ", ")


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def standards(*, children: int, volunteers: int, roles: set[str], after_school: bool, weekends: bool,
              holidays: bool) -> list[Standard]:
    """The three checks of a site (志愿者比例, 专职人员, 开放时间), each with its figure and why. A site that serves
    nobody yet does not meet the volunteer ratio: there is nothing to be proud of in 0 volunteers for 0 children."""
    T = SiteText
    ratio = Decimal(volunteers) / Decimal(children) if children else None
    ratio_met = ratio is not None and ratio >= VOLUNTEER_RATIO
    ratio_figure = _percent(ratio) if ratio is not None else "—"
    need = (Decimal(children) * VOLUNTEER_RATIO).to_integral_value(rounding="ROUND_CEILING")
    counts = {"volunteers": volunteers, "children": children, "figure": ratio_figure, "need": need}
    ratio_text = (T.NOBODY_SERVED if not children else T.RATIO_MET if ratio_met else T.RATIO_SHORT).render(**counts)
    missing = [label.render() for role, label in ((StaffRole.DIRECTOR, T.DIRECTOR), (StaffRole.SOCIAL_WORKER, T.SOCIAL_WORKER))
               if role not in roles]
    staff_text = T.STAFF_MISSING.render(missing=T.LIST_SEPARATOR.render().join(missing)) if missing else T.STAFF_MET.render()
    hours = ((T.AFTER_SCHOOL, after_school), (T.WEEKENDS, weekends), (T.HOLIDAYS, holidays))
    closed = [name.render() for name, is_open in hours if not is_open]
    hours_text = T.HOURS_CLOSED.render(closed=T.LIST_SEPARATOR.render().join(closed)) if closed else T.HOURS_MET.render()
    return [
        Standard("VOLUNTEER_RATIO", T.VOLUNTEER_RATIO.render(), ratio_met, ratio_figure, ratio_text),
        Standard("STAFF", T.STAFF.render(), not missing, f"{2 - len(missing)}/2", staff_text),
        Standard("OPENING_HOURS", T.OPENING_HOURS.render(), not closed, f"{3 - len(closed)}/3", hours_text),
    ]


def _counts() -> dict:
    def count(model, field):
        rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    return {"children_count": count(HomeChild, "home"), "volunteers_count": count(HappyHome.volunteers.through, "happyhome")}


def with_counts(queryset):
    """Sites annotated with ``children_count`` and ``volunteers_count`` (one subquery each, no join fan-out)."""
    return queryset.annotate(**_counts())


def below_standard_rows(queryset):
    """The sites failing one of standards()'s three checks, decided in SQL (the rollups count them by
    organization): the same rules as ``below_standard``, which tests/rollups check against each other."""
    def staffed(role):
        return Q(Exists(HomeStaff.objects.filter(home=OuterRef("pk"), role=role)))

    met = (Q(children_count__gt=0, volunteers_count__gte=F("children_count") * VOLUNTEER_RATIO)
           & staffed(StaffRole.DIRECTOR) & staffed(StaffRole.SOCIAL_WORKER)
           & Q(open_after_school=True, open_weekends=True, open_holidays=True))
    return queryset.alias(**_counts()).exclude(met)


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
            problems.append((E.INVALID_AMOUNT, field, {}))
        elif isinstance(value, str):
            value = common.text(value, field, problems, LIMITS.get(field, TITLE_MAX))
        out[field] = value
    return out


def _check_staff_and_funding(staff, funding, problems: list) -> None:
    for _role, name in staff or ():
        common.required(name, "staff", problems, NAME_MAX)
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
    home = common.for_change(actor, HappyHome.objects.all(), home_id, "home_id")
    added = common.children(actor, add_child_ids, "add_child_ids")
    volunteers = common.visible_all(actor, Volunteer.objects.all(), common.VIEW, add_volunteer_ids, "add_volunteer_ids")
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
    home = common.for_change(actor, HappyHome.objects.all(), home_id, "home_id")
    problems: list = []
    name = common.required(name, "name", problems)
    schedule = common.text(schedule, "schedule", problems, TITLE_MAX)
    common.raise_any(problems)
    members = sorted({int(pk) for pk in member_ids})
    if HomeChild.objects.filter(home=home, child_id__in=members).count() != len(members):
        raise ServiceError(CommonErrorCode.NOT_FOUND, "member_ids")
    group = home.groups.filter(pk=group_id).first() if group_id is not None else InterestGroup(home=home)
    if group is None:
        raise ServiceError(CommonErrorCode.NOT_FOUND, "id")
    group.name, group.schedule = name, schedule
    group.save()
    group.members.set(members)
    audit.record(actor, "happy_home.group", home, home.organization, {"group": group.pk, "members": members})
    return group
