"""报送: the life cycle over GraphQL (pre-filled from the live rollup, withdraw, return, approve and the lock),
the chain up to the superior's superior, late and missing lists, reminders, who may do what, photos."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from cases.models import Case, CaseStatus, RiskLevel
from children.models import Child
from core import photos
from core.errors import ServiceError
from permissions.actor import Actor
from permissions.models import AuditEntry
from rollups import reports, services
from rollups.models import Report, ReportPhoto, ReportRequest
from tests.children.test_photos import jpeg_with_gps
from tests.programs.helpers import SYSTEM, actor, codes, gid, grant, mutate, new_user, org, pk_of

pytestmark = pytest.mark.django_db

COUNTY, MA, HUANG, CHENG = "共青团保康县委", "马良镇团委", "黄堡镇团委", "城关镇团委"
TODAY = timezone.localdate()

OPEN = """
mutation Open($input: OpenReportRequestInput!) {
  openReportRequest(input: $input) { request { id title addresseeNames } errors { field code message } }
}"""
SAVE = """
mutation Save($input: SaveReportInput!) {
  saveReport(input: $input) {
    report { id state editable narrative figures { metric value } rollup { children { total } } photos { url } }
    errors { field code message }
  }
}"""
ACTIONS = {name: f"""
mutation($input: ReportActionInput!) {{
  {name}(input: $input) {{ report {{ id state returnComment submittedBy reviewedBy }} errors {{ field code message }} }}
}}""" for name in ("submitReport", "withdrawReport", "approveReport", "returnReport")}
DIFFERENCES = "query($id: ID!) { report(id: $id) { differences { metric label reported live } } }"
REQUEST = """
query($id: ID!) {
  reportRequest(id: $id) {
    id title deadline organizationName
    status { organizationName state missing late reportId remindedAt }
  }
}"""
REPORT = "query($id: ID!) { report(id: $id) { id state organizationName request { title } } }"
REPORTS = """
query($filters: ReportFilter) {
  reports(filters: $filters, first: 100) { totalCount edges { node { id state organizationName figures { metric } photos { url } } } }
}"""
REQUESTS = "query { reportRequests(first: 100) { totalCount edges { node { id title } } } }"


def year_period() -> services.Period:
    return services.period("YEAR", year=TODAY.year)


def open_request(by=SYSTEM, at: str = COUNTY, to=(MA, HUANG), deadline: date | None = None, answers=None, title="年度统计"):
    return reports.open_request(by, organization_id=org(at).pk, title=title, deadline=deadline or TODAY + timedelta(days=10),
                                period_=year_period(), addressee_ids=[org(n).pk for n in to],
                                answers_id=answers.pk if answers else None)


def save(request, at: str, by=SYSTEM, **kwargs) -> Report:
    return reports.save_report(by, request_id=request.pk, organization_id=org(at).pk, **kwargs)


def move(report: Report, action: str, by=SYSTEM, comment: str = "", confirm: bool = False) -> Report:
    return reports.transition(by, report_id=report.pk, action=action, comment=comment, confirm=confirm)


def plain(values: dict) -> dict:
    return {k: Decimal(v) for k, v in values.items()}


def act(client, name: str, report_id: str, comment: str = "", confirm: bool = False) -> dict:
    return mutate(client, ACTIONS[name], {"input": {"id": report_id, "comment": comment, "confirm": confirm}}, name)


def save_input(request_id: str, at: str, **more) -> dict:
    return {"input": {"requestId": request_id, "organizationId": gid("Organization", org(at).pk), **more}}


# --- the life cycle over GraphQL ---------------------------------------------------------------------------


def test_the_life_cycle_from_request_to_locked_approval(as_user):
    services.refresh()
    county, ma = as_user("baokang_league_admin"), as_user("maliang_league_staff")

    # given the county's request to two townships for this year
    opened = mutate(county, OPEN, {"input": {
        "organizationId": gid("Organization", org(COUNTY).pk), "title": "2026 年度关爱统计", "instructions": "请如实填报",
        "deadline": str(TODAY + timedelta(days=10)), "period": {"kind": "YEAR", "year": TODAY.year},
        "addresseeIds": [gid("Organization", org(MA).pk), gid("Organization", org(HUANG).pk)]}}, "openReportRequest")
    assert opened["errors"] == [] and sorted(opened["request"]["addresseeNames"]) == sorted([MA, HUANG])
    request_id = opened["request"]["id"]

    # when 马良镇 starts its report, then its figures are the live rollup of its subtree for the year
    draft = mutate(ma, SAVE, save_input(request_id, MA), "saveReport")
    live = services.figures([org(MA).pk], year_period())[org(MA).pk]
    assert draft["errors"] == [] and draft["report"]["state"] == "DRAFT" and draft["report"]["editable"]
    assert {f["metric"]: Decimal(f["value"]) for f in draft["report"]["figures"]} == live
    assert live["children.total"] > 0 and draft["report"]["rollup"]["children"]["total"] == live["children.total"]
    report_id = draft["report"]["id"]

    # submit, withdraw before review, submit again
    assert act(ma, "submitReport", report_id)["report"]["state"] == "SUBMITTED"
    assert act(ma, "withdrawReport", report_id)["report"]["state"] == "DRAFT"
    assert act(ma, "submitReport", report_id)["report"]["submittedBy"] == "马良镇团委干部"  # the display name, not the username

    # the county returns it, with a comment only
    assert codes(act(county, "returnReport", report_id)) == ["COMMENT_REQUIRED"]
    returned = act(county, "returnReport", report_id, "活动次数漏报")
    assert returned["report"]["state"] == "RETURNED" and returned["report"]["returnComment"] == "活动次数漏报"
    assert codes(act(ma, "withdrawReport", report_id)) == ["ILLEGAL_TRANSITION"]

    # 马良镇 edits the returned report and resubmits; the county approves
    edited = mutate(ma, SAVE, save_input(request_id, MA, narrative="补报活动 2 次",
                                         figures=[{"metric": "activities.held", "value": "2"}]), "saveReport")
    assert edited["errors"] == [] and edited["report"]["narrative"] == "补报活动 2 次"
    assert {f["metric"]: f["value"] for f in edited["report"]["figures"]}["activities.held"] == "2"
    act(ma, "submitReport", report_id)
    held = services.live(org(MA), year_period()).get("activities.held", 0)
    refused = act(county, "approveReport", report_id)  # 2 activities reported, not what the records say
    assert codes(refused) == ["FIGURES_CHANGED"] and f"开展活动 报送 2、当前 {held}" in refused["errors"][0]["message"]
    assert county(DIFFERENCES, {"id": report_id})["report"]["differences"] == [
        {"metric": "activities.held", "label": "开展活动", "reported": "2", "live": str(held)}]
    approved = act(county, "approveReport", report_id, confirm=True)
    assert approved["report"]["state"] == "APPROVED" and approved["report"]["reviewedBy"] == "保康团县委管理员"
    entry = AuditEntry.objects.get(target_id=str(pk_of(report_id)), action="report.approve")
    assert entry.changes["confirmedDifferences"] == {"activities.held": ["2", str(held)]}

    # then nothing can change it any more
    assert codes(mutate(ma, SAVE, save_input(request_id, MA, narrative="改"), "saveReport")) == ["LOCKED"]
    for client, name in ((ma, "submitReport"), (ma, "withdrawReport"), (county, "returnReport"), (county, "approveReport")):
        assert codes(act(client, name, report_id, "再改")) == ["LOCKED"]
    assert Report.objects.get(pk=pk_of(report_id)).narrative == "补报活动 2 次"
    assert AuditEntry.objects.filter(target_id=str(pk_of(report_id)), action__startswith="report.").count() == 8

    # the county sees who has reported; 马良镇 is no superior and gets no status
    status = county(REQUEST, {"id": request_id})["reportRequest"]["status"]
    assert {r["organizationName"]: (r["state"], r["missing"], r["late"], r["reportId"]) for r in status} == {
        HUANG: (None, True, False, None), MA: ("APPROVED", False, False, report_id)}
    assert ma(REQUEST, {"id": request_id})["reportRequest"]["status"] is None


def test_a_draft_counts_the_records_live_and_approval_names_what_changed_since(as_user):
    """Issue 17: a township's draft said 3 children while 6 were registered, from 15-minute-old figures."""
    services.refresh()
    request = open_request(to=(MA,))
    township = org(MA)
    registered = Child.objects.filter(status="ACTIVE", org_path__startswith=township.path).count()
    for n in range(3):  # registered after the last fold: the folded figures do not have them yet
        Child.objects.create(organization=township, org_path=township.path, name="新登记", sex="FEMALE",
                             birth_date="2016-05-01", id_number="x", id_index=f"live-{n}", categories=["LEFT_BEHIND"],
                             guardian_arrangement="GRANDPARENTS")
    assert services.figures([township.pk], year_period())[township.pk]["children.total"] == registered
    report = save(request, MA)
    assert plain(report.figures)["children.total"] == registered + 3
    move(report, "submit")
    Child.objects.filter(id_index="live-0").update(status="MOVED_OUT")  # one moves away before the review
    county = as_user("baokang_league_admin")
    report_id = gid("Report", report.pk)
    refused = act(county, "approveReport", report_id)
    assert codes(refused) == ["FIGURES_CHANGED"]
    assert f"在册儿童 报送 {registered + 3}、当前 {registered + 2}" in refused["errors"][0]["message"]
    differences = county(DIFFERENCES, {"id": report_id})["report"]["differences"]
    assert {d["metric"]: (d["reported"], d["live"]) for d in differences} == {
        m: (str(registered_in(m) + 3), str(registered_in(m) + 2))
        for m in ("children.total", "children.category.LEFT_BEHIND", "children.arrangement.GRANDPARENTS")}
    assert Report.objects.get(pk=report.pk).state == "SUBMITTED"
    assert act(county, "approveReport", report_id, confirm=True)["report"]["state"] == "APPROVED"


def registered_in(metric: str) -> int:
    rows = Child.objects.filter(status="ACTIVE", org_path__startswith=org(MA).path).exclude(id_index__startswith="live-")
    if metric == "children.category.LEFT_BEHIND":
        return sum(1 for c in rows if "LEFT_BEHIND" in c.categories)
    if metric == "children.arrangement.GRANDPARENTS":
        return rows.filter(guardian_arrangement="GRANDPARENTS").count()
    return rows.count()


def test_opening_a_request_checks_its_addressees_deadline_and_answer(as_user):
    county = as_user("baokang_league_admin")

    def opened(**more):
        values = {"organizationId": gid("Organization", org(COUNTY).pk), "title": "季度统计",
                  "deadline": str(TODAY + timedelta(days=5)), "period": {"kind": "QUARTER", "year": TODAY.year, "number": 4}}
        return mutate(county, OPEN, {"input": {**values, **more}}, "openReportRequest")

    assert codes(opened(addresseeIds=[gid("Organization", org("马良坪村团支部").pk)])) == ["NOT_DIRECT_CHILD"]
    assert codes(opened(deadline=str(TODAY - timedelta(days=1)), title=" ")) == ["TITLE_REQUIRED", "DEADLINE_PASSED"]
    assert codes(opened(period={"kind": "QUARTER", "year": TODAY.year, "number": 5})) == ["PERIOD_INVALID"]
    own = open_request()
    assert codes(opened(answersId=gid("ReportRequest", own.pk))) == ["ANSWERS_ELSEWHERE"]
    everyone = opened()
    assert everyone["errors"] == [] and len(everyone["request"]["addresseeNames"]) == org(COUNTY).children.exclude(system="UNIT").count() == 7
    # a township cannot open a request at the county, and a village has nobody to ask
    assert codes(mutate(as_user("maliang_league_staff"), OPEN, {"input": {
        "organizationId": gid("Organization", org(COUNTY).pk), "title": "x", "deadline": str(TODAY),
        "period": {"kind": "YEAR", "year": TODAY.year}}}, "openReportRequest")) == ["NOT_FOUND"]
    with pytest.raises(ServiceError) as nobody:
        open_request(at="马良坪村团支部", to=())
    assert nobody.value.code.name == "NO_ADDRESSEES"


# --- the chain: approved township reports feed the county's report to the city ---------------------------


def test_a_countys_report_sums_its_approved_township_reports(as_user):
    city_staff = new_user("xiangyang_league_staff")
    grant("xiangyang_league_staff", org("共青团襄阳市委"), "STAFF")
    county = actor("baokang_league_admin")
    city_request = open_request(Actor.for_user(city_staff), at="共青团襄阳市委", to=(COUNTY,), title="全市年度统计")
    county_request = open_request(county, to=(MA, HUANG, CHENG), answers=city_request)

    # townships report their own figures; only 马良镇's and 城关镇's are approved
    for at, held, wishes in ((MA, "2", "3"), (HUANG, "5", "7"), (CHENG, "1", "0.5")):
        report = save(county_request, at, figures=[("activities.held", held), ("wishes.collected", wishes)])
        move(report, "submit")
    for at in (MA, CHENG):
        move(Report.objects.get(request=county_request, organization=org(at)), "approve", county, confirm=True)

    # the county's report on the city's request pre-fills the sum of the approved ones
    mine = save(city_request, COUNTY, by=county)
    approved = [plain(r.figures) for r in Report.objects.filter(request=county_request, state="APPROVED")]
    assert len(approved) == 2
    assert plain(mine.figures) == {k: sum(a.get(k, Decimal(0)) for a in approved) for k in set().union(*approved)}
    assert plain(mine.figures)["activities.held"] == 3 and plain(mine.figures)["wishes.collected"] == Decimal("3.5")

    # 黄堡镇 approved later: refilling the county's draft counts it too
    move(Report.objects.get(request=county_request, organization=org(HUANG)), "approve", county, confirm=True)
    refilled = save(city_request, COUNTY, by=county, refill=True)
    assert plain(refilled.figures)["activities.held"] == 8
    # and the city approves the county's report
    move(refilled, "submit", county)
    assert move(refilled, "approve", Actor.for_user(city_staff), confirm=True).state == "APPROVED"

    # the county sees which of the city's requests its own feeds; a township does not see the city's request
    answers = "query($id: ID!) { reportRequest(id: $id) { answers { title } } }"
    county_id = {"id": gid("ReportRequest", county_request.pk)}
    assert as_user("baokang_league_admin")(answers, county_id)["reportRequest"]["answers"] == {"title": city_request.title}
    assert as_user("maliang_league_staff")(answers, county_id)["reportRequest"]["answers"] is None


# --- late, missing and reminders ---------------------------------------------------------------------------


def test_late_and_missing_lists_for_a_fixed_day():
    deadline = TODAY + timedelta(days=5)
    request = open_request(to=(MA, HUANG, CHENG, "龙坪镇团委"), deadline=deadline)
    move(save(request, MA), "submit")
    save(request, HUANG)
    returned = save(request, "龙坪镇团委")
    move(move(returned, "submit"), "return", comment="请补充照片")
    county = actor("baokang_league_admin")

    def rows(today):
        return {r.organization.name: (r.state, r.missing, r.late) for r in reports.status(county, request_id=request.pk, today=today)}

    assert rows(deadline) == {MA: ("SUBMITTED", False, False), HUANG: ("DRAFT", False, False),
                              CHENG: (None, True, False), "龙坪镇团委": ("RETURNED", False, False)}
    assert rows(deadline + timedelta(days=1)) == {MA: ("SUBMITTED", False, False), HUANG: ("DRAFT", False, True),
                                                  CHENG: (None, True, True), "龙坪镇团委": ("RETURNED", False, True)}
    # only the superior sees the status
    with pytest.raises(ServiceError) as refused:
        reports.status(actor("maliang_league_staff"), request_id=request.pk)
    assert refused.value.code.name == "PERMISSION_DENIED"


STATUS = """query($id: ID!) { reportRequest(id: $id) {
  status { organizationId organizationName state reportId missing late submittedAt remindedAt } } }"""


def test_the_superior_reads_the_status_rows_the_export_reads_without_the_reports_figures(as_user):
    deadline = TODAY + timedelta(days=5)
    request = open_request(to=(MA, HUANG, CHENG), deadline=deadline)
    move(save(request, MA), "submit")
    save(request, HUANG)
    assert reports.remind_due(today=deadline - timedelta(days=reports.REMIND_DAYS)) == 2  # 黄堡镇, 城关镇
    ReportRequest.objects.filter(pk=request.pk).update(deadline=TODAY - timedelta(days=1))  # now past it
    county, request_id = as_user("baokang_league_admin"), {"id": gid("ReportRequest", request.pk)}

    with CaptureQueriesContext(connection) as captured:
        shown = county(STATUS, request_id)["reportRequest"]["status"]

    exported = reports.status(actor("baokang_league_admin"), request_id=request.pk)
    assert [(r["organizationId"], r["organizationName"], r["state"], r["reportId"], r["missing"], r["late"],
             r["submittedAt"] is not None, r["remindedAt"] is not None) for r in shown] == [
        (gid("Organization", row.organization.pk), row.organization.name, row.state,
         gid("Report", row.report.pk) if row.report else None, row.missing, row.late,
         row.report is not None and row.report.submitted_at is not None, row.reminded_at is not None)
        for row in exported]
    assert {r["organizationName"]: r["late"] for r in shown} == {
        MA: False, HUANG: True, CHENG: True}
    assert not [q for q in captured if '"figures"' in q["sql"]]
    assert as_user("maliang_league_staff")(STATUS, request_id)["reportRequest"]["status"] is None  # not its superior


def test_reminders_go_once_to_those_not_yet_submitted_before_the_deadline():
    deadline = TODAY + timedelta(days=10)
    request = open_request(to=(MA, HUANG, CHENG), deadline=deadline)
    move(save(request, MA), "submit")
    save(request, HUANG)

    assert reports.remind_due(today=deadline - timedelta(days=reports.REMIND_DAYS + 1)) == 0  # too early
    assert reports.remind_due(today=deadline - timedelta(days=reports.REMIND_DAYS)) == 2  # 黄堡镇 (draft), 城关镇 (missing)
    assert reports.remind_due(today=deadline - timedelta(days=1)) == 0  # once
    assert reports.remind_due(today=deadline + timedelta(days=1)) == 0
    reminded = {r.organization.name: r.reminded_at is not None for r in request.recipients.all()}
    assert reminded == {MA: False, HUANG: True, CHENG: True}
    assert set(AuditEntry.objects.filter(action="report.remind").values_list("organization__name", flat=True)) == {HUANG, CHENG}
    assert not Report.objects.filter(request=request, organization=org(CHENG)).exists()  # still missing


# --- who may do what ---------------------------------------------------------------------------------------


def test_neighbours_subordinates_and_bodies_not_addressed_are_kept_out(as_user):
    request = open_request(to=(MA, HUANG))
    only_ma = open_request(to=(MA,), title="马良镇专项")
    ma_report = move(save(request, MA), "submit")
    ma, huang, county = as_user("maliang_league_staff"), as_user("huangbao_league_staff"), as_user("baokang_league_admin")
    report_id = gid("Report", ma_report.pk)

    # a township neither reads nor touches another township's report
    assert huang(REPORT, {"id": report_id})["report"] is None
    assert huang(REPORTS, {"filters": {"request": gid("ReportRequest", request.pk)}})["reports"]["totalCount"] == 0
    assert codes(act(huang, "withdrawReport", report_id)) == ["NOT_FOUND"]
    assert codes(mutate(huang, SAVE, save_input(gid("ReportRequest", request.pk), MA), "saveReport")) == ["NOT_FOUND"]
    assert ma(REPORT, {"id": report_id})["report"]["request"]["title"] == "年度统计"

    # a subordinate cannot approve or return its own report
    assert codes(act(ma, "approveReport", report_id)) == ["PERMISSION_DENIED"]
    assert codes(act(ma, "returnReport", report_id, "x")) == ["PERMISSION_DENIED"]

    # a body not addressed neither sees the request nor reports on it
    assert gid("ReportRequest", only_ma.pk) not in {e["node"]["id"] for e in huang(REQUESTS)["reportRequests"]["edges"]}
    assert codes(mutate(huang, SAVE, save_input(gid("ReportRequest", only_ma.pk), HUANG), "saveReport")) == ["NOT_FOUND"]
    assert codes(mutate(county, SAVE, save_input(gid("ReportRequest", only_ma.pk), CHENG), "saveReport")) == ["NOT_ADDRESSED"]

    # the county sees its townships' reports, bad figures are typed errors
    assert county(REPORT, {"id": report_id})["report"]["organizationName"] == MA
    draft = save(request, HUANG)
    bad = mutate(huang, SAVE, save_input(gid("ReportRequest", request.pk), HUANG,
                                         figures=[{"metric": "activities.held", "value": "-1"}]), "saveReport")
    assert codes(bad) == ["FIGURE_INVALID"] and Report.objects.get(pk=draft.pk).figures == draft.figures


REQUEST_PAGE = """
query { reportRequests(first: 100) { totalCount edges { node { id addresseeNames campaignTitle answers { id }
  status { organizationName state missing late } } } } }"""


def queries_for_pages(client) -> tuple[int, int, int]:
    with CaptureQueriesContext(connection) as captured:
        data = client(REPORTS, {"filters": {}})["reports"]
        requests = client(REQUEST_PAGE)["reportRequests"]
    assert all(len(e["node"]["status"]) == len(e["node"]["addresseeNames"]) for e in requests["edges"])
    return len(captured), data["totalCount"], requests["totalCount"]


def test_pages_of_requests_and_reports_cost_the_same_queries_however_many(as_user):
    county = as_user("baokang_league_admin")
    save(open_request(to=(MA,)), MA)
    queries_for_pages(county)  # warm: the session's user and the cached scope
    few, *counts_few = queries_for_pages(county)
    for title in ("二", "三", "四"):
        request = open_request(to=(MA, HUANG, CHENG), title=title)
        for at in (MA, HUANG, CHENG):
            save(request, at)
    many, *counts_many = queries_for_pages(county)
    assert (counts_few, counts_many) == ([1, 1], [10, 4]) and many == few


# --- photos ------------------------------------------------------------------------------------------------


def test_report_photos_are_stripped_and_served_only_by_an_expiring_link(as_user, monkeypatch):
    request = open_request(to=(MA, HUANG))
    ma = as_user("maliang_league_staff")
    files = {"input.photos.0": SimpleUploadedFile("scene.jpg", jpeg_with_gps(), "image/jpeg")}
    payload = ma.upload(SAVE, files, save_input(gid("ReportRequest", request.pk), MA, photos=[None])).json()
    result = payload["data"]["saveReport"]
    assert result["errors"] == [] and len(result["report"]["photos"]) == 1

    stored = ReportPhoto.objects.get(report_id=pk_of(result["report"]["id"]))
    data = (photos.directory(reports.PHOTOS) / stored.file_name).read_bytes()
    image = Image.open(BytesIO(data))
    assert not image.getexif() and "comment" not in image.info and b"PhoneMaker" not in data

    url = result["report"]["photos"][0]["url"]
    assert url.startswith("/files/report-photos/") and ma.client.get(url).status_code == 200
    assert Client().get(url).status_code == 404
    assert as_user("huangbao_league_staff").client.get(url).status_code == 404  # a link is bound to its actor
    own_link = photos.url(reports.PHOTOS, stored.pk, actor("huangbao_league_staff"))
    assert as_user("huangbao_league_staff").client.get(own_link).status_code == 404  # and the view checks the scope
    county_link = photos.url(reports.PHOTOS, stored.pk, actor("baokang_league_admin"))
    assert as_user("baokang_league_admin").client.get(county_link).status_code == 200
    monkeypatch.setattr(photos, "LINK_SECONDS", -1)
    assert ma.client.get(url).status_code == 404  # expired

    bad = ma.upload(SAVE, {"input.photos.0": SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")},
                    save_input(gid("ReportRequest", request.pk), MA, photos=[None])).json()["data"]["saveReport"]
    assert codes(bad) == ["PHOTO_TYPE"] and ReportPhoto.objects.count() == 1


def test_a_report_carries_case_work_figures_to_those_who_may_read_the_cases(as_user):
    """Case-work counts travel in a report's figures and its rollup for readers with cases.view_case at the reporting
    body (every role that reads reports has it today; the rollup query's test shows a reader without it)."""
    child = Child.objects.filter(organization=org(MA)).order_by("pk").first()
    Case.objects.create(child=child, opened_by="t", risk_level=RiskLevel.HIGH, status=CaseStatus.OPEN)
    report = save(open_request(), MA)
    high = int(Decimal(report.figures["cases.high_risk"]))
    assert high >= 1
    query = "query($id: ID!) { report(id: $id) { figures { metric value } rollup { cases { highRisk } } } }"
    seen = as_user("baokang_league_admin")(query, {"id": gid("Report", report.pk)})["report"]
    assert {f["metric"]: Decimal(f["value"]) for f in seen["figures"]}["cases.high_risk"] == high
    assert seen["rollup"]["cases"]["highRisk"] == high
