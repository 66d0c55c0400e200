"""Joint campaigns (联合发起, issue 20 item 5), over HTTP: the announcer invites bodies of other systems in its
division; each co-announcer's staff confirm or decline and set their own coverage only (neighbours kept out);
the campaign's wishes and activities count in each announcing body's figures and once per division."""

from datetime import timedelta

import pytest
from django.utils import timezone

from permissions.models import AuditEntry
from programs import campaigns as services
from programs.models import CampaignCoAnnouncer, CoAnnouncerState
from tests.programs.helpers import SYSTEM, activity, codes, days_ago, gid, grant, mutate, new_user, org, today
from wishes import services as wishes
from wishes.models import State, Wish

pytestmark = pytest.mark.django_db

OPTIONS = "query($id: ID!) { campaignPartnerOptions(organizationId: $id) { id name system } }"
ANNOUNCE = """mutation($input: AnnounceCampaignInput!) { announceCampaign(input: $input) {
  campaign { id joint coAnnouncers { organizationName state canRespond } } errors { field code message } } }"""
RESPOND = """mutation($input: RespondToCampaignInvitationInput!) { respondToCampaignInvitation(input: $input) {
  campaign { id coveredOrganizationNames coAnnouncers { organizationName state respondedBy } } errors { field code message } } }"""
COVER = """mutation($input: SetCampaignCoverageInput!) { setCampaignCoverage(input: $input) {
  campaign { coveredOrganizationNames } errors { field code message } } }"""
CAMPAIGN = """query($id: ID!) { campaign(id: $id) { title joint coveredOrganizationNames
  coAnnouncers { organizationName state canRespond } } }"""
LISTED = "{ campaigns(first: 100) { edges { node { id } } } }"
COLLECT = """mutation($input: CollectWishInput!) { collectWish(input: $input) { wish { id campaignTitle } errors { code } } }"""
FIGURES = """query($id: ID!, $at: ID!) { campaign(id: $id) {
  figures { organizationName coAnnouncer wishes wishesFulfilled activities }
  figuresByDivision(organizationId: $at) { divisionCode organizationNames wishes wishesFulfilled activities } } }"""


def oid(name: str) -> str:
    return gid("Organization", org(name).pk)


def staff_at(username: str, organization: str, role: str = "STAFF") -> str:
    new_user(username)
    grant(username, org(organization), role)
    return username


def announce_input(*partners: str, covered: tuple[str, ...] = ()) -> dict:
    return {"input": {"organizationId": oid("共青团保康县委"), "title": "关爱留守儿童联合行动", "noticeTitle": "关于联合开展关爱行动的通知",
                      "noticeText": "团县委、县妇联、县工商联联合发起……", "startsOn": str(days_ago(10)),
                      "endsOn": str(today() + timedelta(days=60)), "coAnnouncerIds": [oid(p) for p in partners],
                      "coveredOrganizationIds": [oid(c) for c in covered]}}


def respond(client, campaign_id: str, body: str, accept: bool = True, covered: tuple[str, ...] = ()) -> dict:
    return mutate(client, RESPOND, {"input": {"campaignId": campaign_id, "organizationId": oid(body), "accept": accept,
                                              "coveredOrganizationIds": [oid(c) for c in covered]}},
                  "respondToCampaignInvitation")


def cover(client, campaign_id: str, body: str, covered: tuple[str, ...] = ()) -> dict:
    return mutate(client, COVER, {"input": {"campaignId": campaign_id, "organizationId": oid(body),
                                            "coveredOrganizationIds": [oid(c) for c in covered]}}, "setCampaignCoverage")


def listed(client) -> set[str]:
    return {e["node"]["id"] for e in client(LISTED)["campaigns"]["edges"]}


def test_co_announcers_are_other_systems_bodies_of_the_same_division(as_user):
    admin = as_user("baokang_league_admin")
    offered = {o["name"]: o["system"] for o in admin(OPTIONS, {"id": oid("共青团保康县委")})["campaignPartnerOptions"]}
    assert offered["保康县妇联"] == "WOMENS_FEDERATION" and offered["保康县工商联"] == "UNIT"
    assert not {"共青团保康县委", "马良镇妇联", "洪江市妇联", "襄阳市妇联"} & set(offered)
    # a township's staff may not announce for the county: nothing offered; elsewhere nothing either
    assert as_user("huangbao_league_staff")(OPTIONS, {"id": oid("共青团保康县委")})["campaignPartnerOptions"] == []
    refused = mutate(admin, ANNOUNCE, announce_input("保康县妇联", "洪江市妇联"), "announceCampaign")
    assert codes(refused) == ["NOT_A_PARTNER_SYSTEM"] and refused["errors"][0]["field"] == "coAnnouncerIds"
    assert "420626" in refused["errors"][0]["message"]


def test_each_co_announcer_confirms_and_sets_its_own_coverage_only(as_user):
    admin, women = as_user("baokang_league_admin"), as_user("baokang_wf_staff")
    unit = as_user(staff_at("gsl_staff", "保康县工商联"))
    made = mutate(admin, ANNOUNCE, announce_input("保康县妇联", "保康县工商联", covered=("马良镇团委",)), "announceCampaign")
    assert made["errors"] == [] and made["campaign"]["joint"] is True
    assert made["campaign"]["coAnnouncers"] == [  # in the forest's order
        {"organizationName": "保康县工商联", "state": "INVITED", "canRespond": True},  # the county admin is above 工商联
        {"organizationName": "保康县妇联", "state": "INVITED", "canRespond": False}]
    cid = made["campaign"]["id"]

    # the invited body's staff see the campaign and may answer for their body; neighbours neither
    assert cid in listed(women)
    seen = women(CAMPAIGN, {"id": cid})["campaign"]
    assert {"organizationName": "保康县妇联", "state": "INVITED", "canRespond": True} in seen["coAnnouncers"]
    shiqiao, huangbao = as_user("shiqiao_wf_staff"), as_user("huangbao_league_staff")
    assert cid not in listed(shiqiao) and shiqiao(CAMPAIGN, {"id": cid})["campaign"] is None
    assert codes(respond(shiqiao, cid, "保康县妇联")) == ["NOT_FOUND"]
    assert codes(respond(huangbao, cid, "保康县妇联")) == ["NOT_FOUND"]
    assert codes(respond(admin, cid, "保康县妇联")) == ["NOT_FOUND"]  # the league's admin cannot answer for the 妇联

    # the 妇联 covers its own subtree only: the league's township is not even seen, and nothing changes
    assert codes(respond(women, cid, "保康县妇联", covered=("马良镇团委",))) == ["NOT_FOUND"]
    assert CampaignCoAnnouncer.objects.get(organization=org("保康县妇联")).state == CoAnnouncerState.INVITED
    done = respond(women, cid, "保康县妇联", covered=("马良镇妇联",))
    assert done["errors"] == [] and set(done["campaign"]["coveredOrganizationNames"]) == {"马良镇团委", "马良镇妇联"}
    assert {"organizationName": "保康县妇联", "state": "ACCEPTED", "respondedBy": "保康县妇联干部"} in done["campaign"]["coAnnouncers"]
    assert codes(respond(women, cid, "保康县妇联", accept=False)) == ["ALREADY_ANSWERED"]
    assert AuditEntry.objects.filter(action="campaign.co_announce_accept").count() == 1

    # each body sets its own part: the 妇联 cannot touch the league's, the league neither the 妇联's
    assert codes(cover(women, cid, "共青团保康县委", ("马良镇团委",))) == ["NOT_FOUND"]
    assert codes(cover(admin, cid, "保康县妇联")) == ["NOT_FOUND"]
    assert codes(cover(admin, cid, "共青团保康县委", ("马良镇妇联",))) == ["NOT_FOUND"]
    assert codes(cover(as_user("maliang_league_staff"), cid, "马良镇团委")) == ["NOT_AN_ANNOUNCER"]
    changed = cover(admin, cid, "共青团保康县委", ("黄堡镇团委",))
    assert set(changed["campaign"]["coveredOrganizationNames"]) == {"黄堡镇团委", "马良镇妇联"}  # the 妇联's part stays
    widened = cover(women, cid, "保康县妇联")
    assert set(widened["campaign"]["coveredOrganizationNames"]) == {"黄堡镇团委", "保康县妇联"}

    # 工商联 sits inside the league's tree: it covers its own subtree, and once it confirms that is its own to set
    assert codes(respond(admin, cid, "保康县工商联", covered=("马良镇团委",))) == ["NOT_IN_SUBTREE"]
    assert respond(unit, cid, "保康县工商联")["errors"] == []
    clash = cover(admin, cid, "共青团保康县委", ("黄堡镇团委", "保康县工商联"))
    assert codes(clash) == ["COVERED_BY_OTHER"] and "保康县工商联" in clash["errors"][0]["message"]
    assert set(cover(admin, cid, "共青团保康县委")["campaign"]["coveredOrganizationNames"]) == {
        "共青团保康县委", "保康县妇联", "保康县工商联"}


def test_the_coverage_decides_who_may_attach_wishes(as_user):
    admin, women = as_user("baokang_league_admin"), as_user("baokang_wf_staff")
    cid = mutate(admin, ANNOUNCE, announce_input("保康县妇联", covered=("马良镇团委",)), "announceCampaign")["campaign"]["id"]
    maliang_wf, huangbao_wf = as_user(staff_at("mlwf", "马良镇妇联")), as_user(staff_at("hbwf", "黄堡镇妇联"))

    def collect(client, organization):
        return mutate(client, COLLECT, {"input": {"organizationId": oid(organization), "title": "一件棉衣", "category": "ITEM",
                                                  "estimatedValue": "120", "household": "测试困难户", "campaignId": cid}},
                      "collectWish")

    assert codes(collect(maliang_wf, "马良镇妇联")) == ["NOT_FOUND"]  # invited, not confirmed: not covered, not visible
    respond(women, cid, "保康县妇联", covered=("马良镇妇联",))
    assert collect(maliang_wf, "马良镇妇联")["wish"]["campaignTitle"] == "关爱留守儿童联合行动"
    assert codes(collect(huangbao_wf, "黄堡镇妇联")) == ["NOT_FOUND"]  # a neighbour township: not covered, not seen


def joint_campaign_with_records():
    """团县委 with 县妇联 and 县工商联 (nested in the league's tree), all confirmed: wishes at 马良镇团委 (fulfilled), 马良镇妇联
    and 保康县工商联, an activity at 马良坪村团支部, and a wish of 马良镇团委 outside the campaign."""
    joint = services.announce(SYSTEM, organization_id=org("共青团保康县委").pk, title="联合行动", notice_title="通知",
                              notice_text="……", starts_on=days_ago(10), ends_on=today() + timedelta(days=30),
                              co_announcer_ids=[org("保康县妇联").pk, org("保康县工商联").pk])
    for body in ("保康县妇联", "保康县工商联"):
        services.respond_to_invitation(SYSTEM, campaign_id=joint.pk, organization_id=org(body).pk, accept=True)
    made = [wishes.collect_wish(SYSTEM, organization_id=org(at).pk, title=f"{at}的心愿", category="ITEM", estimated_value="80",
                                household="测试困难户", campaign_id=joint.pk if at != "外" else None)
            for at in ("马良镇团委", "马良镇妇联", "保康县工商联")]
    wishes.collect_wish(SYSTEM, organization_id=org("马良镇团委").pk, title="行动外的心愿", category="ITEM", estimated_value="80",
                        household="测试困难户")
    Wish.objects.filter(pk=made[0].pk).update(state=State.FULFILLED, fulfilled_at=timezone.now())
    activity("马良坪村团支部", campaign_id=joint.pk)
    return joint


def test_joint_figures_count_in_each_subtree_and_once_per_division(as_user):
    joint = joint_campaign_with_records()
    cid = gid("Campaign", joint.pk)
    both = as_user(staff_at("xiangyang_both", "共青团襄阳市委", "VIEWER"))
    grant("xiangyang_both", org("襄阳市妇联"), "VIEWER")
    found = both(FIGURES, {"id": cid, "at": oid("共青团襄阳市委")})["campaign"]

    # each announcing body: the records in its subtree (工商联's wish is in the league's subtree and its own)
    assert found["figures"] == [
        {"organizationName": "共青团保康县委", "coAnnouncer": False, "wishes": 2, "wishesFulfilled": 1, "activities": 1},
        {"organizationName": "保康县工商联", "coAnnouncer": True, "wishes": 1, "wishesFulfilled": 0, "activities": 0},
        {"organizationName": "保康县妇联", "coAnnouncer": True, "wishes": 1, "wishesFulfilled": 0, "activities": 0}]
    assert sum(f["wishes"] for f in found["figures"]) == 4
    # across systems, per division: each record once (three wishes, not four)
    assert found["figuresByDivision"] == [{"divisionCode": "420626", "organizationNames": ["马良镇团委", "保康县工商联", "马良镇妇联"],
                                           "wishes": 3, "wishesFulfilled": 1, "activities": 1}]
    # one level down, from the county: 马良镇's league and 妇联 together; the county-level 工商联 under its own code
    county = both(FIGURES, {"id": cid, "at": oid("共青团保康县委")})["campaign"]["figuresByDivision"]
    assert county == [
        {"divisionCode": "420626", "organizationNames": ["保康县工商联"], "wishes": 1, "wishesFulfilled": 0, "activities": 0},
        {"divisionCode": "420626105", "organizationNames": ["马良镇团委", "马良镇妇联"], "wishes": 2, "wishesFulfilled": 1,
         "activities": 1}]


def test_joint_figures_are_read_only_with_the_rollups_permission_where_they_are(as_user):
    joint = joint_campaign_with_records()
    cid = gid("Campaign", joint.pk)
    # the 妇联's staff read every announcing body's figures, and per division only the rows they may count
    women = as_user("baokang_wf_staff")(FIGURES, {"id": cid, "at": oid("保康县妇联")})["campaign"]
    assert [f["wishes"] for f in women["figures"]] == [2, 1, 1]
    assert women["figuresByDivision"] == [{"divisionCode": "420626105", "organizationNames": ["马良镇妇联"], "wishes": 1,
                                           "wishesFulfilled": 0, "activities": 0}]
    # a covered township reads the notice, not the announcers' figures; an outsider does not see the campaign at all
    township = as_user("maliang_league_staff")(FIGURES, {"id": cid, "at": oid("马良镇团委")})["campaign"]
    assert township == {"figures": [], "figuresByDivision": []}
    assert as_user("huaihua_wf_admin")(FIGURES, {"id": cid, "at": oid("怀化市妇联")})["campaign"] is None


INBOX = "{ notifications(first: 20, filters: {kind: CAMPAIGN_INVITATION}) { edges { node { title body link } } } }"


def test_the_invited_bodies_staff_are_notified_and_no_one_else(as_user):
    # given the league announcing with the county's women's federation and 工商联
    made = mutate(as_user("baokang_league_admin"), ANNOUNCE, announce_input("保康县妇联", "保康县工商联"), "announceCampaign")
    cid = made["campaign"]["id"]
    # then the 妇联's staff hear of it, with a link that opens the campaign
    [note] = [e["node"] for e in as_user("baokang_wf_staff")(INBOX)["notifications"]["edges"]]
    assert note == {"title": "联合发起邀请：关爱留守儿童联合行动",
                    "body": "共青团保康县委邀请保康县妇联联合发起“关爱留守儿童联合行动”，请确认或谢绝。",
                    "link": f"/campaigns?campaign={cid}"}
    # and a neighbour federation's staff, and the township league staff, hear nothing
    for neighbour in ("shiqiao_wf_staff", "huangbao_league_staff"):
        assert as_user(neighbour)(INBOX)["notifications"]["edges"] == []
