"""Campaigns (行动): who sees them and who may attach activities, wishes and holiday projects to them; activities
within the campaign's period; photos and notice pages stripped of EXIF and served by private links."""

from datetime import date, timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from children.models import Child
from children.services import record_consent
from core import photos
from core.errors import ServiceError
from programs import campaigns as services
from programs.models import Activity, ActivityPhoto, Campaign, CampaignAttachment, HolidayProject
from tests.children.test_photos import jpeg_with_gps
from tests.programs.helpers import (
    SYSTEM, activity, actor, campaign, codes, days_ago, gid, home, mutate, org, pk_of, today, viewer,
)
from wishes import services as wishes
from wishes.models import Wish

pytestmark = pytest.mark.django_db

CAMPAIGNS = "query { campaigns(first: 100) { totalCount edges { node { id title coveredOrganizationNames } } } }"
CAMPAIGN = "query($id: ID!) { campaign(id: $id) { id title announcerName attachments { url } } }"
ACTIVITY = """
mutation Activity($input: RecordActivityInput!) {
  recordActivity(input: $input) {
    activity { id title campaignTitle childrenCount photos { url } }
    errors { field code message }
  }
}"""
ANNOUNCE = """
mutation Announce($input: AnnounceCampaignInput!) {
  announceCampaign(input: $input) { campaign { id title coveredOrganizationNames attachments { url } } errors { field code message } }
}"""
COLLECT = """
mutation Collect($input: CollectWishInput!) {
  collectWish(input: $input) { wish { id campaignTitle } errors { field code message } }
}"""
PROJECT = """
mutation Project($input: HolidayProjectInput!) {
  createHolidayProject(input: $input) { project { id campaignTitle } errors { field code message } }
}"""


def listed(client) -> set[int]:
    return {pk_of(e["node"]["id"]) for e in client(CAMPAIGNS)["campaigns"]["edges"]}


def activity_input(organization: str, warm: Campaign | None = None, held_on: date | None = None, **more) -> dict:
    values = {"organizationId": gid("Organization", org(organization).pk), "title": "暖冬走访", "kind": "VISIT",
              "heldOn": str(held_on or days_ago(1)), **more}
    if warm is not None:
        values["campaignId"] = gid("Campaign", warm.pk)
    return {"input": values}


def wish_input(organization: str, warm: Campaign) -> dict:
    return {"input": {"organizationId": gid("Organization", org(organization).pk), "title": "一件棉衣", "category": "ITEM",
                      "estimatedValue": "120", "household": "测试困难户", "campaignId": gid("Campaign", warm.pk)}}


def project_input(organization: str, warm: Campaign) -> dict:
    return {"input": {"organizationId": gid("Organization", org(organization).pk), "name": "寒假七彩假期", "year": 2027,
                      "season": "WINTER", "startsOn": str(days_ago(5)), "endsOn": str(today() + timedelta(days=20)),
                      "campaignId": gid("Campaign", warm.pk)}}


def test_a_campaign_covering_one_township_is_seen_and_used_there_only(as_user):
    warm = campaign("共青团保康县委", covered=("马良镇团委",))
    ma, huang = as_user("maliang_league_staff"), as_user("huangbao_league_staff")

    # 马良镇 reads the county's notice, and attaches an activity, a wish and a holiday project to it
    assert warm.pk in listed(ma)
    assert ma(CAMPAIGN, {"id": gid("Campaign", warm.pk)})["campaign"]["announcerName"] == "共青团保康县委"
    done = mutate(ma, ACTIVITY, activity_input("马良镇团委", warm), "recordActivity")
    assert done["errors"] == [] and done["activity"]["campaignTitle"] == warm.title
    wish = mutate(ma, COLLECT, wish_input("马良坪村团支部", warm), "collectWish")  # a village below is covered too
    assert wish["errors"] == [] and wish["wish"]["campaignTitle"] == warm.title
    winter = mutate(ma, PROJECT, project_input("马良镇团委", warm), "createHolidayProject")
    assert winter["errors"] == [] and winter["project"]["campaignTitle"] == warm.title

    # 黄堡镇 does not see it at all, and cannot attach anything to it
    assert warm.pk not in listed(huang)
    assert huang(CAMPAIGN, {"id": gid("Campaign", warm.pk)})["campaign"] is None
    assert huang("query($id: ID!) { node(id: $id) { id } }", {"id": gid("Campaign", warm.pk)})["node"] is None
    for query, variables, field in ((ACTIVITY, activity_input("黄堡镇团委", warm), "recordActivity"),
                                    (COLLECT, wish_input("黄堡村团支部", warm), "collectWish"),
                                    (PROJECT, project_input("黄堡镇团委", warm), "createHolidayProject")):
        result = mutate(huang, query, variables, field)
        assert result["errors"] == [{"field": "campaignId", "code": "NOT_FOUND", "message": "对象不存在或无权查看。"}], field
    assert Activity.objects.filter(campaign=warm).count() == 1
    assert Wish.objects.filter(campaign=warm).count() == 1
    assert HolidayProject.objects.filter(campaign=warm).count() == 1


def test_a_body_outside_the_coverage_cannot_attach_even_when_it_sees_the_campaign(as_user):
    warm = campaign("共青团保康县委", covered=("马良镇团委",))
    admin = as_user("baokang_league_admin")  # sees the campaign (its own) and 黄堡镇
    assert warm.pk in listed(admin)
    result = mutate(admin, ACTIVITY, activity_input("黄堡镇团委", warm), "recordActivity")
    assert result["activity"] is None and result["errors"] == [{
        "field": "campaignId", "code": "NOT_COVERED", "message": f"“黄堡镇团委”不在行动“{warm.title}”的范围内。"}]
    english = admin.post(ACTIVITY, activity_input("黄堡镇团委", warm), HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["data"]["recordActivity"]["errors"][0]["message"] == (
        f"“黄堡镇团委” is not covered by the campaign “{warm.title}”.")
    # the announcer itself is not under what it chose to cover
    assert codes(mutate(admin, ACTIVITY, activity_input("共青团保康县委", warm), "recordActivity")) == ["NOT_COVERED"]
    with pytest.raises(ServiceError) as refused:
        wishes.collect_wish(SYSTEM, organization_id=org("黄堡村团支部").pk, title="棉衣", category="ITEM",
                            estimated_value="100", household="困难户", campaign_id=warm.pk)
    assert refused.value.code.name == "NOT_COVERED"
    assert codes(mutate(admin, COLLECT, wish_input("黄堡村团支部", warm), "collectWish")) == ["NOT_COVERED"]
    assert codes(mutate(admin, PROJECT, project_input("黄堡镇团委", warm), "createHolidayProject")) == ["NOT_COVERED"]
    assert not Activity.objects.filter(campaign=warm).exists() and not Wish.objects.filter(campaign=warm).exists()


def test_collect_wish_under_a_campaign_through_the_service():
    warm = campaign("共青团保康县委", covered=("马良镇团委",))
    wish = wishes.collect_wish(actor("maliang_league_staff"), organization_id=org("三岔村团支部").pk, title="棉鞋",
                               category="ITEM", estimated_value="80", household="困难户", campaign_id=warm.pk)
    assert wish.campaign_id == warm.pk
    with pytest.raises(ServiceError) as refused:
        wishes.collect_wish(actor("huangbao_league_staff"), organization_id=org("黄堡村团支部").pk, title="棉鞋",
                            category="ITEM", estimated_value="80", household="困难户", campaign_id=warm.pk)
    assert refused.value.code.name == "NOT_FOUND" and refused.value.problems[0][1] == "campaign_id"


def test_empty_coverage_means_the_announcers_whole_subtree(as_user):
    warm = campaign("共青团保康县委")
    assert [c.organization.name for c in warm.coverage.all()] == ["共青团保康县委"]
    huang = as_user("huangbao_league_staff")
    assert warm.pk in listed(huang) and warm.pk in listed(as_user("maliang_league_staff"))
    assert mutate(huang, ACTIVITY, activity_input("白竹村团支部", warm), "recordActivity")["errors"] == []
    # the women's federation of the same county is another tree: it neither sees nor may use it
    assert warm.pk not in listed(as_user("baokang_wf_staff"))
    with pytest.raises(ServiceError) as refused:
        activity("马良镇妇联", campaign_id=warm.pk, actor_=actor("baokang_wf_staff"))
    assert refused.value.code.name == "NOT_FOUND"
    with pytest.raises(ServiceError) as refused:
        activity("马良镇妇联", campaign_id=warm.pk)  # not even the platform: it is not covered
    assert refused.value.code.name == "NOT_COVERED"


def test_a_township_campaign_is_not_seen_by_the_neighbour_but_by_the_county(as_user):
    local = campaign("马良镇团委")
    assert local.pk in listed(as_user("maliang_league_staff")) and local.pk in listed(as_user("baokang_league_admin"))
    assert local.pk not in listed(as_user("huangbao_league_staff"))


def test_covering_an_organization_outside_the_announcers_subtree_is_refused(as_user):
    admin = as_user("baokang_league_admin")
    values = {"organizationId": gid("Organization", org("马良镇团委").pk), "title": "情暖童心", "noticeTitle": "通知",
              "noticeText": "正文", "startsOn": str(days_ago(1)), "endsOn": str(today() + timedelta(days=30)),
              "coveredOrganizationIds": [gid("Organization", org("马良坪村团支部").pk),
                                         gid("Organization", org("黄堡镇团委").pk)]}
    result = mutate(admin, ANNOUNCE, {"input": values}, "announceCampaign")
    assert result["campaign"] is None and result["errors"] == [{
        "field": "coveredOrganizationIds", "code": "NOT_IN_SUBTREE", "message": "该组织不在“马良镇团委”的下级范围内。"}]
    assert not Campaign.objects.filter(title="情暖童心").exists()
    # an organization the announcer's staff cannot see is NOT_FOUND
    staff = as_user("maliang_league_staff")
    assert codes(mutate(staff, ANNOUNCE, {"input": values}, "announceCampaign")) == ["NOT_FOUND"]
    values["coveredOrganizationIds"] = values["coveredOrganizationIds"][:1]
    ok = mutate(staff, ANNOUNCE, {"input": values}, "announceCampaign")
    assert ok["errors"] == [] and ok["campaign"]["coveredOrganizationNames"] == ["马良坪村团支部"]


def test_announcing_checks_its_fields_together(as_user):
    values = {"organizationId": gid("Organization", org("共青团保康县委").pk), "title": " ", "noticeTitle": "通知",
              "noticeText": "", "startsOn": str(days_ago(1)), "endsOn": str(days_ago(2)),
              "reportDeadline": str(days_ago(3))}
    result = mutate(as_user("baokang_league_admin"), ANNOUNCE, {"input": values}, "announceCampaign")
    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        ("title", "NAME_REQUIRED"), ("noticeText", "NAME_REQUIRED"), ("endsOn", "DATES_REVERSED"),
        ("reportDeadline", "DEADLINE_BEFORE_START")]


def test_an_activity_outside_the_campaign_period_is_refused(as_user):
    warm = campaign("共青团保康县委", starts_on=days_ago(20), ends_on=days_ago(5))
    staff = as_user("maliang_league_staff")
    for held_on in (days_ago(21), days_ago(4)):
        result = mutate(staff, ACTIVITY, activity_input("马良镇团委", warm, held_on), "recordActivity")
        assert result["errors"] == [{"field": "heldOn", "code": "OUTSIDE_CAMPAIGN",
                                     "message": f"活动日期须在行动的 {days_ago(20)} 至 {days_ago(5)} 之间。"}]
    for held_on in (days_ago(20), days_ago(5)):
        assert mutate(staff, ACTIVITY, activity_input("马良镇团委", warm, held_on), "recordActivity")["errors"] == []
    assert Activity.objects.filter(campaign=warm).count() == 2


def test_an_activity_at_a_site_of_another_body_is_refused(as_user):
    site = home("马良坪村团支部")
    staff = as_user("maliang_league_staff")
    at = {"happyHomeId": gid("HappyHome", site.pk)}
    assert mutate(staff, ACTIVITY, activity_input("马良镇团委", **at), "recordActivity")["errors"] == []
    result = mutate(staff, ACTIVITY, activity_input("三岔村团支部", **at), "recordActivity")
    assert result["errors"] == [{"field": "happyHomeId", "code": "PLACE_ELSEWHERE",
                                 "message": "该快乐家园或服务点不属于“三岔村团支部”。"}]


# --- photos -------------------------------------------------------------------------------------------------


def upload_activity(client, child_names=(), count=1, organization="马良镇团委"):
    files = {f"input.photos.{i}": SimpleUploadedFile(f"scene{i}.jpg", jpeg_with_gps(), "image/jpeg") for i in range(count)}
    variables = activity_input(organization, childIds=[gid("Child", Child.objects.get(name=n).pk) for n in child_names],
                               photos=[None] * count)
    payload = client.upload(ACTIVITY, files, variables).json()
    assert payload.get("data") and not payload.get("errors"), payload
    return payload["data"]["recordActivity"]


def consent(name: str) -> None:
    record_consent(SYSTEM, child_id=Child.objects.get(name=name).pk, given_by="监护人", relation="祖父",
                   given_on=days_ago(30), photos=True)


def assert_clean(data: bytes) -> None:
    image = Image.open(BytesIO(data))
    assert not image.getexif() and "comment" not in image.info and b"PhoneMaker" not in data


def test_activity_photos_need_every_named_childs_consent(as_user):
    staff = as_user("maliang_league_staff")
    consent("张小明")
    result = upload_activity(staff, ("张小明", "赵婷婷"))
    assert result["activity"] is None and result["errors"] == [{
        "field": None, "code": "CONSENT_REQUIRED", "message": "监护人尚未同意“照片”，不能进行此操作。"}]
    assert not ActivityPhoto.objects.exists() and not Activity.objects.filter(title="暖冬走访").exists()
    # without photos, no consent is needed
    plain = mutate(staff, ACTIVITY, activity_input("马良镇团委", childIds=[gid("Child", Child.objects.get(name="赵婷婷").pk)]),
                   "recordActivity")
    assert plain["errors"] == [] and plain["activity"]["childrenCount"] == 1


def test_activity_photos_are_stripped_and_served_privately(as_user):
    original = jpeg_with_gps()
    assert Image.open(BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture really carries GPS
    consent("张小明")
    staff = as_user("maliang_league_staff")
    result = upload_activity(staff, ("张小明",), count=2)
    assert result["errors"] == [] and len(result["activity"]["photos"]) == 2
    for row in ActivityPhoto.objects.filter(activity_id=pk_of(result["activity"]["id"])):
        assert_clean((photos.directory(services.PHOTOS) / row.file_name).read_bytes())
    url = result["activity"]["photos"][0]["url"]
    served = staff.client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert_clean(b"".join(served.streaming_content))
    assert Client().get(url).status_code == 404
    assert as_user("huangbao_league_staff").client.get(url).status_code == 404
    # a link made for the neighbour itself still serves nothing: the view checks the activity's scope
    photo = ActivityPhoto.objects.filter(activity_id=pk_of(result["activity"]["id"])).first()
    own_link = photos.url(services.PHOTOS, photo.pk, actor("huangbao_league_staff"))
    assert as_user("huangbao_league_staff").client.get(own_link).status_code == 404
    county_link = photos.url(services.PHOTOS, photo.pk, actor("baokang_league_admin"))
    assert as_user("baokang_league_admin").client.get(county_link).status_code == 200
    # a VIEWER of 马良镇 sees the activity but, without the children's PII permission, not its photos
    viewer("maliang_photo_viewer")
    seen = as_user("maliang_photo_viewer")("query($id: ID!) { activity(id: $id) { title photos { url } } }",
                                           {"id": result["activity"]["id"]})["activity"]
    assert seen == {"title": result["activity"]["title"], "photos": []}
    viewer_link = photos.url(services.PHOTOS, photo.pk, actor("maliang_photo_viewer"))
    assert as_user("maliang_photo_viewer").client.get(viewer_link).status_code == 404


def test_bad_activity_photos_are_typed_errors(as_user):
    staff = as_user("maliang_league_staff")
    bad = staff.upload(ACTIVITY, {"input.photos.0": SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")},
                       activity_input("马良镇团委", photos=[None])).json()["data"]["recordActivity"]
    assert bad["errors"] == [{"field": "file", "code": "PHOTO_TYPE", "message": "只接受 JPEG 或 PNG 图片。"}]
    assert not Activity.objects.filter(title="暖冬走访").exists()
    too_many = upload_activity(staff, count=10)
    assert codes(too_many) == ["INVALID"] and not ActivityPhoto.objects.exists()


def test_notice_attachments_are_stripped_and_follow_the_campaigns_visibility(as_user):
    admin = as_user("baokang_league_admin")
    values = {"organizationId": gid("Organization", org("共青团保康县委").pk), "title": "暖冬行动", "noticeTitle": "通知",
              "noticeText": "各乡镇团委：……", "startsOn": str(days_ago(1)), "endsOn": str(today() + timedelta(days=30)),
              "coveredOrganizationIds": [gid("Organization", org("马良镇团委").pk)], "attachments": [None]}
    payload = admin.upload(ANNOUNCE, {"input.attachments.0": SimpleUploadedFile("notice.jpg", jpeg_with_gps(), "image/jpeg")},
                           {"input": values}).json()
    result = payload["data"]["announceCampaign"]
    assert result["errors"] == [] and len(result["campaign"]["attachments"]) == 1
    page = CampaignAttachment.objects.get(campaign_id=pk_of(result["campaign"]["id"]))
    assert_clean((photos.directory(services.ATTACHMENTS) / page.file_name).read_bytes())
    served = admin.client.get(result["campaign"]["attachments"][0]["url"])
    assert served.status_code == 200
    assert_clean(b"".join(served.streaming_content))
    # the covered township reads the pages through its own link; the neighbour neither sees nor fetches them
    ma = as_user("maliang_league_staff")
    url = ma(CAMPAIGN, {"id": result["campaign"]["id"]})["campaign"]["attachments"][0]["url"]
    assert ma.client.get(url).status_code == 200
    huang = as_user("huangbao_league_staff")
    assert huang.client.get(url).status_code == 404
    assert huang.client.get(photos.url(services.ATTACHMENTS, page.pk, actor("huangbao_league_staff"))).status_code == 404
    assert Client().get(url).status_code == 404


def test_campaigns_are_found_by_title_within_the_readers_scope(as_user):
    """The holiday project form picks its campaign by a server search (no first-100 list in the browser)."""
    ours = campaign("共青团保康县委", covered=("马良镇团委",))
    campaign("共青团保康县委", covered=("马良镇团委",))
    beside = campaign("共青团保康县委", covered=("黄堡镇团委",))
    search = "query($t: String!) { campaigns(filters: {titleContains: $t}, first: 10) { totalCount edges { node { id } } } }"
    ma = as_user("maliang_league_staff")
    found = ma(search, {"t": ours.title})["campaigns"]
    assert [pk_of(e["node"]["id"]) for e in found["edges"]] == [ours.pk] and found["totalCount"] == 1
    assert ma(search, {"t": beside.title})["campaigns"]["totalCount"] == 0  # 黄堡镇's campaign stays out of 马良镇's search
