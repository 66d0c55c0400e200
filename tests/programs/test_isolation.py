"""Neighbours kept apart on every program type: 黄堡镇's staff see none of 马良镇's rows in the connection, by
``node(id:)`` or by the by-ID query, and every mutation on them answers NOT_FOUND; the county sees both."""

import pytest

from children.models import Child
from programs.models import ServiceRecord
from tests.programs.helpers import (
    activity, big_hand, campaign, days_ago, gid, home, mutate, org, pk_of, point, project, record, viewer, volunteer,
)

pytestmark = pytest.mark.django_db

NODE = "query($id: ID!) { node(id: $id) { id } }"

# type name -> (root connection, by-ID query field or None)
TYPES = {
    "HappyHome": ("happyHomes", "happyHome"),
    "HolidayProject": ("holidayProjects", "holidayProject"),
    "ServicePoint": ("servicePoints", None),
    "Volunteer": ("volunteers", "volunteer"),
    "ServiceRecord": ("serviceRecords", None),
    "Pairing": ("pairings", "pairing"),
    "Campaign": ("campaigns", "campaign"),
    "Activity": ("activities", "activity"),
}


def rows_of(township: str, village: str) -> dict[str, int]:
    """One row of each type owned inside ``township``: a site, a project of the township with a point, a
    volunteer with hours, a pairing, the township's own campaign and an activity under it."""
    site = home(township)
    summer = project(township)
    spot = point(summer, village)
    helper = volunteer(township)
    hours = record(site, helper, "2")
    child = Child.objects.filter(org_path__startswith=org(village).path).order_by("pk").first()
    pairing = big_hand(village, child=child.name)
    local = campaign(township)
    done = activity(township, campaign_id=local.pk)
    return {"HappyHome": site.pk, "HolidayProject": summer.pk, "ServicePoint": spot.pk, "Volunteer": helper.pk,
            "ServiceRecord": hours.pk, "Pairing": pairing.pk, "Campaign": local.pk, "Activity": done.pk}


def listed(client, field: str) -> set[int]:
    data = client(f"query {{ {field}(first: 100) {{ totalCount edges {{ node {{ id }} }} }} }}")[field]
    assert data["totalCount"] == len(data["edges"])
    return {pk_of(e["node"]["id"]) for e in data["edges"]}


def test_every_program_type_is_invisible_to_the_neighbour_and_visible_to_the_county(as_user):
    maliang = rows_of("马良镇团委", "马良坪村团支部")
    huangbao = rows_of("黄堡镇团委", "黄堡村团支部")
    ma, huang, county = (as_user(u) for u in ("maliang_league_staff", "huangbao_league_staff", "baokang_league_admin"))
    for type_name, (connection, by_id) in TYPES.items():
        theirs, own = maliang[type_name], huangbao[type_name]
        seen = listed(huang, connection)
        assert own in seen and theirs not in seen, type_name
        assert huang(NODE, {"id": gid(type_name, theirs)})["node"] is None, type_name
        assert huang(NODE, {"id": gid(type_name, own)})["node"] == {"id": gid(type_name, own)}, type_name
        if by_id:
            query = f"query($id: ID!) {{ {by_id}(id: $id) {{ id }} }}"
            assert huang(query, {"id": gid(type_name, theirs)})[by_id] is None, type_name
            assert ma(query, {"id": gid(type_name, theirs)})[by_id] == {"id": gid(type_name, theirs)}, type_name
        both = listed(county, connection)
        assert {theirs, own} <= both, type_name
        assert own not in listed(ma, connection), type_name


def test_the_neighbours_mutations_on_every_type_are_not_found(as_user):
    theirs = rows_of("马良镇团委", "马良坪村团支部")
    own_volunteer = volunteer("黄堡镇团委")
    huang = as_user("huangbao_league_staff")
    g = {name: gid(name, pk) for name, pk in theirs.items()}
    huang_org = gid("Organization", org("黄堡镇团委").pk)
    attempts = [
        ("updateHappyHome", "UpdateHappyHomeInput", {"id": g["HappyHome"], "name": "改名"}, "happyHome", "id"),
        ("setHappyHomeMembers", "HappyHomeMembersInput", {"homeId": g["HappyHome"]}, "happyHome", "homeId"),
        ("createServicePoint", "ServicePointInput", {"projectId": g["HolidayProject"], "organizationId": huang_org,
                                                     "name": "点", "kind": "VILLAGE", "startsOn": str(days_ago(30)),
                                                     "endsOn": str(days_ago(20))}, "servicePoint", "projectId"),
        ("reportServicePoint", "ReportServicePointInput", {"id": g["ServicePoint"], "childrenServed": 1}, "servicePoint", "id"),
        ("updateVolunteer", "UpdateVolunteerInput", {"id": g["Volunteer"], "name": "改名"}, "volunteer", "id"),
        ("recordServiceHours", "RecordServiceHoursInput", {"volunteerId": gid("Volunteer", own_volunteer.pk),
                                                           "servicePointId": g["ServicePoint"], "servedOn": str(days_ago(1)),
                                                           "hours": "2"}, "record", "servicePointId"),
        ("confirmServiceHours", "ConfirmServiceHoursInput", {"recordIds": [g["ServiceRecord"]]}, "records", "recordIds"),
        ("tickPairingItem", "TickPairingItemInput", {"pairingId": g["Pairing"], "item": "WEEKEND",
                                                     "doneOn": str(days_ago(1))}, "pairing", "pairingId"),
        ("recordPairingContact", "PairingContactInput", {"pairingId": g["Pairing"], "contactedOn": str(days_ago(1)),
                                                         "kind": "CALL"}, "pairing", "pairingId"),
        ("closePairing", "ClosePairingInput", {"pairingId": g["Pairing"], "reason": "结束"}, "pairing", "pairingId"),
        ("recordActivity", "RecordActivityInput", {"organizationId": huang_org, "title": "活动", "kind": "OTHER",
                                                   "heldOn": str(days_ago(1)), "campaignId": g["Campaign"]},
         "activity", "campaignId"),
        ("recordActivity", "RecordActivityInput", {"organizationId": huang_org, "title": "活动", "kind": "OTHER",
                                                   "heldOn": str(days_ago(1)), "happyHomeId": g["HappyHome"]},
         "activity", "happyHomeId"),
        ("recordActivity", "RecordActivityInput", {"organizationId": huang_org, "title": "活动", "kind": "OTHER",
                                                   "heldOn": str(days_ago(1)),
                                                   "volunteerIds": [g["Volunteer"]]}, "activity", "volunteerIds"),
    ]
    for field, input_type, values, result_field, error_field in attempts:
        query = f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ errors {{ field code message }} }} }}"
        result = mutate(huang, query, {"input": values}, field)
        assert result["errors"] == [{"field": error_field, "code": "NOT_FOUND", "message": "对象不存在或无权查看。"}], field
    record_ = ServiceRecord.objects.get(pk=theirs["ServiceRecord"])
    assert record_.confirmed_at is None


def test_a_viewer_sees_the_phone_masked_and_staff_in_clear(as_user):
    helper = volunteer("马良镇团委", phone="13912345678")
    query = "query($id: ID!) { volunteer(id: $id) { phone } }"
    variables = {"id": gid("Volunteer", helper.pk)}
    viewer("maliang_viewer2", "马良镇团委")
    assert as_user("maliang_viewer2")(query, variables)["volunteer"]["phone"] == "139****5678"
    assert as_user("maliang_league_staff")(query, variables)["volunteer"]["phone"] == "13912345678"
    assert as_user("baokang_league_admin")(query, variables)["volunteer"]["phone"] == "13912345678"
    listed_ = as_user("maliang_viewer2")("query { volunteers(first: 100) { edges { node { id phone } } } }")
    phones = {pk_of(e["node"]["id"]): e["node"]["phone"] for e in listed_["volunteers"]["edges"]}
    assert phones[helper.pk] == "139****5678"
    assert all("****" in p for p in phones.values() if p)
