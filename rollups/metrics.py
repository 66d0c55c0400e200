"""What is counted: the metric catalogue, one entry per figure (adding a figure is adding an entry to METRICS).

Each metric counts rows (or sums a field of them) per organization and month, in SQL: ``month`` is the first day
of the month of the event the metric counts (collected, fulfilled, served …); stock figures (children registered,
sites, volunteers, active pairings) have no month and are as of the computation. ``watch`` names the columns of
the counted rows a figure depends on: the database triggers (rollups.triggers) mark an organization dirty when
a row is inserted or deleted, or one of these columns changes; ``also`` names other tables whose rows change the
figure (a site's staff, the children it serves).

A record is counted at the organization that owns it (a wish at the body that collected it, even after a
superior took it over), so every record is counted once in any subtree and any sum of disjoint subtrees."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.db import connection
from django.db.models import BigIntegerField, Case as CaseWhen, DateField, DecimalField, F, Min, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, TruncMonth

from cases.models import Case, CaseStatus, Incident, Referral, ReferralStatus, RiskLevel, Service, ServiceKind
from children.models import Category, Child, GuardianArrangement, Status
from programs import pairings, sites
from programs.models import (Activity, HappyHome, HomeChild, HomeStaff, Pairing, PairingKind, PairingState, ServicePoint,
                             ServiceRecord, Volunteer)
from wishes.models import Claim, DonorKind, Wish


FIGURE = DecimalField(max_digits=16, decimal_places=2)  # every value, so that the UNION ALL keeps decimals


@dataclass(frozen=True)
class Watch:
    """Rows of ``model`` that change figures: on insert, delete or an update of ``columns``; ``owner`` is the
    foreign key leading to the row that holds the organization ("" when the row itself holds it)."""

    model: type
    columns: tuple[str, ...] = ()
    owner: str = ""


@dataclass(frozen=True)
class Metric:
    name: str
    label: str  # on screens, in Excel and in messages
    rows: Callable[[], QuerySet]  # called at each computation (overdue pairings depend on the day)
    stamp: str | None = None  # the date or time stamp giving the month; None: a stock figure
    total: str | None = None  # the field summed; None: rows counted
    owner: str = ""  # lookup prefix from a counted row to the row holding the organization ("home__")
    watch: tuple[str, ...] = ("organization_id",)
    also: tuple[Watch, ...] = ()
    where: Q | None = None  # counted among rows() only where this holds
    # rows with the same values of these fields at one organization count once, in the month of the first stamp
    # among them (one GROUP BY, no search for earlier rows); within one body the figure depends only on that body's
    # rows, so the fold stays exact
    first: tuple[str, ...] = ()

    def value(self):
        """What one counted row adds (its ``total``, or 1), None where ``where`` does not hold."""
        value = F(self.total) if self.total else Value(1)
        return CaseWhen(When(self.where, then=value), default=None, output_field=FIGURE) if self.where else value

    def watches(self) -> tuple[Watch, ...]:
        model = self.rows().model
        return (Watch(model, tuple(self.watch), self.owner.rstrip("_")), *self.also)


WISH_EVENTS = {  # metric -> the wish's time stamp
    "wishes.collected": "created_at",
    "wishes.published": "published_at",
    "wishes.claimed": "claimed_at",
    "wishes.delivered": "delivered_at",
    "wishes.fulfilled": "fulfilled_at",
    "wishes.escalated": "escalated_at",
    "wishes.closed": "closed_at",
}
WISH_LABELS = {"wishes.collected": "心愿征集", "wishes.published": "心愿公示", "wishes.claimed": "心愿认领",
               "wishes.delivered": "心愿发放", "wishes.fulfilled": "心愿圆梦", "wishes.escalated": "心愿交上级",
               "wishes.closed": "心愿无法实现"}
CHILD_COLUMNS = ("organization_id", "status", "categories", "guardian_arrangement")
HOME_COLUMNS = ("organization_id", "open_after_school", "open_weekends", "open_holidays")
POINT_COLUMNS = ("organization_id", "starts_on", "children_served", "money_raised", "goods_value")
HOURS_COLUMNS = ("organization_id", "service_point_id", "served_on", "hours", "confirmed_at")
PAIRING_COLUMNS = ("organization_id", "state", "kind", "last_contact_on", "started_on")


def _children() -> QuerySet:
    """Children in care now (active, not anonymized): every children.* metric counts them in one scan."""
    return Child.objects.filter(status=Status.ACTIVE)


def _points() -> QuerySet:
    return ServicePoint.objects.all()


def _active_pairings() -> QuerySet:
    return Pairing.objects.filter(state=PairingState.ACTIVE)


def _fulfilled_wishes() -> QuerySet:
    """Children whose wishes came true: counted once per body that fulfilled a wish of theirs, in the month of the
    first (Metric.first)."""
    return Wish.objects.filter(child__isnull=False)


def _claims() -> QuerySet:
    """Donors (persons or units), counted once per body on whose wishes they claimed, in the month of their first
    claim there (Metric.first): the donor is one key beside its kind."""
    donor = Coalesce(CaseWhen(When(donor_kind=DonorKind.PERSON, then=F("donor_user_id")),
                              When(donor_kind=DonorKind.UNIT, then=F("donor_unit_id")), output_field=BigIntegerField()),
                     -F("pk"), output_field=BigIntegerField())  # no account: the claim is its own donor
    return Claim.objects.annotate(donor=donor)


def _referrals() -> QuerySet:
    return Referral.objects.all()


CLAIM_COLUMNS = ("wish_id", "donor_kind", "donor_user_id", "donor_unit_id", "created_at")
CHILD_OWNER = Watch(Child, ("organization_id",))  # case work counts at its child's organization
CASE_OWNER = "case__child__"


METRICS: tuple[Metric, ...] = (
    Metric("children.total", "在册儿童", _children, watch=CHILD_COLUMNS),
    # categories is a JSON list of codes: a code in quotes is found in its text on SQLite and PostgreSQL alike
    *(Metric(f"children.category.{c}", f"儿童：{label}", _children, watch=CHILD_COLUMNS,
             where=Q(categories__icontains=f'"{c}"'))
      for c, label in Category.choices),
    *(Metric(f"children.arrangement.{a}", f"监护：{label}", _children, watch=CHILD_COLUMNS,
             where=Q(guardian_arrangement=a))
      for a, label in GuardianArrangement.choices),
    *(Metric(name, WISH_LABELS[name], Wish.objects.all, stamp, watch=("organization_id", stamp)) for name, stamp in WISH_EVENTS.items()),
    Metric("homes.sites", "快乐家园", HappyHome.objects.all),
    Metric("homes.children_served", "快乐家园服务儿童", HomeChild.objects.all, owner="home__", watch=("home_id",)),
    Metric("homes.volunteers", "快乐家园志愿者", HappyHome.volunteers.through.objects.all, owner="happyhome__", watch=("happyhome_id",)),
    Metric("homes.below_standard", "未达标快乐家园", lambda: sites.below_standard_rows(HappyHome.objects.all()), watch=HOME_COLUMNS,
           also=(Watch(HomeChild, ("home_id",), "home"), Watch(HappyHome.volunteers.through, ("happyhome_id",), "happyhome"),
                 Watch(HomeStaff, ("home_id", "role"), "home"))),
    Metric("volunteers.registered", "登记志愿者", Volunteer.objects.all),
    Metric("holiday.service_points", "七彩假期服务点", _points, "starts_on", watch=POINT_COLUMNS),
    Metric("holiday.children_served", "七彩假期服务儿童", _points, "starts_on", "children_served", watch=POINT_COLUMNS),
    Metric("holiday.money_raised", "七彩假期募集资金（元）", _points, "starts_on", "money_raised", watch=POINT_COLUMNS),
    Metric("holiday.goods_value", "七彩假期物资价值（元）", _points, "starts_on", "goods_value", watch=POINT_COLUMNS),
    Metric("holiday.volunteers", "七彩假期志愿者人次", ServicePoint.volunteers.through.objects.all, "servicepoint__starts_on",
           owner="servicepoint__", watch=("servicepoint_id",)),
    Metric("holiday.service_hours", "七彩假期服务时长", lambda: ServiceRecord.objects.confirmed().filter(service_point__isnull=False),
           "served_on", "hours", watch=HOURS_COLUMNS),
    Metric("pairings.active", "结对中", _active_pairings, watch=PAIRING_COLUMNS),
    Metric("pairings.overdue", "结对逾期未联系", lambda: Pairing.objects.filter(pairings.overdue_q()), watch=PAIRING_COLUMNS),
    Metric("pairings.started", "新结对", Pairing.objects.all, "started_on", watch=PAIRING_COLUMNS),
    Metric("activities.held", "开展活动", Activity.objects.all, "held_on", watch=("organization_id", "held_on")),
    # issue 20: the donors' figures
    Metric("wishes.claimed_value", "认领心愿价值（元）", Wish.objects.all, "claimed_at", "estimated_value",
           watch=("organization_id", "claimed_at", "estimated_value")),
    Metric("wishes.delivered_value", "发放心愿价值（元）", Wish.objects.all, "delivered_at", "estimated_value",
           watch=("organization_id", "delivered_at", "estimated_value")),
    Metric("wishes.children_fulfilled", "圆梦儿童", _fulfilled_wishes, "fulfilled_at",
           watch=("organization_id", "fulfilled_at", "child_id"), first=("child",)),
    *(Metric(f"donors.{name}", label, _claims, "created_at", owner="wish__", watch=CLAIM_COLUMNS,
             where=Q(donor_kind=kind), first=("donor_kind", "donor"))
      for name, label, kind in (("individuals", "爱心人士", DonorKind.PERSON), ("units", "爱心单位", DonorKind.UNIT))),
    *(Metric(f"pairings.kind.{k}", f"结对：{label}", _active_pairings, watch=PAIRING_COLUMNS, where=Q(kind=k))
      for k, label in PairingKind.choices),
    # issue 22: case work, without personal data
    Metric("cases.high_risk", "高风险儿童", lambda: Case.objects.filter(risk_level=RiskLevel.HIGH, status=CaseStatus.OPEN),
           owner="child__", watch=("child_id", "risk_level", "status"), also=(CHILD_OWNER,)),
    Metric("cases.open_incidents", "未处置完毕的事件", lambda: Incident.objects.filter(closed_at__isnull=True), owner=CASE_OWNER,
           watch=("case_id", "closed_at"), also=(CHILD_OWNER,)),
    *(Metric(f"cases.referrals.{s}", f"转介：{label}", _referrals, owner=CASE_OWNER, watch=("case_id", "status"),
             also=(CHILD_OWNER,), where=Q(status=s))
      for s, label in ReferralStatus.choices),
    Metric("cases.counselling", "心理疏导次数", lambda: Service.objects.filter(kind=ServiceKind.COUNSELLING), "given_on",
           owner=CASE_OWNER, watch=("case_id", "kind", "given_on", "amount"), also=(CHILD_OWNER,)),
    Metric("cases.aid_paid", "资助金额（元）", lambda: Service.objects.filter(kind=ServiceKind.AID), "given_on", "amount",
           owner=CASE_OWNER, watch=("case_id", "kind", "given_on", "amount"), also=(CHILD_OWNER,)),
)


LABELS = {metric.name: metric.label for metric in METRICS}


def _families() -> list[list[Metric]]:
    """Metrics over the same rows, owner and time stamp, counted in one GROUP BY (a conditional sum each): the
    children's categories and arrangements, the wishes claimed and their value, the holiday service points' sums.
    Metrics of different stamps group by different months: one GROUP BY over all of a table's stamps (unpivoted)
    held every figure of every organization and month at once (3.9 million groups for the wishes at province scale),
    which PostgreSQL sorted or spilled: slower than reading the table once per stamp."""
    families: dict = {}
    for metric in METRICS:
        families.setdefault((metric.rows, metric.owner, metric.stamp, metric.first), []).append(metric)
    return list(families.values())


def _family(family: list[Metric], n: int, *, organization_ids=None, path=None, months=None) -> tuple[str, list, list]:
    """One scan of a family's rows, ``(cte, params, parts)``: grouped by organization and month (or, with ``months``,
    summed over those months), every metric of the family summed over the rows it counts; ``parts``: one SELECT per
    metric of its non-zero sums."""
    head = family[0]

    def scoped(rows: QuerySet) -> QuerySet:
        if organization_ids is not None:
            rows = rows.filter(**{f"{head.owner}organization_id__in": organization_ids})
        if path is not None:
            rows = rows.filter(**{f"{head.owner}org_path__startswith": path})
        return rows

    rows = scoped(head.rows().order_by())
    if head.stamp:
        rows = rows.filter(**{f"{head.stamp}__isnull": False})
    if head.first:  # one row per group and organization, in the month of its first stamp
        rows = rows.values(*head.first, f"{head.owner}organization_id")
    stamp = (Min(head.stamp) if head.first else head.stamp) if head.stamp else None
    columns = {"o": F(f"{head.owner}organization_id"), "m": Cast(TruncMonth(stamp) if stamp else Value(None), DateField())}
    columns |= {f"v{j}": m.value() for j, m in enumerate(family)}
    scan, params = rows.annotate(**columns).values(*columns).query.sql_with_params()
    sums = ", ".join(f"SUM(r.v{j}) AS v{j}" for j in range(len(family)))
    if months is None:
        cte, select = f"SELECT r.o AS o, r.m AS m, {sums} FROM ({scan}) AS r GROUP BY r.o, r.m", "o, %s AS k, m, v{j} AS v"
    else:
        cte, select = f"SELECT {sums} FROM ({scan}) AS r", "%s AS k, v{j} AS v"
        if head.stamp:
            cte, params = f"{cte} WHERE r.m BETWEEN %s AND %s", (*params, *months)
    parts = [(f"SELECT {select.format(j=j)} FROM family{n} WHERE v{j} <> 0", m.name) for j, m in enumerate(family)]
    return f"family{n} AS ({cte})", list(params), parts


def own_rows(**where) -> tuple[str, list]:
    """Every metric's non-zero figures in one statement, ``(sql, params)``: ``(o, k, m, v)`` (organization, metric
    name, month, value), one row per organization and month, for the given ``organization_ids`` or the subtree under
    ``path``; with ``months`` (first, last), ``(k, v)``: the subtree's total over those months (stock figures as they
    are now). Each family's rows are read once (_family); the statement is their union."""
    ctes, parts = [], []
    for n, family in enumerate(_families()):
        ctes.append(_family(family, n, **where))
    parts = [part for _cte, _params, family_parts in ctes for part in family_parts]
    sql = "WITH " + ", ".join(cte for cte, _p, _parts in ctes) + " " + " UNION ALL ".join(sql for sql, _k in parts)
    return sql, [p for _cte, params, _parts in ctes for p in params] + [k for _sql, k in parts]


def totals(path: str, months: tuple) -> list[tuple]:
    """``(k, v)``: the subtree's non-zero figures over the months (first, last), counted now (own_rows)."""
    sql, params = own_rows(path=path, months=months)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
