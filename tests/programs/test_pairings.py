"""结对帮扶: the sides each kind needs, the 五个一 checklist of 大手拉小手, contacts, closing, and overdue pairings."""

from datetime import timedelta

import pytest

from children.models import Child
from core.errors import ServiceError
from programs import pairings as services
from programs.models import ChecklistItem, Pairing, PairingKind, PairingState, PairingTick
from tests.programs.helpers import (
    SYSTEM, big_hand, codes, days_ago, gid, mutate, org, org_pairing, pk_of, today, volunteer,
)

pytestmark = pytest.mark.django_db

TICK = """
mutation Tick($input: TickPairingItemInput!) {
  tickPairingItem(input: $input) {
    pairing { lastContactOn overdue checklist { item label done doneOn note } }
    errors { field code message }
  }
}"""
CONTACT = """
mutation Contact($input: PairingContactInput!) {
  recordPairingContact(input: $input) { pairing { lastContactOn contacts { kind note author } } errors { field code message } }
}"""
CLOSE = """
mutation Close($input: ClosePairingInput!) {
  closePairing(input: $input) { pairing { state closedOn closeReason overdue } errors { field code message } }
}"""
CREATE = """
mutation Create($input: PairingInput!) {
  createPairing(input: $input) { pairing { id kind cardNumber } errors { field code message } }
}"""
OVERDUE = """
query Overdue($overdue: Boolean!) {
  pairings(first: 100, filters: {overdue: $overdue}) { totalCount edges { node { id overdue dueBy state } } }
}"""


def tick(client, pairing, item, done_on=None, note="", **extra):
    return mutate(client, TICK, {"input": {"pairingId": gid("Pairing", pairing.pk), "item": item,
                                           "doneOn": str(done_on or days_ago(1)), "note": note}},
                  "tickPairingItem", **extra)


def test_each_of_the_five_is_ticked_once(as_user):
    pairing = big_hand(started_on=days_ago(20))
    staff = as_user("maliang_league_staff")
    for n, item in enumerate(ChecklistItem, start=1):
        result = tick(staff, pairing, item.value, days_ago(15 - n), note=f"第{n}项")
        assert result["errors"] == []
        checklist = result["pairing"]["checklist"]
        assert [e["item"] for e in checklist] == [i.value for i in ChecklistItem]
        assert sum(e["done"] for e in checklist) == n
        entry = next(e for e in checklist if e["item"] == item.value)
        assert entry == {"item": item.value, "label": item.label, "done": True, "doneOn": str(days_ago(15 - n)),
                         "note": f"第{n}项"}
    first = ChecklistItem.SCHOOL_RECORD
    again = tick(staff, pairing, first.value)
    assert again["pairing"] is None and again["errors"] == [{
        "field": "item", "code": "ALREADY_TICKED", "message": f"“{first.label}”已于 {days_ago(14)} 完成。"}]
    english = tick(staff, pairing, first.value, HTTP_ACCEPT_LANGUAGE="en")["errors"][0]["message"]
    assert english == f"“{first.label}” was already done on {days_ago(14)}."
    assert PairingTick.objects.filter(pairing=pairing).count() == 5


def test_only_big_hand_pairings_have_the_checklist(as_user):
    staff = as_user("maliang_league_staff")
    mother = services.create_pairing(SYSTEM, organization_id=org("马良镇团委").pk, kind="SURROGATE_MOTHER",
                                     started_on=days_ago(3), volunteer_id=volunteer().pk,
                                     child_id=Child.objects.get(name="赵婷婷").pk)
    unit = org_pairing("马良镇团委", kind="BRANCH_SCHOOL")
    for other in (mother, unit):
        result = tick(staff, other, "WEEKEND")
        assert result["errors"] == [{"field": "pairingId", "code": "NOT_A_CHECKLIST",
                                     "message": "只有“大手拉小手”结对有“五个一”清单。"}]
    assert not PairingTick.objects.filter(pairing__in=[mother, unit]).exists()


def test_ticks_and_contacts_move_the_last_contact_forward_only(as_user):
    pairing = big_hand(started_on=days_ago(60))
    staff = as_user("maliang_league_staff")
    assert tick(staff, pairing, "SUPPLIES", days_ago(20))["pairing"]["lastContactOn"] == str(days_ago(20))
    contact = mutate(staff, CONTACT, {"input": {"pairingId": gid("Pairing", pairing.pk), "contactedOn": str(days_ago(5)),
                                                "kind": "CALL", "note": "电话问候"}}, "recordPairingContact")
    assert contact["errors"] == [] and contact["pairing"]["lastContactOn"] == str(days_ago(5))
    assert contact["pairing"]["contacts"] == [{"kind": "CALL", "note": "电话问候", "author": "马良镇团委干部"}]
    # an older tick does not move it back
    assert tick(staff, pairing, "SKILL", days_ago(30))["pairing"]["lastContactOn"] == str(days_ago(5))
    future = mutate(staff, CONTACT, {"input": {"pairingId": gid("Pairing", pairing.pk),
                                               "contactedOn": str(today() + timedelta(days=1)), "kind": "VISIT"}},
                    "recordPairingContact")
    assert codes(future) == ["FUTURE_DATE"]


def test_a_closed_pairing_takes_no_ticks_or_contacts(as_user):
    pairing = big_hand(started_on=days_ago(90))
    staff = as_user("maliang_league_staff")
    no_reason = mutate(staff, CLOSE, {"input": {"pairingId": gid("Pairing", pairing.pk), "reason": "  "}}, "closePairing")
    assert codes(no_reason) == ["REASON_REQUIRED"]
    closed = mutate(staff, CLOSE, {"input": {"pairingId": gid("Pairing", pairing.pk), "reason": "儿童随父母外出就读"}},
                    "closePairing")
    assert closed == {"pairing": {"state": "CLOSED", "closedOn": str(today()), "closeReason": "儿童随父母外出就读",
                                  "overdue": False}, "errors": []}
    assert tick(staff, pairing, "WEEKEND")["errors"] == [
        {"field": "pairingId", "code": "PAIRING_CLOSED", "message": "该结对已结束。"}]
    contact = mutate(staff, CONTACT, {"input": {"pairingId": gid("Pairing", pairing.pk), "contactedOn": str(days_ago(1)),
                                                "kind": "CALL"}}, "recordPairingContact")
    assert codes(contact) == ["PAIRING_CLOSED"]
    assert codes(mutate(staff, CLOSE, {"input": {"pairingId": gid("Pairing", pairing.pk), "reason": "再次"}},
                        "closePairing")) == ["PAIRING_CLOSED"]
    pairing.refresh_from_db()
    assert pairing.last_contact_on == days_ago(90) and not pairing.ticks.exists()


def expected_overdue(root: str) -> set[int]:
    """Independent of the services' query: active pairings below ``root`` whose last contact is older than
    their kind's weeks, checked row by row in Python."""
    path = org(root).path
    return {p.pk for p in Pairing.objects.filter(org_path__startswith=path)
            if p.state == PairingState.ACTIVE
            and (today() - p.last_contact_on).days > 7 * services.OVERDUE_WEEKS[PairingKind(p.kind)]}


def test_overdue_pairings_are_those_without_contact_within_their_kinds_weeks(as_user):
    weeks = services.OVERDUE_WEEKS
    made = {}
    for kind in (PairingKind.BIG_HAND, PairingKind.UNIT_COUNTY, PairingKind.BRANCH_SCHOOL):
        days = 7 * weeks[kind]
        if kind == PairingKind.BIG_HAND:
            late, edge = big_hand(started_on=days_ago(days + 1)), big_hand(started_on=days_ago(days))
        else:
            late = org_pairing("马良镇团委", kind=kind, started_on=days_ago(days + 1))
            edge = org_pairing("马良镇团委", kind=kind, started_on=days_ago(days))
        made[kind] = (late, edge)
    # a BIG_HAND late by its weeks but contacted recently is not overdue; a closed late one never is
    contacted = big_hand(started_on=days_ago(100))
    services.record_contact(SYSTEM, pairing_id=contacted.pk, contacted_on=days_ago(3), kind="VISIT")
    closed = big_hand(started_on=days_ago(100))
    services.close_pairing(SYSTEM, pairing_id=closed.pk, reason="结束")
    # a SURROGATE_MOTHER started 3 weeks ago is overdue (2 weeks), a BRANCH_SCHOOL of 3 weeks is not (13)
    mother = services.create_pairing(SYSTEM, organization_id=org("马良镇团委").pk, kind="SURROGATE_MOTHER",
                                     started_on=days_ago(21), volunteer_id=volunteer().pk,
                                     child_id=Child.objects.get(name="赵婷婷").pk)
    young_branch = org_pairing("马良镇团委", kind="BRANCH_SCHOOL", started_on=days_ago(21))

    staff = as_user("maliang_league_staff")
    listed = {pk_of(e["node"]["id"]): e["node"] for e in staff(OVERDUE, {"overdue": True})["pairings"]["edges"]}
    on_time = {pk_of(e["node"]["id"]) for e in staff(OVERDUE, {"overdue": False})["pairings"]["edges"]}
    mine_late = {made[k][0].pk for k in made} | {mother.pk}
    mine_not = {made[k][1].pk for k in made} | {contacted.pk, closed.pk, young_branch.pk}
    assert mine_late <= set(listed) and not mine_not & set(listed)
    assert mine_not <= on_time and not mine_late & on_time
    assert set(listed) == expected_overdue("马良镇团委")
    assert all(n["overdue"] and n["state"] == "ACTIVE" for n in listed.values())
    late_big = listed[made[PairingKind.BIG_HAND][0].pk]
    assert late_big["dueBy"] == str(days_ago(7 * weeks[PairingKind.BIG_HAND] + 1) + timedelta(weeks=4))
    # the county sees its own late pairings and the townships'; the neighbour township none of 马良镇's
    county = {pk_of(e["node"]["id"]) for e in as_user("baokang_league_admin")(OVERDUE, {"overdue": True})["pairings"]["edges"]}
    assert county == expected_overdue("共青团保康县委") and mine_late <= county
    neighbour = {pk_of(e["node"]["id"]) for e in as_user("huangbao_league_staff")(OVERDUE, {"overdue": True})["pairings"]["edges"]}
    assert not neighbour & mine_late


@pytest.mark.parametrize("kind, sides, ok", [
    ("BIG_HAND", {"volunteer", "child"}, True),
    ("BIG_HAND", {"child"}, False),
    ("BIG_HAND", {"volunteer", "child", "partner_name"}, False),
    ("SURROGATE_MOTHER", {"volunteer", "child"}, True),
    ("SURROGATE_MOTHER", {"volunteer"}, False),
    ("HAND_IN_HAND", {"child", "partner_child"}, True),
    ("HAND_IN_HAND", {"child", "volunteer"}, False),
    ("UNIT_COUNTY", {"partner_name"}, True),
    ("UNIT_COUNTY", {"partner_organization"}, True),
    ("UNIT_COUNTY", {"partner_name", "child"}, False),
    ("BRANCH_SCHOOL", set(), False),
    ("COMMITTEE_MEMBER_COUNTY", {"partner_name"}, True),
])
def test_the_sides_each_kind_of_pairing_needs(as_user, kind, sides, ok):
    values = {"organizationId": gid("Organization", org("马良镇团委").pk), "kind": kind, "startedOn": str(days_ago(1))}
    if "volunteer" in sides:
        values["volunteerId"] = gid("Volunteer", volunteer().pk)
    if "child" in sides:
        values["childId"] = gid("Child", Child.objects.get(name="张小明").pk)
    if "partner_child" in sides:
        values["partnerChild"] = "城关小学少先队员李想"
    if "partner_name" in sides:
        values["partnerName"] = "湖北文理学院团委"
    if "partner_organization" in sides:
        values["partnerOrganizationId"] = gid("Organization", org("保康县电力公司").pk)
    before = Pairing.objects.count()
    result = mutate(as_user("maliang_league_staff"), CREATE, {"input": values}, "createPairing")
    if ok:
        assert result["errors"] == [] and result["pairing"]["kind"] == kind
        pk = pk_of(result["pairing"]["id"])
        assert result["pairing"]["cardNumber"] == f"JD{days_ago(1).year}{pk:06d}"
    else:
        assert result["pairing"] is None and codes(result) == ["PAIRING_SIDES"]
        assert result["errors"][0]["field"] == "kind" and result["errors"][0]["message"].startswith(
            f"“{PairingKind(kind).label}”结对需要：")
        assert Pairing.objects.count() == before


def test_pairing_sides_message_in_english(as_user):
    response = as_user("maliang_league_staff").post(CREATE, {"input": {
        "organizationId": gid("Organization", org("马良镇团委").pk), "kind": "BIG_HAND", "startedOn": str(days_ago(1))}},
        HTTP_ACCEPT_LANGUAGE="en")
    error = response.json()["data"]["createPairing"]["errors"][0]
    assert error["code"] == "PAIRING_SIDES"
    assert error["message"].startswith("A “大手拉小手” pairing needs:") and "volunteer, child" in error["message"]


def test_the_child_must_be_in_the_pairing_organizations_subtree():
    # 李芳 belongs to 三岔村团支部; a pairing run by 马良坪村团支部 (her neighbour village) cannot name her
    with pytest.raises(ServiceError) as refused:
        big_hand("马良坪村团支部", child="李芳")
    assert refused.value.code.name == "NOT_IN_SUBTREE" and refused.value.problems[0][1] == "child_id"
    # the township above both villages can
    assert big_hand("马良镇团委", child="李芳").child.name == "李芳"


def test_a_child_the_actor_cannot_see_is_not_found(as_user):
    result = mutate(as_user("huangbao_league_staff"), CREATE, {"input": {
        "organizationId": gid("Organization", org("黄堡镇团委").pk), "kind": "BIG_HAND", "startedOn": str(days_ago(1)),
        "volunteerId": gid("Volunteer", volunteer("黄堡镇团委").pk),
        "childId": gid("Child", Child.objects.get(name="张小明").pk)}}, "createPairing")
    assert result["errors"] == [{"field": "childId", "code": "NOT_FOUND", "message": "对象不存在或无权查看。"}]


def test_overdue_pairings_are_reminded_once_per_lapse():
    from permissions.models import AuditEntry

    late = big_hand(started_on=days_ago(60))
    fresh = big_hand(started_on=days_ago(3))
    assert services.remind_overdue(days_ago(30)) >= 1  # late: 30 days without contact (4 weeks allowed)
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.reminded_on == days_ago(30) and fresh.reminded_on is None
    everything = set().union(*(expected_overdue(root) for root in ("共青团襄阳市委", "襄阳市妇联", "怀化市妇联", "南京市妇联")))
    earlier = set(Pairing.objects.filter(reminded_on=days_ago(30)).values_list("pk", flat=True))
    assert services.remind_overdue() == len(everything - earlier)  # today: the others, none reminded twice
    assert services.remind_overdue() == 0
    services.record_contact(SYSTEM, pairing_id=late.pk, contacted_on=days_ago(20), kind="CALL")  # after the reminder
    assert late.pk not in {p.pk for p in Pairing.objects.filter(services.overdue_q())}
    assert services.remind_overdue(today() + timedelta(days=10)) >= 1  # a new lapse: reminded again
    late.refresh_from_db()
    assert late.reminded_on == today() + timedelta(days=10)
    assert AuditEntry.objects.filter(action="pairing.overdue_reminder", target_id=str(late.pk)).count() == 2
