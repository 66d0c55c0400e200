"""Ledgers (台账) to Excel as jobs: scoped to the subtree and the actor, personal data masked per permission."""

import pytest
from django.contrib.auth import get_user_model

from permissions import services as access_services
from permissions.models import AuditEntry
from tests.jobs.helpers import download, ledger_rows
from tests.permissions.helpers import SYSTEM, gid, org

pytestmark = pytest.mark.django_db

EXPORT = """mutation($input: ExportLedgerInput!) {
  exportLedger(input: $input) { job { id kind state message resultUrl } errors { field code message } }
}"""


@pytest.fixture(autouse=True)
def eager_jobs(settings):
    settings.JOBS_EAGER = True


def export(client, ledger: str, organization: str):
    return client(EXPORT, {"input": {"ledger": ledger, "organizationId": gid("Organization", org(organization).pk)}})["exportLedger"]


def rows(client, ledger: str, organization: str) -> list[tuple]:
    payload = export(client, ledger, organization)
    assert payload["errors"] == [] and payload["job"]["state"] == "SUCCEEDED", payload
    assert payload["job"]["kind"] == "LEDGER_EXPORT"
    return ledger_rows(client.client, payload["job"]["resultUrl"])


@pytest.fixture
def maliang_viewer(as_user):
    get_user_model().objects.create_user("maliang_ledger_viewer", password="x")
    access_services.grant_role(SYSTEM, organization_id=org("马良镇团委").pk, role="VIEWER", username="maliang_ledger_viewer")
    return as_user("maliang_ledger_viewer")


def test_wish_ledger_is_the_subtree_with_children_clear_for_staff_and_masked_for_a_viewer(as_user, maliang_viewer):
    staff = rows(as_user("maliang_league_staff"), "WISHES", "马良镇团委")
    assert staff[0][:3] == ("组织", "心愿", "类别")
    from wishes.models import Wish

    subtree = Wish.objects.filter(org_path__startswith=org("马良镇团委").path)
    assert sorted(r[1] for r in staff[1:]) == sorted(subtree.values_list("title", flat=True)) and len(staff) > 5
    assert {r[6] for r in staff[1:]} == {"张小明", "李芳", "赵婷婷"}
    masked = rows(maliang_viewer, "WISHES", "马良镇团委")
    assert {r[6] for r in masked[1:]} == {"张*明", "李*", "赵*婷"}
    entry = AuditEntry.objects.filter(action="ledger.export").latest("id")
    assert (entry.actor_label, entry.changes) == ("maliang_ledger_viewer", {"ledger": "WISHES", "rows": subtree.count()})


def test_volunteer_ledger_masks_phones_without_change_program(as_user, maliang_viewer):
    staff = rows(as_user("maliang_league_staff"), "VOLUNTEERS", "马良镇团委")
    assert {r[1]: r[2] for r in staff[1:]} == {"刘德明": "13797654321", "王春梅": "13607101122"}
    viewer = rows(maliang_viewer, "VOLUNTEERS", "马良镇团委")
    assert {r[1]: r[2] for r in viewer[1:]} == {"刘德明": "137****4321", "王春梅": "136****1122"}


def test_site_and_activity_ledgers(as_user):
    county = as_user("baokang_league_admin")
    homes = rows(county, "HAPPY_HOMES", "共青团保康县委")
    assert [(r[1], r[5], r[6]) for r in homes[1:]] == [("马良坪村快乐家园", 2, 1)]
    assert "社工" in homes[1][8] and "节假日" in homes[1][8]  # why it falls short
    activities = rows(county, "ACTIVITIES", "共青团保康县委")
    assert [(r[2], r[5], r[6], r[7]) for r in activities[1:]] == [("冬季走访慰问", "", 2, 1)]


def test_a_ledger_is_in_government_format_with_typed_cells_and_a_total(as_user):
    """Title, 填报单位, 导出时间 in Beijing time, 序号, numbers and dates typed (SUM works), 合计, frozen header."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    client = as_user("maliang_league_staff")
    payload = export(client, "WISHES", "马良镇团委")
    sheet = download(client.client, payload["job"]["resultUrl"]).worksheets[0]
    assert sheet.cell(1, 1).value == "马良镇团委微心愿台账" and "A1:K1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet.cell(2, 1).value == "填报单位：马良镇团委"
    stamp = next(v for v in (c.value for c in sheet[2]) if v and str(v).startswith("导出时间："))
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    assert stamp.startswith(f"导出时间：{now:%Y-%m-%d} ") and stamp.endswith("（北京时间）")
    assert [c.value for c in sheet[3]][:5] == ["序号", "组织", "心愿", "类别", "估价（元）"]
    assert sheet.freeze_panes == "A4"
    body = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    count = len(body) - 1
    assert [r[0] for r in body[:-1]] == list(range(1, count + 1))
    assert all(isinstance(r[4], (int, float)) and isinstance(r[9], datetime) for r in body[:-1])
    total = body[-1]
    assert total[0] == "合计" and total[4] == f"=SUM(E4:E{3 + count})" and total[5] == f"=SUM(F4:F{3 + count})"
    assert sheet.column_dimensions["C"].width > 20
    assert payload["job"]["message"] == f"导出微心愿台账 {count} 条"  # one language: the request's (Chinese by default)


def test_neighbours_and_other_systems_cannot_export(as_user):
    huangbao = as_user("huangbao_league_staff")
    assert export(huangbao, "WISHES", "马良镇团委")["errors"][0]["code"] == "NOT_FOUND"
    own = rows(huangbao, "WISHES", "黄堡镇团委")[1:]
    assert {r[0] for r in own} == {"黄堡村团支部"}
    assert [r[:8] for r in own if r[1] == "一个新书包"] == [("黄堡村团支部", "一个新书包", "学习用品", 80, 0, "已公示", "王磊", "")]
    assert export(as_user("xiangyang_league_viewer"), "WISHES", "共青团襄阳市委")["errors"][0]["code"] == "PERMISSION_DENIED"
    link = export(as_user("maliang_league_staff"), "WISHES", "马良镇团委")["job"]["resultUrl"]
    assert huangbao.client.get(link).status_code == 404


REPORT_EXPORT = """mutation($input: ExportReportInput!) {
  exportReport(input: $input) { job { id kind state message resultUrl } errors { field code message } }
}"""


def test_a_report_request_exports_each_addressees_state_and_figures(as_user):
    from datetime import timedelta

    from django.utils import timezone

    from rollups import reports, services as rollups

    rollups.refresh()
    county = org("共青团保康县委")
    request = reports.open_request(SYSTEM, organization_id=county.pk, title="2026年第四季度统计",
                                   deadline=timezone.localdate() + timedelta(days=10),
                                   period_=rollups.period("QUARTER", year=2026, number=4))
    report = reports.save_report(SYSTEM, request_id=request.pk, organization_id=org("马良镇团委").pk, narrative="开展走访")
    reports.transition(SYSTEM, report_id=report.pk, action="submit")

    admin = as_user("baokang_league_admin")
    payload = admin(REPORT_EXPORT, {"input": {"requestId": gid("ReportRequest", request.pk)}})["exportReport"]
    assert payload["errors"] == [] and payload["job"]["kind"] == "REPORT_EXPORT" and payload["job"]["state"] == "SUCCEEDED"
    sheet = ledger_rows(admin.client, payload["job"]["resultUrl"])
    assert sheet[0][:3] == ("报送单位", "状态", "逾期") and sheet[0][-1] == "文字材料"
    by_body = {row[0]: row for row in sheet[1:]}
    assert set(by_body) == set(request.recipients.values_list("organization__name", flat=True))
    maliang = by_body["马良镇团委"]
    assert maliang[1] == "已报送" and maliang[5] == int(report.figures["children.total"]) and maliang[-1] == "开展走访"
    assert by_body["黄堡镇团委"][1] == "未报"
    township = as_user("maliang_league_staff")  # an addressee, not the superior: no export
    denied = township(REPORT_EXPORT, {"input": {"requestId": gid("ReportRequest", request.pk)}})["exportReport"]
    assert denied["job"] is None and denied["errors"][0]["code"] == "PERMISSION_DENIED"
