"""Every program mutation answers a user's mistake as ``errors { field code message }`` in its payload (never a
top-level GraphQL error), in Chinese by default and in English with ``Accept-Language: en``."""

from datetime import timedelta

import pytest
from strawberry.utils.str_converters import to_camel_case

from children.models import Child
from core.errors import CommonErrorCode
from graphql_api.programs import Mutation as ProgramMutation
from programs import campaigns, pairings
from programs.errors import ProgramErrorCode as E
from tests.programs.helpers import (
    SYSTEM, big_hand, campaign, days_ago, gid, home, org, point, project, record, today, volunteer,
)

pytestmark = pytest.mark.django_db


def cases() -> list[tuple]:
    """(mutation, input type, input, expected field, expected code): one mistake for each mutation."""
    maliang = gid("Organization", org("马良镇团委").pk)
    site = home("马良镇团委")
    summer = project("马良镇团委")
    spot = point(summer, "马良镇团委")
    helper = volunteer("马良镇团委")
    site.volunteers.add(helper)
    done = record(site, helper, "2", confirm=True)
    mother = pairings.create_pairing(SYSTEM, organization_id=org("马良镇团委").pk, kind="SURROGATE_MOTHER",
                                     started_on=days_ago(3), volunteer_id=helper.pk,
                                     child_id=Child.objects.get(name="赵婷婷").pk)
    pairing = big_hand()
    tomorrow = str(today() + timedelta(days=1))
    women_led = campaign("马良镇妇联", co_announcers=("马良镇团委",))  # a joint campaign the league already confirmed
    campaigns.respond_to_invitation(SYSTEM, campaign_id=women_led.pk, organization_id=org("马良镇团委").pk, accept=True)
    own = campaign("马良镇团委")
    return [
        ("createHappyHome", "HappyHomeInput", {"organizationId": maliang, "name": " "}, "name", E.NAME_REQUIRED),
        ("updateHappyHome", "UpdateHappyHomeInput", {"id": gid("HappyHome", site.pk), "areaM2": -1}, "areaM2",
         E.INVALID_AMOUNT),
        ("setHappyHomeMembers", "HappyHomeMembersInput", {"homeId": gid("HappyHome", site.pk), "addChildIds": [
            gid("Child", Child.objects.get(name="王磊").pk)]}, "addChildIds", CommonErrorCode.NOT_FOUND),
        ("saveInterestGroup", "InterestGroupInput", {"homeId": gid("HappyHome", site.pk), "name": "书法", "memberIds": [
            gid("Child", Child.objects.get(name="张小明").pk)]}, "memberIds", CommonErrorCode.NOT_FOUND),
        ("createHolidayProject", "HolidayProjectInput", {"organizationId": maliang, "name": "寒假", "year": 2027,
                                                         "season": "WINTER", "startsOn": str(days_ago(1)),
                                                         "endsOn": str(days_ago(2))}, "endsOn", E.DATES_REVERSED),
        ("createServicePoint", "ServicePointInput", {"projectId": gid("HolidayProject", summer.pk), "organizationId": maliang,
                                                     "name": "", "kind": "SCHOOL", "startsOn": str(summer.starts_on),
                                                     "endsOn": str(summer.ends_on)}, "name", E.NAME_REQUIRED),
        ("reportServicePoint", "ReportServicePointInput", {"id": gid("ServicePoint", spot.pk), "goodsValue": "-1"},
         "goodsValue", E.INVALID_AMOUNT),
        ("createVolunteer", "VolunteerInput", {"organizationId": maliang, "name": "", "origin": "WULAO"}, "name",
         E.NAME_REQUIRED),
        ("updateVolunteer", "UpdateVolunteerInput", {"id": gid("Volunteer", helper.pk), "name": " "}, "name",
         E.NAME_REQUIRED),
        ("recordServiceHours", "RecordServiceHoursInput", {"volunteerId": gid("Volunteer", helper.pk),
                                                           "happyHomeId": gid("HappyHome", site.pk),
                                                           "servedOn": str(days_ago(1)), "hours": "0"}, "hours",
         E.INVALID_HOURS),
        ("confirmServiceHours", "ConfirmServiceHoursInput", {"recordIds": [gid("ServiceRecord", done.pk)]}, "recordIds",
         E.ALREADY_CONFIRMED),
        ("createPairing", "PairingInput", {"organizationId": maliang, "kind": "UNIT_COUNTY", "startedOn": tomorrow,
                                           "partnerName": "某高校团委"}, "startedOn", E.FUTURE_DATE),
        ("tickPairingItem", "TickPairingItemInput", {"pairingId": gid("Pairing", mother.pk), "item": "SKILL",
                                                     "doneOn": str(days_ago(1))}, "pairingId", E.NOT_A_CHECKLIST),
        ("recordPairingContact", "PairingContactInput", {"pairingId": gid("Pairing", pairing.pk), "contactedOn": tomorrow,
                                                         "kind": "CALL"}, "contactedOn", E.FUTURE_DATE),
        ("closePairing", "ClosePairingInput", {"pairingId": gid("Pairing", pairing.pk), "reason": " "}, "reason",
         E.REASON_REQUIRED),
        ("announceCampaign", "AnnounceCampaignInput", {"organizationId": maliang, "title": "行动", "noticeTitle": "通知",
                                                       "noticeText": "正文", "startsOn": str(days_ago(1)),
                                                       "endsOn": str(today() + timedelta(days=9)),
                                                       "reportDeadline": str(days_ago(2))}, "reportDeadline",
         E.DEADLINE_BEFORE_START),
        ("recordActivity", "RecordActivityInput", {"organizationId": maliang, "title": " ", "kind": "LECTURE",
                                                   "heldOn": str(days_ago(1))}, "title", E.NAME_REQUIRED),
        ("respondToCampaignInvitation", "RespondToCampaignInvitationInput", {
            "campaignId": gid("Campaign", women_led.pk), "organizationId": maliang, "accept": False}, "campaignId",
         E.ALREADY_ANSWERED),
        ("setCampaignCoverage", "SetCampaignCoverageInput", {
            "campaignId": gid("Campaign", own.pk), "organizationId": maliang,
            "coveredOrganizationIds": [gid("Organization", org("黄堡镇团委").pk)]}, "coveredOrganizationIds",
         CommonErrorCode.NOT_FOUND),
        # a global ID of the wrong type reads as NOT_FOUND, still typed
        ("updateVolunteer", "UpdateVolunteerInput", {"id": gid("HappyHome", site.pk), "name": "名"}, "id",
         CommonErrorCode.NOT_FOUND),
    ]


def test_every_mutation_answers_typed_errors_in_chinese_and_english(as_user):
    staff = as_user("maliang_league_staff")
    checked = set()
    for field, input_type, values, error_field, code in cases():
        query = f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ errors {{ field code message }} }} }}"
        for language, message in ((None, code.zh), ("en", code.en)):
            extra = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
            response = staff.post(query, {"input": values}, **extra)
            assert response.status_code == 200, field
            body = response.json()
            assert "errors" not in body, (field, body)
            assert body["data"][field]["errors"] == [{"field": error_field, "code": code.name, "message": message}], \
                (field, language)
        checked.add(field)
    # every program mutation is among them
    assert checked == {to_camel_case(f.python_name) for f in ProgramMutation.__strawberry_definition__.fields}
