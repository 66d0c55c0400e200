"""What is counted. Each source yields ``(organization_id, month or None, metric, value)`` for every
organization's own rows; rollups.services sums them up the tree. ``month`` is the first day of the month of
the event the metric counts (collected, fulfilled, served …); stock figures (children registered, sites,
volunteers, active pairings) have no month and are as of the refresh.

A record is counted at the organization that owns it (a wish at the body that collected it, even after a
superior took it over), so every record is counted once in any subtree and any sum of disjoint subtrees."""

from collections import Counter
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth

from children.models import Child, Status
from programs import pairings, sites
from programs.models import Activity, HappyHome, Pairing, PairingState, ServicePoint, ServiceRecord, Volunteer
from wishes.models import Wish

WISH_EVENTS = {  # metric -> the wish's time stamp
    "wishes.collected": "created_at",
    "wishes.published": "published_at",
    "wishes.claimed": "claimed_at",
    "wishes.delivered": "delivered_at",
    "wishes.fulfilled": "fulfilled_at",
    "wishes.escalated": "escalated_at",
    "wishes.closed": "closed_at",
}


def _month(value) -> date:
    return date(value.year, value.month, 1)


def _by_month(queryset, stamp: str, metric: str, total=None):
    """Counts (or sums of ``total``) per organization and month of ``stamp``."""
    rows = (queryset.filter(**{f"{stamp}__isnull": False}).order_by().annotate(m=TruncMonth(stamp))
            .values("organization_id", "m").annotate(v=Sum(total) if total else Count("pk")))
    for row in rows:
        yield row["organization_id"], _month(row["m"]), metric, row["v"] or 0


def _stock(queryset, metric: str):
    for row in queryset.order_by().values("organization_id").annotate(v=Count("pk")):
        yield row["organization_id"], None, metric, row["v"]


def children():
    """Children in care now (active, not anonymized), in all and by each category and arrangement."""
    counts: Counter = Counter()
    rows = Child.objects.filter(status=Status.ACTIVE).values_list("organization_id", "categories", "guardian_arrangement")
    for organization_id, categories, arrangement in rows.iterator(chunk_size=5000):
        counts[organization_id, "children.total"] += 1
        for category in categories or ():
            counts[organization_id, f"children.category.{category}"] += 1
        if arrangement:
            counts[organization_id, f"children.arrangement.{arrangement}"] += 1
    for (organization_id, metric), value in counts.items():
        yield organization_id, None, metric, value


def wishes():
    for metric, stamp in WISH_EVENTS.items():
        yield from _by_month(Wish.objects.all(), stamp, metric)


def happy_homes():
    yield from _stock(HappyHome.objects.all(), "homes.sites")
    yield from _stock(Volunteer.objects.all(), "volunteers.registered")
    for home in sites.with_counts(HappyHome.objects.all()).prefetch_related("staff").iterator(chunk_size=1000):
        yield home.organization_id, None, "homes.children_served", home.children_count
        yield home.organization_id, None, "homes.volunteers", home.volunteers_count
        if sites.below_standard(home):
            yield home.organization_id, None, "homes.below_standard", 1


def holiday():
    """By the month a service point opened (its figures), and the month hours were served (confirmed only)."""
    points = ServicePoint.objects.all()
    yield from _by_month(points, "starts_on", "holiday.service_points")
    yield from _by_month(points, "starts_on", "holiday.children_served", "children_served")
    yield from _by_month(points, "starts_on", "holiday.money_raised", "money_raised")
    yield from _by_month(points, "starts_on", "holiday.goods_value", "goods_value")
    assignments = (ServicePoint.volunteers.through.objects.annotate(organization_id=F("servicepoint__organization_id"),
                                                                    starts_on=F("servicepoint__starts_on")))
    yield from _by_month(assignments, "starts_on", "holiday.volunteers")
    yield from _by_month(ServiceRecord.objects.filter(service_point__isnull=False, confirmed_at__isnull=False),
                         "served_on", "holiday.service_hours", "hours")


def programs():
    yield from _stock(Pairing.objects.filter(state=PairingState.ACTIVE), "pairings.active")
    yield from _stock(Pairing.objects.filter(pairings.overdue_q()), "pairings.overdue")
    yield from _by_month(Pairing.objects.all(), "started_on", "pairings.started")
    yield from _by_month(Activity.objects.all(), "held_on", "activities.held")


SOURCES = (children, wishes, happy_homes, holiday, programs)


def own_figures():
    """Every organization's own figures, summed per (organization, month, metric)."""
    totals: dict = {}
    for source in SOURCES:
        for organization_id, month, metric, value in source():
            key = (organization_id, month, metric)
            totals[key] = totals.get(key, Decimal(0)) + Decimal(value)
    return totals
