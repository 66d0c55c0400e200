"""Rollups: every figure equals a direct count over the rows, for random data, subtrees and periods; the
drill-down sums to the parent; division sums count each record once; who may read figures."""

import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.contrib.auth import get_user_model

from cases.models import Case, CaseStatus, Incident, Referral, ReferralStatus, RiskLevel, Service, ServiceKind
from children.models import Category, Child, GuardianArrangement, Status
from orgs.models import Organization
from programs.models import Activity, HappyHome, HolidayProject, Pairing, PairingState, ServicePoint, ServiceRecord, Volunteer
from programs import pairings as pairing_rules, sites
from rollups import services
from rollups.services import Period
from tests.permissions.helpers import SYSTEM, gid, org
from wishes.models import Claim, DonorKind, State, Wish

pytestmark = pytest.mark.django_db

START = date(2025, 1, 1)
DAYS = 730
QUERY = """query($id: ID!, $p: PeriodInput!) {
  rollup(organizationId: $id, period: $p) {
    rollup { startsOn endsOn computedAt children { total byCategory { key count } }
             wishes { collected fulfilled fulfilmentRate } happyHomes { sites volunteerRatio } }
    errors { code message }
  }
}"""
BREAKDOWN = """query($id: ID!, $p: PeriodInput!, $by: BreakdownBy!) {
  rollupBreakdown(organizationId: $id, period: $p, by: $by) {
    rows { key name organizationNames rollup { children { total } wishes { collected } } }
    errors { code }
  }
}"""


WISH_STAMPS = {"wishes.collected": "created_at", "wishes.published": "published_at", "wishes.claimed": "claimed_at",
               "wishes.delivered": "delivered_at", "wishes.fulfilled": "fulfilled_at", "wishes.escalated": "escalated_at",
               "wishes.closed": "closed_at"}  # written out here, not taken from rollups.metrics: an independent count


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def _local_day(stamp) -> date | None:
    if stamp is None:
        return None
    return timezone.localtime(stamp).date() if isinstance(stamp, datetime) else stamp


def _in(day, period: Period) -> bool:
    return day is not None and period.first <= day <= period.ends_on


def direct(organization: Organization, period: Period) -> dict:
    """The figures counted straight from the rows of the subtree, independently of rollups.metrics."""
    below = {"org_path__startswith": organization.path}
    out: dict = {}

    def add(key, value=1):
        out[key] = out.get(key, Decimal(0)) + Decimal(value)

    for child in Child.objects.filter(status=Status.ACTIVE, **below):
        add("children.total")
        for category in child.categories:
            add(f"children.category.{category}")
        add(f"children.arrangement.{child.guardian_arrangement}")
    first_fulfilled: dict = {}
    for wish in Wish.objects.filter(**below):
        for metric, stamp in WISH_STAMPS.items():
            if _in(_local_day(getattr(wish, stamp)), period):
                add(metric)
        for metric, stamp in (("wishes.claimed_value", "claimed_at"), ("wishes.delivered_value", "delivered_at")):
            if _in(_local_day(getattr(wish, stamp)), period):
                add(metric, wish.estimated_value)
        if wish.child_id and wish.fulfilled_at:  # a child once per body, at its first fulfilled wish there
            key = (wish.organization_id, wish.child_id)
            first_fulfilled[key] = min(first_fulfilled.get(key, (wish.fulfilled_at, wish.pk)), (wish.fulfilled_at, wish.pk))
    for stamp, _pk in first_fulfilled.values():
        if _in(_local_day(stamp), period):
            add("wishes.children_fulfilled")
    first_claims: dict = {}
    for claim in Claim.objects.filter(wish__org_path__startswith=organization.path).select_related("wish"):
        donor = claim.donor_user_id or claim.donor_unit_id or -claim.pk  # no account: the claim is its own donor
        key = (claim.wish.organization_id, claim.donor_kind, donor)
        first_claims[key] = min(first_claims.get(key, (claim.created_at, claim.pk)), (claim.created_at, claim.pk))
    for (_o, kind, _donor), (stamp, _pk) in first_claims.items():
        if _in(_local_day(stamp), period):
            add("donors.individuals" if kind == DonorKind.PERSON else "donors.units")
    cases = {"child__org_path__startswith": organization.path}
    for case in Case.objects.filter(**cases):
        if (case.risk_level, case.status) == (RiskLevel.HIGH, CaseStatus.OPEN):
            add("cases.high_risk")
    cases = {"case__child__org_path__startswith": organization.path}
    for incident in Incident.objects.filter(**cases):
        if incident.closed_at is None:
            add("cases.open_incidents")
    for referral in Referral.objects.filter(**cases):
        add(f"cases.referrals.{referral.status}")
    for service in Service.objects.filter(**cases):
        if service.kind == ServiceKind.COUNSELLING and _in(service.given_on, period):
            add("cases.counselling")
        if service.kind == ServiceKind.AID and _in(service.given_on, period):
            add("cases.aid_paid", service.amount)
    for activity in Activity.objects.filter(**below):
        if _in(activity.held_on, period):
            add("activities.held")
    for point in ServicePoint.objects.filter(**below):
        if _in(point.starts_on, period):
            add("holiday.service_points")
            add("holiday.children_served", point.children_served)
            add("holiday.money_raised", point.money_raised)
            add("holiday.goods_value", point.goods_value)
            add("holiday.volunteers", point.volunteers.count())
    for record in ServiceRecord.objects.filter(service_point__isnull=False, confirmed_at__isnull=False, **below):
        if _in(record.served_on, period):
            add("holiday.service_hours", record.hours)
    homes = list(sites.with_counts(HappyHome.objects.filter(**below)))
    for home in homes:
        add("homes.sites")
        add("homes.children_served", home.children_count)
        add("homes.volunteers", home.volunteers_count)
        if sites.below_standard(home):
            add("homes.below_standard")
    for volunteer in Volunteer.objects.filter(**below):
        add("volunteers.registered")
    for pairing in Pairing.objects.filter(**below):
        if pairing.state == PairingState.ACTIVE:
            add("pairings.active")
            add(f"pairings.kind.{pairing.kind}")
        if pairing_rules.is_overdue(pairing):
            add("pairings.overdue")
        if _in(pairing.started_on, period):
            add("pairings.started")
    return {k: v for k, v in out.items() if v}


def rolled(organization: Organization, period: Period) -> dict:
    return {k: v for k, v in services.figures([organization.pk], period)[organization.pk].items() if v}


def _make_rows(orgs, wishes, children, activities, points):
    """Random rows written in bulk (org_path set by hand, as bulk writers must): wishes of children (of any
    body, so that a child's wishes may be held by two), claimed by a few people and units; case work on the
    children made here."""
    kids = Child.objects.bulk_create([
        Child(organization=o, org_path=o.path, name="测试", sex="MALE", birth_date=date(2015, 1, 1), id_number="x",
              id_index=uuid.uuid4().hex, categories=categories, guardian_arrangement=arrangement, status=status)
        for o, categories, arrangement, status in children])
    pool = list(Child.objects.order_by("-pk")[:7])
    made = []
    for organization, day, steps, value in wishes:
        made.append(Wish(organization=organization, org_path=organization.path, title="随机心愿", category="ITEM",
                         household="测试户", estimated_value=Decimal(value), covered_amount=Decimal(value) if steps >= 3 else 0,
                         state=State.COLLECTED, child=pool[value % len(pool)] if pool and value % 5 else None))
    Wish.objects.bulk_create(made)
    people = list(get_user_model().objects.order_by("pk")[:3])
    for wish, (_o, day, steps, value) in zip(made, wishes):
        if steps >= 3:
            donor = people[value % 3] if value % 7 else None  # some donors without an account (claimed by phone)
            Claim.objects.create(wish=wish, donor_kind=DonorKind.PERSON, donor_user=donor, donor_label="爱心人士",
                                 amount=wish.estimated_value)
            if value % 2:
                Claim.objects.create(wish=wish, donor_kind=DonorKind.UNIT, donor_unit=orgs[value % len(orgs)],
                                     donor_label="爱心单位", amount=0)
            Claim.objects.filter(wish=wish).update(created_at=_at(day + timedelta(days=20)))
    for wish, (_o, day, steps, _v) in zip(made, wishes):
        stamps = {"created_at": _at(day)}
        for step, field in enumerate(("published_at", "claimed_at", "delivered_at", "fulfilled_at"), start=1):
            if steps >= step:
                stamps[field] = _at(day + timedelta(days=9 * step))
        if steps == -1:
            stamps["escalated_at"] = _at(day + timedelta(days=40))
        if steps == -2:
            stamps["closed_at"] = _at(day + timedelta(days=3))
        Wish.objects.filter(pk=wish.pk).update(**stamps)
    for n, kid in enumerate(kids):
        day = START + timedelta(days=(53 * n) % DAYS)
        case = Case.objects.create(child=kid, risk_level=RiskLevel.values[n % 3], opened_by="t",
                                   status=CaseStatus.CLOSED if n % 4 == 3 else CaseStatus.OPEN)
        Incident.objects.create(case=case, kind="NEGLECT", severity="MINOR", occurred_on=day, description="经过",
                                reported_by="t", closed_at=timezone.now() if n % 2 else None)
        Referral.objects.create(case=case, target="SCHOOL", reason="原因", sent_on=day, referred_by="t",
                                status=ReferralStatus.values[n % 4])
        Service.objects.create(case=case, kind=ServiceKind.COUNSELLING, given_on=day, provider="社工")
        Service.objects.create(case=case, kind=ServiceKind.AID, given_on=day + timedelta(days=n), programme="SHISUI",
                               amount=Decimal(1200 + n))
    Activity.objects.bulk_create([Activity(organization=o, org_path=o.path, title="活动", kind="LECTURE", held_on=day,
                                           recorded_by="test") for o, day in activities])
    project = HolidayProject.objects.create(organization=orgs[0], name="随机项目", year=2025, season="SUMMER",
                                            starts_on=START, ends_on=START + timedelta(days=DAYS))
    for o, day, served, money in points:
        point = ServicePoint.objects.create(project=project, organization=o, name="点", kind="VILLAGE", starts_on=day,
                                            ends_on=day, children_served=served, money_raised=Decimal(money))
        volunteer = Volunteer.objects.create(organization=o, name="志愿者", origin="UNIVERSITY")
        point.volunteers.add(volunteer)
        ServiceRecord.objects.create(volunteer=volunteer, organization=o, service_point=point, served_on=day,
                                     hours=Decimal("2.5"), recorded_by="t", confirmed_at=timezone.now())
        ServiceRecord.objects.create(volunteer=volunteer, organization=o, service_point=point, served_on=day,
                                     hours=Decimal("4"), recorded_by="t")  # unconfirmed: never counted


ALL_ORGS = st.integers(min_value=0, max_value=10_000)
DAY = st.integers(min_value=0, max_value=DAYS).map(lambda n: START + timedelta(days=n))
PERIODS = st.one_of(
    st.builds(lambda y, m: ("MONTH", y, m), st.sampled_from([2025, 2026]), st.integers(1, 12)),
    st.builds(lambda y, q: ("QUARTER", y, q), st.sampled_from([2025, 2026]), st.integers(1, 4)),
    st.builds(lambda y: ("YEAR", y, None), st.sampled_from([2025, 2026])),
    st.builds(lambda a, b: ("CUSTOM", min(a, b), max(a, b)), DAY, DAY),
)


def _period(spec) -> Period:
    kind, a, b = spec
    if kind == "CUSTOM":
        return services.period(kind, starts_on=a, ends_on=b)
    return services.period(kind, year=a, number=b)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    wishes=st.lists(st.tuples(ALL_ORGS, DAY, st.integers(-2, 4), st.integers(1, 500)), max_size=25),
    children=st.lists(st.tuples(ALL_ORGS, st.lists(st.sampled_from(Category.values), max_size=3, unique=True),
                                st.sampled_from(GuardianArrangement.values), st.sampled_from(Status.values)), max_size=20),
    activities=st.lists(st.tuples(ALL_ORGS, DAY), max_size=8),
    points=st.lists(st.tuples(ALL_ORGS, DAY, st.integers(0, 80), st.integers(0, 5000)), max_size=4),
    probes=st.lists(st.tuples(ALL_ORGS, PERIODS), min_size=1, max_size=4),
)
def test_every_figure_equals_a_direct_count(wishes, children, activities, points, probes):
    orgs = list(Organization.objects.order_by("path"))
    pick = lambda n: orgs[n % len(orgs)]  # noqa: E731
    with transaction.atomic():
        _make_rows(orgs, [(pick(o), *rest) for o, *rest in wishes], [(pick(o), *rest) for o, *rest in children],
                   [(pick(o), d) for o, d in activities], [(pick(o), *rest) for o, *rest in points])
        services.refresh()
        roots = [(o, probes[0][1]) for o in orgs if o.parent_id is None]  # every row is in one of them
        for organization, spec in [(pick(n), spec) for n, spec in probes] + roots:
            period = _period(spec)
            assert rolled(organization, period) == direct(organization, period), (organization.name, spec)
        transaction.set_rollback(True)


def test_demo_programs_figures_equal_direct_counts():
    """The stock figures (sites, volunteer ratio, pairings active and overdue) on the demo programs."""
    services.refresh()
    period = services.period("YEAR", year=2026)
    for name in ("共青团襄阳市委", "共青团保康县委", "马良镇团委", "石桥镇妇联", "怀化市妇联"):
        assert rolled(org(name), period) == direct(org(name), period), name
    assert rolled(org("马良镇团委"), period)["pairings.overdue"] >= 1


def test_drill_down_sums_to_the_parent():
    services.refresh()
    period = services.period("YEAR", year=2026)
    county = org("共青团保康县委")
    rows = services.by_children(SYSTEM, organization_id=county.pk, period_=period)
    assert {o.name for o, _ in rows} == set(county.children.values_list("name", flat=True))
    own = _own(county, period)
    total = rolled(county, period)
    for metric, value in total.items():
        assert sum(values.get(metric, 0) for _o, values in rows) + own.get(metric, 0) == value, metric


def _own(organization, period) -> dict:
    """The organization's own figures (its rows, not its children's) over the period."""
    from rollups.models import Figure

    totals: dict = {}
    for f in Figure.objects.filter(organization=organization):
        if f.month is None or period.first <= f.month <= period.last:
            totals[f.metric] = totals.get(f.metric, 0) + f.own
    return totals


def test_division_breakdown_sums_both_systems_of_a_county_once():
    services.refresh()
    period = services.period("YEAR", year=2026)
    city_league = org("共青团襄阳市委")
    rows = {code: (tops, values) for code, tops, values in services.by_division(SYSTEM, organization_id=city_league.pk, period_=period)}
    tops, values = rows["420626"]
    assert sorted(t.name for t in tops) == ["保康县妇联", "共青团保康县委"]
    league, federation = rolled(org("共青团保康县委"), period), rolled(org("保康县妇联"), period)
    for metric in set(league) | set(federation):
        assert values.get(metric, 0) == league.get(metric, 0) + federation.get(metric, 0), metric
    children_in_county = Child.objects.filter(status=Status.ACTIVE, organization__division_code__startswith="420626").count()
    assert values["children.total"] == children_in_county


def test_rollup_viewer_sees_figures_and_no_rows(as_user):
    services.refresh()
    client = as_user("xiangyang_league_viewer")
    data = client(QUERY, {"id": gid("Organization", org("共青团襄阳市委").pk), "p": {"kind": "YEAR", "year": 2026}})["rollup"]
    assert data["errors"] == []
    assert data["rollup"]["children"]["total"] == Child.objects.filter(
        status=Status.ACTIVE, org_path__startswith=org("共青团襄阳市委").path).count() > 0
    assert data["rollup"]["startsOn"] == "2026-01-01" and data["rollup"]["endsOn"] == "2026-12-31"
    rows = client("{ children(first: 10) { totalCount } wishes(first: 10) { totalCount } happyHomes(first: 5) { totalCount } }")
    assert rows == {"children": {"totalCount": 0}, "wishes": {"totalCount": 0}, "happyHomes": {"totalCount": 0}}


def test_neighbours_and_other_systems_get_no_figures(as_user):
    services.refresh()
    client = as_user("huangbao_league_staff")
    p = {"kind": "MONTH", "year": 2026, "number": 11}
    assert client(QUERY, {"id": gid("Organization", org("马良镇团委").pk), "p": p})["rollup"]["errors"][0]["code"] == "NOT_FOUND"
    assert client(QUERY, {"id": gid("Organization", org("黄堡镇团委").pk), "p": p})["rollup"]["errors"] == []
    viewer = as_user("xiangyang_league_viewer")
    found = viewer(QUERY, {"id": gid("Organization", org("保康县妇联").pk), "p": p})["rollup"]
    assert found["errors"][0]["code"] == "NOT_FOUND"
    rows = viewer(BREAKDOWN, {"id": gid("Organization", org("共青团襄阳市委").pk), "p": p, "by": "DIVISION"})["rollupBreakdown"]
    assert [r["organizationNames"] for r in rows["rows"]] == [["共青团保康县委"]]  # the federation is not in its scope


def test_breakdown_over_http_is_a_constant_number_of_queries(as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    services.refresh()
    client = as_user("baokang_league_admin")
    variables = {"p": {"kind": "QUARTER", "year": 2026, "number": 4}, "by": "CHILD_ORGANIZATION"}
    client(BREAKDOWN, {**variables, "id": gid("Organization", org("黄堡镇团委").pk)})  # warm the session and scope
    counts = []
    for name in ("马良镇团委", "共青团保康县委"):  # 2 children, 14 children
        with CaptureQueriesContext(connection) as queries:
            data = client(BREAKDOWN, {**variables, "id": gid("Organization", org(name).pk)})["rollupBreakdown"]
        assert len(data["rows"]) == org(name).children.count()
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_periods_and_their_errors(as_user):
    assert services.period("QUARTER", year=2026, number=4) == Period(date(2026, 10, 1), date(2026, 12, 1))
    assert services.period("CUSTOM", starts_on=date(2026, 2, 10), ends_on=date(2026, 3, 2)).ends_on == date(2026, 3, 31)
    services.refresh()
    client = as_user("baokang_league_admin")
    bad = client(QUERY, {"id": gid("Organization", org("共青团保康县委").pk), "p": {"kind": "MONTH", "year": 2026, "number": 13}})
    assert bad["rollup"]["errors"][0]["code"] == "PERIOD_INVALID"
    from programs.models import Campaign

    winter = Campaign.objects.get(title__endswith="关爱留守儿童暖冬行动")  # 河池's, 1月28日 to 2月28日
    found = as_user("hechi_league_admin")(QUERY, {"id": gid("Organization", org("共青团河池市委").pk),
                                                  "p": {"kind": "CAMPAIGN", "campaignId": gid("Campaign", winter.pk)}})["rollup"]
    year = winter.starts_on.year
    assert (found["rollup"]["startsOn"], found["rollup"]["endsOn"]) == (f"{year}-01-01", f"{year}-02-28")
    outsider = as_user("huaihua_wf_admin")  # cannot see 河池's campaign: no period to resolve
    hidden = outsider(QUERY, {"id": gid("Organization", org("怀化市妇联").pk),
                              "p": {"kind": "CAMPAIGN", "campaignId": gid("Campaign", winter.pk)}})["rollup"]
    assert hidden["errors"][0]["code"] == "PERIOD_INVALID"


def test_figures_say_when_they_were_computed(as_user):
    from rollups.models import RefreshRun
    RefreshRun.objects.all().delete()
    client = as_user("baokang_league_admin")
    variables = {"id": gid("Organization", org("共青团保康县委").pk), "p": {"kind": "YEAR", "year": 2026}}
    assert client(QUERY, variables)["rollup"]["errors"][0]["code"] == "NOT_REFRESHED"
    run = services.refresh()
    assert client(QUERY, variables)["rollup"]["rollup"]["computedAt"] == run.started_at.isoformat()


def test_rollups_count_the_changes_not_folded_in_yet(as_user):
    services.refresh()
    client = as_user("baokang_league_admin")
    query = """query($id: ID!, $p: PeriodInput!) { rollup(organizationId: $id, period: $p) {
      rollup { computedAt pendingChanges activities } errors { code } } }"""
    county = {"id": gid("Organization", org("共青团保康县委").pk), "p": {"kind": "YEAR", "year": timezone.localdate().year}}
    huangbao = {**county, "id": gid("Organization", org("黄堡镇团委").pk)}
    before = client(query, county)["rollup"]["rollup"]
    assert before["pendingChanges"] == 0
    for name in ("马良镇团委", "马良坪村团支部"):
        Activity.objects.create(organization=org(name), org_path=org(name).path, title="活动", kind="LECTURE",
                                held_on=timezone.localdate(), recorded_by="t")
    waiting = client(query, county)["rollup"]["rollup"]
    assert (waiting["pendingChanges"], waiting["activities"]) == (2, before["activities"])
    assert client(query, huangbao)["rollup"]["rollup"]["pendingChanges"] == 0  # a neighbour's subtree is not waiting
    rows = client(BREAKDOWN.replace("children { total }", "pendingChanges"), {**county, "by": "CHILD_ORGANIZATION"})
    assert {r["name"]: r["rollup"]["pendingChanges"] for r in rows["rollupBreakdown"]["rows"]}["马良镇团委"] == 2
    run = services.fold()
    folded = client(query, county)["rollup"]["rollup"]
    assert (folded["pendingChanges"], folded["activities"]) == (0, before["activities"] + 2)
    assert folded["computedAt"] == run.started_at.isoformat()
