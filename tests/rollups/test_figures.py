"""The donors' figures (issue 20) and the case-work figures (issue 22) over the rollup query: equal to direct
counts of the subtree, a neighbour's rows kept out, and no personal data in them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import Case, CaseStatus, Incident, Referral, RiskLevel, Service, ServiceKind
from children.models import Child
from rollups import services
from tests.permissions.helpers import gid, org
from tests.rollups.test_rollups import direct
from wishes.models import Claim, DonorKind, State, Wish

pytestmark = pytest.mark.django_db

QUERY = """query($id: ID!, $p: PeriodInput!) { rollup(organizationId: $id, period: $p) {
  rollup { %s } errors { code } } }"""
DONORS = QUERY % """wishes { claimedValue deliveredValue childrenFulfilled } donors { individuals units }
                    pairings { byKind { key label count } }"""
CASES = QUERY % "cases { highRisk openIncidents referralsByStatus { key label count } counsellingSessions aidPaid }"


def _ask(client, query, name):
    p = {"kind": "YEAR", "year": timezone.localdate().year}
    return client(query, {"id": gid("Organization", org(name).pk), "p": p})["rollup"]


def _child(name: str) -> Child:
    return Child.objects.filter(organization=org(name)).order_by("pk").first()


def _keyed(rows) -> dict:
    return {r["key"]: r["count"] for r in rows}


def test_donor_figures_over_the_rollup_query(as_user, django_user_model):
    ma = org("马良镇团委")
    now = timezone.now()
    wish = Wish.objects.create(organization=ma, org_path=ma.path, child=_child("马良镇团委"), title="书包", category="ITEM",
                               estimated_value=Decimal("180"), covered_amount=Decimal("180"), state=State.FULFILLED,
                               claimed_at=now, delivered_at=now, fulfilled_at=now)
    person = django_user_model.objects.order_by("pk").first()
    for _ in range(2):  # one donor claiming twice counts once
        Claim.objects.create(wish=wish, donor_kind=DonorKind.PERSON, donor_user=person, donor_label="爱心人士", amount=90)
    services.refresh()
    year = services.period("YEAR", year=timezone.localdate().year)
    for name in ("马良镇团委", "共青团保康县委"):
        counted = direct(org(name), year)
        found = _ask(as_user("baokang_league_admin"), DONORS, name)["rollup"]
        assert found["wishes"] == {"claimedValue": str(counted["wishes.claimed_value"].quantize(Decimal("0.01"))),
                                   "deliveredValue": str(counted["wishes.delivered_value"].quantize(Decimal("0.01"))),
                                   "childrenFulfilled": counted["wishes.children_fulfilled"]}
        assert found["donors"] == {"individuals": counted["donors.individuals"], "units": counted.get("donors.units", 0)}
        assert _keyed(found["pairings"]["byKind"]) == {
            k: int(counted.get(f"pairings.kind.{k}", 0)) for k in _keyed(found["pairings"]["byKind"])}
    assert Decimal(_ask(as_user("baokang_league_admin"), DONORS, "马良镇团委")["rollup"]["wishes"]["claimedValue"]) >= 180
    neighbour = as_user("huangbao_league_staff")
    assert _ask(neighbour, DONORS, "马良镇团委")["errors"][0]["code"] == "NOT_FOUND"
    own = _ask(neighbour, DONORS, "黄堡镇团委")["rollup"]
    assert own["donors"]["individuals"] == direct(org("黄堡镇团委"), year).get("donors.individuals", 0)


def test_case_figures_over_the_rollup_query(as_user):
    child = _child("马良镇团委")
    case, _ = Case.objects.get_or_create(child=child, defaults={"opened_by": "t"})
    Case.objects.filter(pk=case.pk).update(risk_level=RiskLevel.HIGH, status=CaseStatus.OPEN)
    today = timezone.localdate()
    Incident.objects.create(case=case, kind="NEGLECT", severity="GRAVE", occurred_on=today, description="经过", reported_by="t")
    Referral.objects.create(case=case, target="HOTLINE_12355", reason="原因", sent_on=today, referred_by="t")
    Service.objects.create(case=case, kind=ServiceKind.COUNSELLING, given_on=today, provider="社工", summary="谈话")
    Service.objects.create(case=case, kind=ServiceKind.AID, given_on=today - timedelta(days=today.day - 1),
                           programme="SHISUI", amount=Decimal("1200"))
    services.refresh()
    year = services.period("YEAR", year=today.year)
    client = as_user("baokang_league_admin")
    for name in ("马良镇团委", "共青团保康县委"):
        counted = direct(org(name), year)
        found = _ask(client, CASES, name)["rollup"]["cases"]
        assert found["highRisk"] == counted["cases.high_risk"] >= 1
        assert found["openIncidents"] == counted["cases.open_incidents"] >= 1
        assert _keyed(found["referralsByStatus"]) == {k: int(counted.get(f"cases.referrals.{k}", 0)) for k in ("SENT", "ACCEPTED", "SERVED", "CLOSED")}
        assert found["counsellingSessions"] == counted["cases.counselling"] >= 1
        assert Decimal(found["aidPaid"]) == counted["cases.aid_paid"] >= 1200
        assert {r["label"] for r in found["referralsByStatus"]} == {"已转介", "已接收", "已服务", "已关闭"}
        assert child.name not in str(found)  # figures only
    # the city's rollup viewer reads the county's figures but no case work, not even as counts
    viewer = as_user("xiangyang_league_viewer")
    seen = _ask(viewer, QUERY % "children { total } cases { highRisk }", "马良镇团委")["rollup"]
    assert seen["children"]["total"] >= 1 and seen["cases"] is None
    neighbour = as_user("huangbao_league_staff")
    assert _ask(neighbour, CASES, "马良镇团委")["errors"][0]["code"] == "NOT_FOUND"
    own = _ask(neighbour, CASES, "黄堡镇团委")["rollup"]["cases"]
    assert own["highRisk"] == direct(org("黄堡镇团委"), year).get("cases.high_risk", 0)


def test_the_web_labels_every_figure_as_the_server_does():
    """web/src/lib/figures.ts names each catalogue figure (reports show them all) with the server's label; the
    families keyed by an enum take the enum's label there, as the server does."""
    from pathlib import Path

    from rollups.metrics import LABELS

    web = (Path(__file__).resolve().parents[2] / "web/src/lib/figures.ts").read_text()
    families = ("children.category.", "children.arrangement.", "pairings.kind.", "cases.referrals.")
    for name, label in LABELS.items():
        family = next((f for f in families if name.startswith(f)), None)
        if family:
            assert "/^" + family.replace(".", "\\.") in web, name  # the pattern metricLabel matches
        else:
            assert f'"{name}": "{label}"' in web, name
