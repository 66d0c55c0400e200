"""Volunteers' service hours: recorded by the place's staff for a volunteer assigned there, counted only once
confirmed by staff holding programs.confirm_hours at the place; confirmation is all or nothing."""

import re
from decimal import Decimal

import pytest

from core.errors import ServiceError
from programs import volunteers as services
from programs.models import ServiceRecord
from tests.programs.helpers import (
    SYSTEM, actor, codes, days_ago, gid, home, mutate, org, point, project, record, today, viewer, volunteer,
)

pytestmark = pytest.mark.django_db

VOLUNTEER = """
query Volunteer($id: ID!) {
  volunteer(id: $id) { confirmedHours summary { confirmedHours unconfirmedHours services certificate } }
}"""
CONFIRM = """
mutation Confirm($ids: [ID!]!) {
  confirmServiceHours(input: {recordIds: $ids}) { records { id confirmed confirmedBy } errors { field code message } }
}"""
RECORD = """
mutation Record($input: RecordServiceHoursInput!) {
  recordServiceHours(input: $input) { record { id hours confirmed } errors { field code message } }
}"""


def test_unconfirmed_hours_do_not_count(as_user):
    site = home("马良镇团委")
    helper = volunteer("马良镇团委", name="刘晓燕")
    record(site, helper, "3", confirm=True, served_on=days_ago(10))
    pending = record(site, helper, "5", served_on=days_ago(4))
    staff = as_user("maliang_league_staff")
    shown = staff(VOLUNTEER, {"id": gid("Volunteer", helper.pk)})["volunteer"]
    assert Decimal(shown["confirmedHours"]) == Decimal("3")
    assert Decimal(shown["summary"]["confirmedHours"]) == 3 and Decimal(shown["summary"]["unconfirmedHours"]) == 5
    assert shown["summary"]["services"] == 1
    certificate = shown["summary"]["certificate"]
    served = days_ago(10)
    assert certificate.startswith(f"兹证明 刘晓燕 同志于 {served.year}年{served.month}月{served.day}日")
    assert re.search(r"志愿服务 1 次，累计服务 3(\.0)? 小时", certificate), certificate
    # once confirmed, the pending 5 hours count too
    result = mutate(staff, CONFIRM, {"ids": [gid("ServiceRecord", pending.pk)]}, "confirmServiceHours")
    assert result["errors"] == [] and result["records"] == [
        {"id": gid("ServiceRecord", pending.pk), "confirmed": True, "confirmedBy": "马良镇团委干部"}]
    shown = staff(VOLUNTEER, {"id": gid("Volunteer", helper.pk)})["volunteer"]
    assert Decimal(shown["confirmedHours"]) == 8 and shown["summary"]["services"] == 2
    assert Decimal(shown["summary"]["unconfirmedHours"]) == 0


def test_a_volunteer_with_no_confirmed_hours_has_no_certificate_yet():
    site = home("马良镇团委")
    helper = volunteer("马良镇团委", name="周小兰")
    record(site, helper, "2")
    summary = services.summary(helper)
    assert summary.confirmed_hours == 0 and summary.services == 0 and summary.unconfirmed_hours == 2
    assert "暂无经确认" in summary.certificate("周小兰")


def test_confirming_is_all_or_nothing(as_user):
    site = home("马良镇团委")
    helper = volunteer("马良镇团委")
    fresh = record(site, helper, "2")
    done = record(site, helper, "4", confirm=True)
    staff = as_user("maliang_league_staff")
    result = mutate(staff, CONFIRM, {"ids": [gid("ServiceRecord", fresh.pk), gid("ServiceRecord", done.pk)]},
                    "confirmServiceHours")
    assert result["records"] == [] and codes(result) == ["ALREADY_CONFIRMED"]
    assert result["errors"][0]["field"] == "recordIds" and result["errors"][0]["message"] == "该服务时长已确认。"
    fresh.refresh_from_db()
    assert fresh.confirmed_at is None and fresh.confirmed_by == ""
    # one record the actor cannot see spoils the whole list too
    theirs = record(home("黄堡镇团委"), volunteer("黄堡镇团委"), "1")
    result = mutate(staff, CONFIRM, {"ids": [gid("ServiceRecord", fresh.pk), gid("ServiceRecord", theirs.pk)]},
                    "confirmServiceHours")
    assert codes(result) == ["NOT_FOUND"]
    assert not ServiceRecord.objects.filter(pk__in=[fresh.pk, theirs.pk], confirmed_at__isnull=False).exists()


def test_already_confirmed_is_a_typed_error_in_english_too(as_user):
    done = record(home("马良镇团委"), volunteer("马良镇团委"), "4", confirm=True)
    response = as_user("maliang_league_staff").post(CONFIRM, {"ids": [gid("ServiceRecord", done.pk)]},
                                                     HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["data"]["confirmServiceHours"]["errors"] == [
        {"field": "recordIds", "code": "ALREADY_CONFIRMED", "message": "These hours have already been confirmed."}]


def test_only_staff_with_confirm_hours_at_the_place_can_confirm(as_user):
    site = home("马良坪村团支部")
    pending = record(site, volunteer("马良坪村团支部"), "3")
    ids = {"ids": [gid("ServiceRecord", pending.pk)]}
    # a DATA_ENTRY clerk at 马良镇 sees the record (and may record hours) but may not confirm them
    viewer("maliang_clerk", "马良镇团委", "DATA_ENTRY")
    result = mutate(as_user("maliang_clerk"), CONFIRM, ids, "confirmServiceHours")
    assert result["records"] == [] and result["errors"] == [
        {"field": "recordIds", "code": "PERMISSION_DENIED", "message": "无权执行此操作。"}]
    with pytest.raises(ServiceError) as refused:
        services.confirm_hours(actor("maliang_clerk"), record_ids=[pending.pk])
    assert refused.value.code.name == "PERMISSION_DENIED"
    clerks = record(site, volunteer("马良坪村团支部"), "1.5", actor_=actor("maliang_clerk"))
    assert clerks.recorded_by == "maliang_clerk" and clerks.confirmed_at is None
    # the neighbour township's staff hold the permission, but not there: the record does not exist for them
    result = mutate(as_user("huangbao_league_staff"), CONFIRM, ids, "confirmServiceHours")
    assert codes(result) == ["NOT_FOUND"]
    pending.refresh_from_db()
    assert pending.confirmed_at is None
    # the township's staff (above the village branch) can
    assert mutate(as_user("maliang_league_staff"), CONFIRM, ids, "confirmServiceHours")["errors"] == []


def test_a_viewer_who_sees_the_record_cannot_confirm_it(as_user):
    pending = record(home("马良镇团委"), volunteer("马良镇团委"), "3")
    viewer("maliang_viewer")
    with pytest.raises(ServiceError) as refused:
        services.confirm_hours(actor("maliang_viewer"), record_ids=[pending.pk])
    assert refused.value.code.name == "PERMISSION_DENIED"


def test_recording_needs_the_volunteer_assigned_to_the_place(as_user):
    site = home("马良镇团委")
    stranger = volunteer("马良镇团委")
    staff = as_user("maliang_league_staff")
    variables = {"input": {"volunteerId": gid("Volunteer", stranger.pk), "happyHomeId": gid("HappyHome", site.pk),
                           "servedOn": str(days_ago(1)), "hours": "3"}}
    result = mutate(staff, RECORD, variables, "recordServiceHours")
    assert result["record"] is None and result["errors"] == [
        {"field": "volunteerId", "code": "NOT_FOUND", "message": "对象不存在或无权查看。"}]
    site.volunteers.add(stranger)
    result = mutate(staff, RECORD, variables, "recordServiceHours")
    assert result["errors"] == [] and result["record"]["confirmed"] is False
    assert Decimal(result["record"]["hours"]) == 3
    # at a service point the same rule holds
    spot = point(project(), "马良镇团委")
    variables["input"].pop("happyHomeId")
    variables["input"]["servicePointId"] = gid("ServicePoint", spot.pk)
    assert codes(mutate(staff, RECORD, variables, "recordServiceHours")) == ["NOT_FOUND"]
    # exactly one place
    both = {**variables["input"], "happyHomeId": gid("HappyHome", site.pk)}
    assert codes(mutate(staff, RECORD, {"input": both}, "recordServiceHours")) == ["ONE_PLACE"]


@pytest.mark.parametrize("hours, ok", [("0.4", False), ("0", False), ("-2", False), ("24.5", False), ("0.5", True),
                                       ("24", True), ("7.5", True)])
def test_hours_bounds(hours, ok):
    site = home("马良镇团委")
    helper = volunteer("马良镇团委")
    site.volunteers.add(helper)
    call = lambda: services.record_hours(SYSTEM, volunteer_id=helper.pk, happy_home_id=site.pk,  # noqa: E731
                                         served_on=days_ago(1), hours=hours)
    if ok:
        assert call().hours == Decimal(hours)
    else:
        with pytest.raises(ServiceError) as refused:
            call()
        assert refused.value.code.name == "INVALID_HOURS"
        assert not ServiceRecord.objects.filter(volunteer=helper).exists()


def test_hours_cannot_be_recorded_for_the_future_and_bad_hours_are_reported_in_english(as_user):
    site = home("马良镇团委")
    helper = volunteer("马良镇团委")
    site.volunteers.add(helper)
    response = as_user("maliang_league_staff").post(RECORD, {"input": {
        "volunteerId": gid("Volunteer", helper.pk), "happyHomeId": gid("HappyHome", site.pk),
        "servedOn": str(today().replace(year=today().year + 1)), "hours": "30"}}, HTTP_ACCEPT_LANGUAGE="en")
    errors = response.json()["data"]["recordServiceHours"]["errors"]
    assert errors == [{"field": "servedOn", "code": "FUTURE_DATE", "message": "The date cannot be in the future."},
                      {"field": "hours", "code": "INVALID_HOURS", "message": "Hours must be between 0.5 and 24."}]


def test_the_neighbour_cannot_record_hours_at_a_site(as_user):
    site = home("马良镇团委")
    helper = volunteer("马良镇团委")
    site.volunteers.add(helper)
    result = mutate(as_user("huangbao_league_staff"), RECORD, {"input": {
        "volunteerId": gid("Volunteer", helper.pk), "happyHomeId": gid("HappyHome", site.pk),
        "servedOn": str(days_ago(1)), "hours": "3"}}, "recordServiceHours")
    assert result["errors"] == [{"field": "happyHomeId", "code": "NOT_FOUND", "message": "对象不存在或无权查看。"}]
    assert not ServiceRecord.objects.filter(volunteer=helper).exists()
    assert org("黄堡镇团委")
