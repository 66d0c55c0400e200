"""The incremental fold: after random sequences of creates, updates, moves, merges, archives and deletes, every
figure equals a direct count and the figure table equals a full rebuild's; a move or merge carries figures from
one ancestor's subtree to the other's; every kind of write marks its organization dirty, bulk ones too."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cases.models import Case, Incident, RiskLevel, Service
from children.models import Category, Child, Status
from core.errors import ServiceError
from orgs import services as orgs
from orgs.models import Organization
from programs.models import Activity, Pairing, PairingState, ServiceRecord
from rollups import services
from rollups.models import DirtyMark, Figure
from tests.orgs.test_services import village
from tests.permissions.helpers import SYSTEM, org
from tests.rollups.test_rollups import ALL_ORGS, DAY, PERIODS, _make_rows, _period, direct, rolled
from wishes.models import Claim, Wish

pytestmark = pytest.mark.django_db


def figure_table() -> dict:
    return {(f.organization_id, f.metric, f.month): (f.own, f.subtree)
            for f in Figure.objects.all() if f.own or f.subtree}


def _update(kind: str, n: int, target: Organization) -> None:
    """One update of an existing row that changes figures (or not), by a bulk update or a save."""
    if kind == "child":
        child = Child.objects.order_by("pk")[n % Child.objects.count()]
        child.status = Status.ACTIVE if child.status != Status.ACTIVE else Status.values[n % len(Status.values)]
        child.categories = [Category.values[n % len(Category.values)]]
        child.save()
    elif kind == "child_owner":
        Child.objects.filter(pk=Child.objects.order_by("pk")[n % Child.objects.count()].pk).update(
            organization=target, org_path=target.path)
    elif kind == "wish" and Wish.objects.exists():
        wish = Wish.objects.order_by("pk")[n % Wish.objects.count()]
        Wish.objects.filter(pk=wish.pk).update(fulfilled_at=None if wish.fulfilled_at else timezone.now() - timedelta(days=n % 400))
    elif kind == "hours" and ServiceRecord.objects.exists():
        record = ServiceRecord.objects.order_by("pk")[n % ServiceRecord.objects.count()]
        ServiceRecord.objects.filter(pk=record.pk).update(confirmed_at=None if record.confirmed_at else timezone.now())
    elif kind == "case" and Case.objects.exists():
        case = Case.objects.order_by("pk")[n % Case.objects.count()]
        case.risk_level = RiskLevel.LOW if case.risk_level == RiskLevel.HIGH else RiskLevel.HIGH
        case.save()
    elif kind == "incident" and Incident.objects.exists():
        Incident.objects.filter(pk=Incident.objects.order_by("pk")[n % Incident.objects.count()].pk).update(closed_at=timezone.now())
    elif kind == "pairing" and Pairing.objects.exists():
        pairing = Pairing.objects.order_by("pk")[n % Pairing.objects.count()]
        pairing.state = PairingState.CLOSED if pairing.state == PairingState.ACTIVE else PairingState.ACTIVE
        pairing.save()


def _delete(kind: str, n: int) -> None:
    model = {"wish": Wish, "activity": Activity, "hours": ServiceRecord, "claim": Claim, "service": Service}[kind]
    if model.objects.exists():
        model.objects.order_by("pk")[n % model.objects.count()].delete()


def _reorganize(kind: str, a: int, b: int, orgs_: list) -> None:
    """A move, merge or archive by the organization services (refused ones are skipped, as people would)."""
    source = orgs_[a % len(orgs_)]
    peers = [o for o in orgs_ if (o.system, o.level) == (source.system, source.level) and o.pk != source.pk]
    try:
        if kind == "move" and source.parent_id:
            parents = [o for o in orgs_ if o.pk != source.parent_id and (o.system, o.level) == (source.parent.system, source.parent.level)]
            if parents:
                Organization.objects.filter(pk=source.pk).update(division_code="")  # a region fitting anywhere
                orgs.move_organization(SYSTEM, organization_id=source.pk, new_parent_id=parents[b % len(parents)].pk)
        elif kind == "merge" and peers:
            orgs.merge_organizations(SYSTEM, source_id=source.pk, target_id=peers[b % len(peers)].pk)
        elif kind == "archive":
            orgs.archive_organization(SYSTEM, organization_id=source.pk)
    except ServiceError:
        pass


OPERATIONS = st.one_of(
    st.tuples(st.just("create"), ALL_ORGS, DAY, st.integers(-2, 4), st.integers(1, 500)),
    st.tuples(st.just("update"), st.sampled_from(["child", "child_owner", "wish", "hours", "pairing", "case", "incident"]), ALL_ORGS, ALL_ORGS),
    st.tuples(st.just("delete"), st.sampled_from(["wish", "activity", "hours", "claim", "service"]), ALL_ORGS),
    st.tuples(st.just("reorganize"), st.sampled_from(["move", "move", "merge", "archive"]), ALL_ORGS, ALL_ORGS),
)


@settings(max_examples=10, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate], suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=st.lists(OPERATIONS, min_size=1, max_size=12), probes=st.lists(st.tuples(ALL_ORGS, PERIODS), min_size=1, max_size=3))
def test_after_random_changes_an_incremental_fold_equals_direct_counts_and_a_rebuild(operations, probes):
    with transaction.atomic():
        services.refresh()
        for operation in operations:
            orgs_ = list(Organization.objects.select_related("parent").order_by("path"))
            pick = lambda n: orgs_[n % len(orgs_)]  # noqa: E731
            kind, *rest = operation
            if kind == "create":
                o, day, steps, value = rest
                _make_rows(orgs_, [(pick(o), day, steps, value)], [(pick(o + 1), ["LEFT_BEHIND"], "GRANDPARENTS", Status.ACTIVE)],
                           [(pick(o + 2), day)], [(pick(o + 3), day, 5, value)])
            elif kind == "update":
                _update(rest[0], rest[1], pick(rest[2]))
            elif kind == "delete":
                _delete(*rest)
            else:
                _reorganize(rest[0], rest[1], rest[2], orgs_)
        services.fold()
        assert not DirtyMark.objects.exists()
        for n, spec in probes:
            organization = Organization.objects.order_by("path")[n % Organization.objects.count()]
            assert rolled(organization, _period(spec)) == direct(organization, _period(spec)), (organization.name, spec)
        folded = figure_table()
        services.refresh()
        assert folded == figure_table()
        transaction.set_rollback(True)


def test_a_move_carries_the_figures_from_one_ancestors_subtree_to_the_others():
    services.refresh()
    year = services.period("YEAR", year=timezone.localdate().year)
    maliang, county, city = org("马良镇团委"), org("共青团保康县委"), org("共青团襄阳市委")
    township = rolled(maliang, year)
    before = {o.pk: rolled(o, year) for o in (county, city)}
    assert township["children.total"] > 0
    orgs.move_organization(SYSTEM, organization_id=maliang.pk, new_parent_id=city.pk)
    assert services.pending([city, county]) == {city.pk: 2, county.pk: 1}  # the old and the new parent are dirty
    services.fold()
    for metric, value in township.items():
        assert rolled(county, year).get(metric, 0) == before[county.pk][metric] - value, metric
        assert rolled(city, year)[metric] == before[city.pk][metric], metric  # still in the city's subtree
    assert rolled(org("马良镇团委"), year) == township


def test_a_merge_carries_the_sources_figures_into_the_targets_subtree():
    services.refresh()
    year = services.period("YEAR", year=timezone.localdate().year)
    source, target = org("后坪镇团委"), org("歇马镇团委")
    moved, kept = rolled(source, year), rolled(target, year)
    Child.objects.create(organization=source, org_path=source.path, name="测试", sex="MALE", birth_date="2015-01-01",
                         id_number="x", id_index="merge-test", categories=["LEFT_BEHIND"], guardian_arrangement="OTHER")
    orgs.merge_organizations(SYSTEM, source_id=source.pk, target_id=target.pk)
    services.fold()
    assert rolled(Organization.objects.get(pk=source.pk), year) == {}
    merged = rolled(org("歇马镇团委"), year)
    for metric in moved.keys() | kept.keys() | {"children.total"}:
        extra = 1 if metric in ("children.total", "children.category.LEFT_BEHIND", "children.arrangement.OTHER") else 0
        assert merged.get(metric, 0) == moved.get(metric, 0) + kept.get(metric, 0) + extra, metric


def test_every_kind_of_write_marks_its_organization_in_the_same_transaction():
    ma, huang = org("马良镇团委"), org("黄堡镇团委")
    DirtyMark.objects.all().delete()
    child = Child.objects.filter(organization=ma).first()
    child.name = "改名不影响统计"
    child.save()
    assert not DirtyMark.objects.exists()  # a column no figure depends on
    Child.objects.filter(pk=child.pk).update(organization=huang, org_path=huang.path)
    assert set(DirtyMark.objects.values_list("organization_id", flat=True)) == {ma.pk, huang.pk}
    DirtyMark.objects.all().delete()
    with transaction.atomic():
        Activity.objects.create(organization=ma, org_path=ma.path, title="活动", kind="LECTURE",
                                held_on=timezone.localdate(), recorded_by="t")
        transaction.set_rollback(True)
    assert not DirtyMark.objects.exists()  # rolled back with the write
    Wish.objects.filter(organization=ma).delete()
    assert list(DirtyMark.objects.values_list("organization_id", "subtree").distinct()) == [(ma.pk, False)]
    DirtyMark.objects.all().delete()
    orgs.create_organization(SYSTEM, **village(ma, name="新建村团支部"))
    assert not DirtyMark.objects.exists()  # a new organization has no figures yet


def test_the_fold_does_only_the_dirty_organizations_work():
    services.refresh()
    run = services.fold()
    assert (run.dirty_keys, run.rows) == (0, 0)
    ma = org("马良镇团委")
    Activity.objects.create(organization=ma, org_path=ma.path, title="活动", kind="LECTURE", held_on=timezone.localdate(),
                            recorded_by="t")
    run = services.fold()
    assert run.dirty_keys == 1
    assert run.rows == len(ma.path) // 4  # activities.held this month: the township and each ancestor
    assert Figure.objects.get(organization=ma, metric="activities.held", month=timezone.localdate().replace(day=1)).own >= Decimal(1)


def test_a_donor_counts_once_per_body_in_the_month_of_the_first_claim_there(django_user_model):
    # given folded figures, and a donor claiming at one body last month and now, and at a neighbouring body now,
    # and two claims without an account (each its own donor)
    services.refresh()
    ma, huang = org("马良镇团委"), org("黄堡镇团委")
    person = django_user_model.objects.create_user(username="fold-donor", password="x")  # no claims before
    now = timezone.now()
    earlier, this_month = (now - timedelta(days=40)).date().replace(day=1), timezone.localdate().replace(day=1)

    def claim(body, user, when):
        wish = Wish.objects.create(organization=body, org_path=body.path, title="书包", category="ITEM",
                                   estimated_value=Decimal("10"))
        Claim.objects.filter(pk=Claim.objects.create(wish=wish, donor_kind="PERSON", donor_user=user,
                                                     donor_label="爱心人士", amount=10).pk).update(created_at=when)

    def individuals(body):
        return {f.month: f.own for f in Figure.objects.filter(organization=body, metric="donors.individuals")}

    before = individuals(ma), individuals(huang)
    for body, user, when in ((ma, person, now - timedelta(days=40)), (ma, person, now), (huang, person, now),
                             (ma, None, now), (ma, None, now)):
        claim(body, user, when)
    # when the two bodies are folded
    assert services.fold().dirty_keys == 2
    # then the donor counts at each body once, in the month of the first claim there; the claims without an
    # account once each; and the folded figures are a rebuild's
    assert individuals(ma).get(earlier, 0) == before[0].get(earlier, 0) + 1
    assert individuals(ma).get(this_month, 0) == before[0].get(this_month, 0) + 2
    assert individuals(huang).get(this_month, 0) == before[1].get(this_month, 0) + 1
    folded = figure_table()
    services.refresh()
    assert figure_table() == folded
