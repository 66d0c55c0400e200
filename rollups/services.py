"""Rollups: refreshing the per-organization, per-month figures and reading them for a subtree and a period.

The refresh computes every organization's own figures (rollups.metrics) and adds each into the subtree
figure of the organization and of every ancestor, so that reading a subtree for a period is a lookup of a
few rows whatever its size, and a drill-down one query for all direct children. Figures are as of the last
finished refresh (``computed_at``); the periodic job and ``refreshRollups`` run it.
"""

from __future__ import annotations

import calendar
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import bulk
from core.errors import ServiceError
from orgs.divisions import BOUNDARIES, region_prefix
from orgs.models import Organization
from orgs.paths import ancestor_paths
from permissions.actor import Actor
from rollups import metrics
from rollups.errors import RollupErrorCode as E
from rollups.models import Figure, RefreshRun

VIEW = "rollups.view_rollup"
BATCH = 5000


@dataclass(frozen=True)
class Period:
    """Whole months from ``first`` to ``last`` (both the first day of their month)."""

    first: date
    last: date

    @property
    def ends_on(self) -> date:
        return date(self.last.year, self.last.month, calendar.monthrange(self.last.year, self.last.month)[1])


def _first_of(day: date) -> date:
    return date(day.year, day.month, 1)


def period(kind: str, *, year: int | None = None, number: int | None = None, starts_on: date | None = None,
           ends_on: date | None = None, campaign=None) -> Period:
    """MONTH (year, number 1–12), QUARTER (year, number 1–4), YEAR (year), CAMPAIGN (its dates) or CUSTOM
    (starts_on, ends_on). Figures are kept by month: a period covers the whole months it touches."""
    def bad(detail):
        return ServiceError(E.PERIOD_INVALID, "period", detail=detail)

    if kind == "CAMPAIGN":
        if campaign is None:
            raise bad("campaign_id")
        starts_on, ends_on = campaign.starts_on, campaign.ends_on
    elif kind == "CUSTOM":
        if starts_on is None or ends_on is None or ends_on < starts_on:
            raise bad("startsOn ≤ endsOn")
    else:
        if year is None or not 2000 <= year <= 2100:
            raise bad("year")
        if kind == "YEAR":
            starts_on, ends_on = date(year, 1, 1), date(year, 12, 1)
        elif kind == "QUARTER" and number in (1, 2, 3, 4):
            starts_on, ends_on = date(year, 3 * number - 2, 1), date(year, 3 * number, 1)
        elif kind == "MONTH" and number in range(1, 13):
            starts_on = ends_on = date(year, number, 1)
        else:
            raise bad("number")
    return Period(_first_of(starts_on), _first_of(ends_on))


@transaction.atomic
def refresh() -> RefreshRun:
    """Recompute every figure (one transaction: readers see the old figures until it commits)."""
    run = RefreshRun.objects.create(started_at=timezone.now())
    clock = time.monotonic()
    paths = dict(Organization.objects.values_list("id", "path"))
    by_path = {path: pk for pk, path in paths.items()}
    own = metrics.own_figures()
    subtree: dict = defaultdict(Decimal)
    for (organization_id, month, metric), value in own.items():
        path = paths[organization_id]
        for node in (*ancestor_paths(path), path):
            subtree[by_path[node], month, metric] += value
    Figure.objects.all().delete()  # not TRUNCATE: readers keep the old figures until this commits
    batch: list = []
    for (o, m, k), v in subtree.items():  # model objects one batch at a time: memory stays with the dicts
        batch.append(Figure(organization_id=o, month=m, metric=k, own=own.get((o, m, k), Decimal(0)), subtree=v))
        if len(batch) == BATCH:
            bulk.insert(Figure, batch)
            batch = []
    bulk.insert(Figure, batch)
    run.finished_at, run.rows, run.seconds = timezone.now(), len(subtree), time.monotonic() - clock
    run.save()
    return run


def scheduled_refresh() -> int:
    """The periodic job (jobs.registry.SCHEDULE): how many figures it wrote."""
    return refresh().rows


def last_run() -> RefreshRun | None:
    return RefreshRun.objects.filter(finished_at__isnull=False).first()


def _in(period_: Period) -> Q:
    return Q(month__isnull=True) | Q(month__gte=period_.first, month__lte=period_.last)


def _sum(rows) -> dict[str, Decimal]:
    totals: dict = defaultdict(Decimal)
    for metric, value in rows:
        totals[metric] += value
    return dict(totals)


def figures(organization_ids: list[int], period_: Period) -> dict[int, dict[str, Decimal]]:
    """Subtree figures of each organization over the period: one query for any number of organizations."""
    grouped: dict = defaultdict(list)
    rows = Figure.objects.filter(_in(period_), organization_id__in=organization_ids).values_list("organization_id", "metric", "subtree")
    for organization_id, metric, value in rows:
        grouped[organization_id].append((metric, value))
    return {pk: _sum(grouped.get(pk, ())) for pk in organization_ids}


def viewable(actor: Actor, organization_id, field: str = "organization_id") -> Organization:
    organization = actor.get_visible(Organization.objects.all(), VIEW, organization_id, field)
    if last_run() is None:
        raise ServiceError(E.NOT_REFRESHED, None)
    return organization


def rollup(actor: Actor, *, organization_id, period_: Period) -> tuple[Organization, dict[str, Decimal]]:
    organization = viewable(actor, organization_id)
    return organization, figures([organization.pk], period_)[organization.pk]


def by_children(actor: Actor, *, organization_id, period_: Period) -> list[tuple[Organization, dict[str, Decimal]]]:
    """Drill-down: each direct child organization's subtree figures (they sum to the parent's own-excluded total)."""
    organization = viewable(actor, organization_id)
    children = list(Organization.objects.active().filter(parent=organization).order_by("path"))
    found = figures([c.pk for c in children], period_)
    return [(c, found[c.pk]) for c in children]


def by_division(actor: Actor, *, organization_id, period_: Period) -> list[tuple[str, list[Organization], dict[str, Decimal]]]:
    """Across systems: for each division one level below the organization's, the figures of the top
    organizations of every system in that division that the actor may see (the league and the women's
    federation of a county summed for that county); subtrees never overlap, so each record counts once."""
    organization = viewable(actor, organization_id)
    prefix = region_prefix(organization.division_code) if organization.division_code else ""
    if not prefix:
        raise ServiceError(E.NO_DIVISION, "organization_id")
    length = next((n for n in BOUNDARIES if n > len(prefix)), None)
    if length is None:
        return []
    candidates = actor.visible(Organization.objects.active().filter(division_code__startswith=prefix), VIEW)
    groups: dict[str, list[Organization]] = defaultdict(list)
    for node in candidates.order_by("path"):
        code = region_prefix(node.division_code)
        if len(code) < length:
            continue
        key = code[:length]
        if not any(node.path.startswith(top.path) for top in groups[key]):
            groups[key].append(node)
    found = figures([n.pk for tops in groups.values() for n in tops], period_)
    result = []
    for key in sorted(groups):
        totals: dict = defaultdict(Decimal)
        for node in groups[key]:
            for metric, value in found[node.pk].items():
                totals[metric] += value
        result.append((key, groups[key], dict(totals)))
    return result
