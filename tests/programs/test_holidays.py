"""七彩假期: service points inside the organizer's subtree and the project's dates; figures that sum the points,
count confirmed hours only and a volunteer serving two points once; each host sees only its own point."""

from datetime import timedelta
from decimal import Decimal

import pytest

from core.errors import ServiceError
from programs import holidays as services
from programs.models import ServicePoint
from tests.programs.helpers import (
    SYSTEM, codes, days_ago, gid, mutate, org, point, project, record, volunteer,
)

pytestmark = pytest.mark.django_db

PROJECT = """
query Project($id: ID!) {
  holidayProject(id: $id) {
    name
    figures { servicePoints childrenServed volunteers serviceHours moneyRaised goodsValue }
    servicePoints { name figures { servicePoints childrenServed volunteers serviceHours moneyRaised goodsValue } }
  }
}"""
POINT = """
mutation Point($input: ServicePointInput!) {
  createServicePoint(input: $input) { servicePoint { id name } errors { field code message } }
}"""
REPORT = """
mutation Report($input: ReportServicePointInput!) {
  reportServicePoint(input: $input) { servicePoint { childrenServed moneyRaised volunteers { name } } errors { field code message } }
}"""


def numbers(figures: dict) -> dict:
    return {k: Decimal(str(v)) for k, v in figures.items()}


def two_points():
    """A county project with a point hosted by 马良镇 and one by 黄堡镇; a student serving both."""
    summer = project("共青团保康县委")
    maliang, huangbao = point(summer, "马良镇团委"), point(summer, "黄堡镇团委")
    student = volunteer("共青团保康县委", name="陈同学")
    local = volunteer("马良镇团委", name="马良本地志愿者")
    services.report_point(SYSTEM, point_id=maliang.pk, children_served=56, money_raised="3000.50", goods_value="1200",
                          add_volunteer_ids=[student.pk, local.pk])
    services.report_point(SYSTEM, point_id=huangbao.pk, children_served=30, money_raised="800", goods_value="0",
                          add_volunteer_ids=[student.pk])
    record(maliang, student, "6", confirm=True)
    record(maliang, local, "2.5", confirm=True)
    record(maliang, local, "4")  # not confirmed: not counted
    record(huangbao, student, "5", confirm=True)
    record(huangbao, student, "8")  # not confirmed
    return summer, maliang, huangbao


def test_project_figures_sum_the_points_and_count_each_volunteer_once(as_user):
    summer, maliang, huangbao = two_points()
    shown = as_user("baokang_league_admin")(PROJECT, {"id": gid("HolidayProject", summer.pk)})["holidayProject"]
    assert numbers(shown["figures"]) == {"servicePoints": 2, "childrenServed": 86, "volunteers": 2,
                                         "serviceHours": Decimal("13.5"), "moneyRaised": Decimal("3800.50"),
                                         "goodsValue": Decimal("1200")}
    per_point = {p["name"]: numbers(p["figures"]) for p in shown["servicePoints"]}
    assert per_point[maliang.name] == {"servicePoints": 1, "childrenServed": 56, "volunteers": 2,
                                       "serviceHours": Decimal("8.5"), "moneyRaised": Decimal("3000.50"),
                                       "goodsValue": Decimal("1200")}
    assert per_point[huangbao.name]["serviceHours"] == 5 and per_point[huangbao.name]["volunteers"] == 1


def test_each_township_host_sees_only_its_own_point(as_user):
    summer, maliang, huangbao = two_points()
    # the host township does not see the county's project by ID, but sees its point and the point's figures
    ma = as_user("maliang_league_staff")
    assert ma(PROJECT, {"id": gid("HolidayProject", summer.pk)})["holidayProject"] is None
    points = ma("""query { servicePoints(first: 50) { edges { node { id name project { id }
                   figures { childrenServed serviceHours volunteers } } } } }""")["servicePoints"]["edges"]
    mine = {e["node"]["name"]: e["node"] for e in points}
    assert maliang.name in mine and huangbao.name not in mine
    assert mine[maliang.name]["project"] is None
    assert numbers(mine[maliang.name]["figures"]) == {"childrenServed": 56, "serviceHours": Decimal("8.5"), "volunteers": 2}
    # the service's project figures for a host cover its own point only
    from tests.programs.helpers import actor

    own = services.project_figures(actor("huangbao_league_staff"), summer)
    assert (own.service_points, own.children_served, own.volunteers, own.service_hours) == (1, 30, 1, Decimal("5"))


def test_a_point_hosted_outside_the_organizers_subtree_is_refused(as_user):
    township = project("马良镇团委")
    staff = as_user("maliang_league_staff")
    values = {"projectId": gid("HolidayProject", township.pk), "name": "服务点", "kind": "SCHOOL",
              "startsOn": str(township.starts_on), "endsOn": str(township.ends_on)}
    # the county's admin sees both townships, but 黄堡镇 is not under the project's organizer
    admin = as_user("baokang_league_admin")
    for outside in ("黄堡镇团委", "共青团保康县委"):
        result = mutate(admin, POINT, {"input": {**values, "organizationId": gid("Organization", org(outside).pk)}},
                        "createServicePoint")
        assert result["servicePoint"] is None and result["errors"] == [{
            "field": "organizationId", "code": "NOT_IN_SUBTREE", "message": "该组织不在“马良镇团委”的下级范围内。"}]
    with pytest.raises(ServiceError) as refused:  # the platform itself cannot either
        point(township, "黄堡镇团委")
    assert refused.value.code.name == "NOT_IN_SUBTREE"
    # for 马良镇's own staff the neighbour township (and the county) are simply not found
    result = mutate(staff, POINT, {"input": {**values, "organizationId": gid("Organization", org("黄堡镇团委").pk)}},
                    "createServicePoint")
    assert codes(result) == ["NOT_FOUND"]
    ok = mutate(staff, POINT, {"input": {**values, "organizationId": gid("Organization", org("三岔村团支部").pk)}},
                "createServicePoint")
    assert ok["errors"] == [] and ServicePoint.objects.get(name="服务点").organization.name == "三岔村团支部"


def test_point_dates_must_fall_within_the_project(as_user):
    summer = project("共青团保康县委", starts_on=days_ago(60), ends_on=days_ago(10))
    admin = as_user("baokang_league_admin")
    values = {"projectId": gid("HolidayProject", summer.pk), "organizationId": gid("Organization", org("马良镇团委").pk),
              "name": "早开的服务点", "kind": "VILLAGE"}
    early = mutate(admin, POINT, {"input": {**values, "startsOn": str(days_ago(61)), "endsOn": str(days_ago(20))}},
                   "createServicePoint")
    assert early["errors"] == [{"field": "startsOn", "code": "OUTSIDE_PROJECT",
                                "message": f"服务点日期须在项目的 {days_ago(60)} 至 {days_ago(10)} 之间。"}]
    late = admin.post(POINT, {"input": {**values, "startsOn": str(days_ago(30)), "endsOn": str(days_ago(9))}},
                      HTTP_ACCEPT_LANGUAGE="en").json()["data"]["createServicePoint"]
    assert late["errors"] == [{"field": "startsOn", "code": "OUTSIDE_PROJECT", "message":
                               f"A service point's dates must fall within the project's {days_ago(60)} to {days_ago(10)}."}]
    reversed_ = mutate(admin, POINT, {"input": {**values, "startsOn": str(days_ago(20)), "endsOn": str(days_ago(30))}},
                       "createServicePoint")
    assert codes(reversed_) == ["DATES_REVERSED"]
    assert not ServicePoint.objects.filter(project=summer).exists()
    inside = mutate(admin, POINT, {"input": {**values, "startsOn": str(days_ago(60)), "endsOn": str(days_ago(10))}},
                    "createServicePoint")
    assert inside["errors"] == []


def test_reporting_a_point_checks_amounts_and_keeps_what_is_not_given(as_user):
    summer = project("共青团保康县委")
    spot = point(summer, "马良镇团委")
    staff = as_user("maliang_league_staff")
    ok = mutate(staff, REPORT, {"input": {"id": gid("ServicePoint", spot.pk), "childrenServed": 40, "moneyRaised": "500"}},
                "reportServicePoint")
    assert ok["errors"] == [] and ok["servicePoint"]["childrenServed"] == 40
    bad = mutate(staff, REPORT, {"input": {"id": gid("ServicePoint", spot.pk), "childrenServed": -1, "moneyRaised": "-5"}},
                 "reportServicePoint")
    assert codes(bad) == ["INVALID_AMOUNT", "INVALID_AMOUNT"]
    assert [e["field"] for e in bad["errors"]] == ["childrenServed", "moneyRaised"]
    spot.refresh_from_db()
    assert (spot.children_served, spot.money_raised) == (40, Decimal("500"))
    neighbour = mutate(as_user("huangbao_league_staff"), REPORT, {"input": {"id": gid("ServicePoint", spot.pk),
                                                                            "childrenServed": 1}}, "reportServicePoint")
    assert codes(neighbour) == ["NOT_FOUND"]


def test_project_dates_reversed_is_refused():
    with pytest.raises(ServiceError) as refused:
        project("共青团保康县委", starts_on=days_ago(10), ends_on=days_ago(10) - timedelta(days=1))
    assert refused.value.code.name == "DATES_REVERSED"
