"""The staff console in a real browser: login and lockout, scope, masking, registration with the ID check,
the wish life cycle with a partner's claim in a second context, Excel import, and the county dashboard."""

import io
import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, login, screenshot, server_shell

pytestmark = pytest.mark.usefixtures("live_server")


def switcher_text(page):
    return page.locator("[data-testid=org-switcher] .ant-select-selection-item").inner_text()


@pytest.mark.parametrize("username, own, foreign", [
    ("maliang_league_staff", "马良镇团委", "黄堡镇团委"),
    ("huangbao_league_staff", "黄堡镇团委", "马良镇团委"),
    ("baokang_wf_staff", "保康县妇联", "共青团保康县委"),
    ("huaihua_wf_admin", "怀化市妇联", "保康县妇联"),
    ("xiangyang_league_viewer", "共青团襄阳市委", "襄阳市妇联"),
])
def test_each_demo_account_logs_in_and_sees_only_its_own_organizations(page, username, own, foreign):
    login(page, username)
    assert own in switcher_text(page)
    page.goto("/orgs")
    tree = page.locator(".ant-tree")
    expect(tree).to_contain_text(own)
    expect(tree).not_to_contain_text(foreign)
    # Searching the subtree never finds another tenant's organization.
    page.get_by_label("搜索组织").fill(foreign[:3])
    page.get_by_label("搜索组织").press("Enter")
    expect(page.locator(".ant-list")).not_to_contain_text(foreign)
    if username == "maliang_league_staff":
        page.get_by_label("搜索组织").fill("")
        page.get_by_label("搜索组织").press("Enter")
        expect(page.get_by_test_id("org-breadcrumbs")).to_contain_text("马良镇团委")
        expect(page.locator(".ant-table")).to_contain_text("马良坪村团支部")
        screenshot(page, "organizations")


def test_a_wrong_password_then_the_lockout_message(page):
    page.goto("/")
    screenshot(page, "login")
    for attempt in range(5):
        page.get_by_label("用户名").fill("auditor_baokang")
        page.get_by_label("密码").fill(f"wrong-{attempt}")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_test_id("login-error")).to_be_visible()
    page.get_by_label("密码").fill(PASSWORD)  # even the right password is refused now
    page.get_by_role("button", name="登录").click()
    error = page.get_by_test_id("login-error")
    expect(error).to_have_attribute("data-code", "LOCKED_OUT")
    expect(error).to_contain_text("锁定")
    assert not re.search(r"Traceback|Exception|Error:", error.inner_text())


def test_roster_is_masked_for_a_viewer_and_clear_for_staff(new_context):
    viewer = login(new_context().new_page(), "baokang_league_reader")
    viewer.goto("/children")
    roster = viewer.get_by_test_id("children-roster")
    expect(roster.locator("tr.ant-table-row").first).to_be_visible()
    expect(roster.locator("[data-pii=clear]")).to_have_count(0)
    assert "*" in roster.locator("tr.ant-table-row").first.inner_text()
    expect(roster).to_contain_text("已脱敏")
    screenshot(viewer, "children-masked")

    staff = login(new_context().new_page(), "maliang_league_staff")
    staff.goto("/children")
    roster = staff.get_by_test_id("children-roster")
    expect(roster).to_contain_text("张小明")
    expect(roster.locator("[data-pii=masked]")).to_have_count(0)
    expect(roster).not_to_contain_text("黄堡")  # 黄堡镇's child is not in 马良镇's scope
    screenshot(staff, "children")
    staff.get_by_role("link", name="张小明").click()
    expect(staff.locator("main")).to_contain_text("监护人")
    expect(staff.locator("main")).to_contain_text("420626201405031231")
    screenshot(staff, "child-file")


def test_maliang_staff_registers_a_child_with_a_bad_then_a_good_id_number(page):
    login(page, "maliang_league_staff")
    page.goto("/children")
    page.get_by_role("button", name="登记儿童").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("姓名", exact=True).fill("周小雨")
    id_input = dialog.get_by_test_id("id-number")
    id_input.fill("420626201503010011")  # wrong check character
    expect(dialog).to_contain_text("校验码不正确")
    id_input.fill("42062620150301001")
    good = "42062620150301001" + check_character("42062620150301001")
    id_input.fill(good)
    expect(dialog).not_to_contain_text("校验码不正确")
    expect(dialog.get_by_label("出生日期")).to_have_value("2015-03-01")  # read from the number
    guardian = dialog.get_by_placeholder("姓名")
    guardian.fill("周大山")
    dialog.get_by_placeholder("电话").fill("13900001111")
    screenshot(page, "child-register")
    dialog.get_by_role("button", name="保存").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("children-roster")).to_contain_text("周小雨")
    expect(page.get_by_test_id("children-roster")).to_contain_text(good)


def check_character(first17):
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights)) % 11]


def board_tab(page, label):
    page.get_by_role("tab", name=re.compile(f"^{label}（\\d+）$")).click()  # each tab with its server count


def wish_row(page, title):
    return page.get_by_test_id("wish-board").locator("tr", has_text=title)


def act(page, title, action):
    wish_row(page, title).get_by_role("button", name=action).click()
    expect(page.locator(".ant-message")).to_contain_text(f"{action}：已完成")


def test_a_wish_goes_from_collected_to_fulfilled_with_a_partner_claim_in_a_second_context(new_context):
    title = "一个台灯（端到端）"
    staff = login(new_context().new_page(), "maliang_league_staff")
    staff.goto("/wishes")
    staff.get_by_role("button", name="征集心愿").click()
    dialog = staff.get_by_role("dialog")
    dialog.get_by_label("心愿").fill(title)
    dialog.get_by_label("孩子的原话").fill("晚上写作业想要亮一点。")
    dialog.get_by_label("估值（元）").fill("90")
    dialog.get_by_role("combobox", name="儿童").fill("张小")
    staff.locator(".ant-select-item-option", has_text="张小明").click()
    dialog.get_by_role("button", name="确定").click()
    expect(wish_row(staff, title)).to_be_visible()
    screenshot(staff, "wishes")
    act(staff, title, "审核")
    board_tab(staff, "已审核")
    wish_row(staff, title).get_by_role("button", name=title).click()  # the wish's drawer: the value is revised
    staff.locator(".ant-drawer-content").get_by_role("button", name="修改估值").click()
    staff.get_by_label("新估值").fill("100")
    staff.get_by_role("dialog", name="修改估值（元）").get_by_role("button", name="保存").click()
    expect(staff.locator(".ant-message")).to_contain_text("估值已修改")
    expect(staff.get_by_role("dialog", name="修改估值（元）")).to_be_hidden()
    expect(staff.locator(".ant-drawer-content")).to_contain_text("100 / 0 / 100")
    staff.locator(".ant-drawer-close").click()
    expect(staff.locator(".ant-drawer-content")).to_be_hidden()
    act(staff, title, "公示")

    donor = login(new_context().new_page(), "nongshang_donor")
    donor.goto("/wishes/published")
    card = donor.get_by_test_id("published-board").locator(".ant-card", has_text=title)
    expect(card).to_contain_text("剩余 100")
    card.get_by_role("checkbox").check()
    screenshot(donor, "wishes-published")
    donor.get_by_test_id("claim-selected").click()
    expect(donor.locator(".ant-message")).to_contain_text("已认领 1 个心愿")

    board_tab(staff, "已认领")
    act(staff, title, "备礼")
    board_tab(staff, "已备礼")
    wish_row(staff, title).get_by_role("button", name="记录发放").click()
    staff.get_by_placeholder("发放说明").fill("村委会现场发放")
    staff.get_by_role("dialog", name="记录发放").get_by_role("button", name="保存").click()
    expect(staff.locator(".ant-message")).to_contain_text("已记录发放")
    board_tab(staff, "已发放")
    wish_row(staff, title).get_by_role("button", name="圆梦销号").click()
    staff.get_by_role("textbox", name="感谢语").fill("谢谢你们送来的台灯！")
    staff.get_by_role("button", name="确定").click()
    expect(staff.locator(".ant-message")).to_contain_text("圆梦销号：已完成")
    expect(staff.locator(".ant-modal-confirm")).to_be_hidden()  # the thank-you dialog has closed
    board_tab(staff, "已圆梦")
    expect(wish_row(staff, title)).to_be_visible()


def roster_workbook():
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "性别", "身份证号", "出生日期", "学校", "年级", "监护人", "关系", "联系电话", "父母务工地", "类别"])
    first17 = "42062620160405002"
    sheet.append(["吴小燕", "女", first17 + check_character(first17), "2016-04-05", "马良镇中心小学", "三年级", "吴大爷", "祖父", "13900002222", "广东东莞", "留守儿童"])
    sheet.append(["错号码", "男", "420626201604050011", "2016-04-05", "马良镇中心小学", "三年级", "某某", "祖父", "13900003333", "", "留守儿童"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


EXPIRE_RESULTS = """
from datetime import timedelta
from django.db.models import F
from jobs import services
from jobs.models import Job
from permissions.actor import Actor
hour = timedelta(seconds=services.LINK_SECONDS + 1)
Job.objects.exclude(result_file="").update(created_at=F("created_at") - hour, finished_at=F("finished_at") - hour)
assert services.purge_expired_files(Actor.system("e2e")) > 0
"""


def test_an_excel_import_shows_progress_and_its_error_report(page):
    login(page, "maliang_league_staff")
    page.goto("/children")
    page.get_by_role("button", name="Excel 导入").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("input[type=file]").set_input_files(
        files=[{"name": "花名册.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "buffer": roster_workbook()}]
    )
    dialog.get_by_role("button", name="开始导入").click()
    progress = dialog.get_by_test_id("job-progress")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("data-state", "SUCCEEDED", timeout=60_000)
    expect(progress.locator(".ant-progress")).to_be_visible()
    report = dialog.get_by_test_id("job-result")
    expect(report).to_have_attribute("href", re.compile(r"/jobs/\d+/result/"))
    screenshot(page, "children-import")
    # The per-row report is a workbook the job's own user can download.
    response = page.request.get(report.get_attribute("href"))
    assert response.ok and response.body()[:2] == b"PK"
    page.keyboard.press("Escape")
    page.goto("/jobs")
    expect(page.get_by_test_id("jobs")).to_contain_text("导入儿童花名册")
    screenshot(page, "jobs")
    expect(page.get_by_test_id("jobs").get_by_role("link", name="下载")).to_have_count(1)
    # An hour after the job finished, the purge deletes its report: the list says so instead of offering it.
    server_shell(EXPIRE_RESULTS)
    page.reload()
    expect(page.get_by_test_id("jobs")).to_contain_text("已过期")
    expect(page.get_by_test_id("jobs").get_by_role("link", name="下载")).to_have_count(0)
    screenshot(page, "jobs-expired")


def test_the_county_dashboard_renders_its_charts_and_drills_down(page):
    login(page, "baokang_league_admin")
    server_shell("from rollups import services; services.fold()")  # earlier tests' changes, folded as the minute job does
    page.goto("/dashboard")
    figures = page.get_by_test_id("rollup-figures")
    expect(figures).to_contain_text("在册儿童")
    expect(figures).to_contain_text("圆梦率")
    expect(page.get_by_test_id("rollup-donors")).to_contain_text("认领心愿价值（元）")
    expect(page.get_by_test_id("rollup-donors")).to_contain_text("大手拉小手")  # pairing kinds by their names
    expect(page.get_by_test_id("rollup-cases")).to_contain_text("高风险儿童")
    expect(page.get_by_test_id("rollup-cases")).to_contain_text("已转介")
    for chart in ("chart-wishes", "chart-children", "chart-breakdown"):
        expect(page.get_by_test_id(chart).locator("canvas")).to_be_visible()
    table = page.get_by_test_id("rollup-breakdown")
    expect(table).to_contain_text("马良镇团委")
    expect(page.get_by_test_id("rollup-freshness")).to_contain_text("数据更新于")
    expect(page.get_by_test_id("rollup-freshness")).to_contain_text("待汇总 0 项")
    screenshot(page, "dashboard")
    table.get_by_text("马良镇团委").click()
    expect(page.get_by_test_id("rollup-breakdown")).to_contain_text("马良坪村团支部")


def test_programs_screens_list_their_rows(page):
    login(page, "baokang_league_admin")
    page.goto("/happy-homes")
    expect(page.get_by_test_id("happy-homes").locator("tr.ant-table-row").first).to_be_visible()
    page.get_by_test_id("happy-homes").locator("tbody a").first.click()
    expect(page.get_by_test_id("standards")).to_contain_text("志愿者比例")  # the standard's name, not its code
    screenshot(page, "happy-home-county")
    page.goto("/pairings")
    expect(page.locator(".ant-table tr.ant-table-row").first).to_be_visible()
    page.goto("/campaigns?tab=activities")
    expect(page.get_by_test_id("activities")).to_contain_text("冬季走访慰问")


def test_phone_width_keeps_the_console_usable(new_context):
    page = login(new_context(width=390, height=844).new_page(), "maliang_league_staff")
    page.goto("/children")
    expect(page.get_by_test_id("children-roster")).to_contain_text("张小明")
    screenshot(page, "children-phone")


def test_a_report_is_requested_by_the_county_filled_from_the_rollup_submitted_and_approved(new_context):
    title = "第四季度关爱统计（端到端）"
    county = login(new_context().new_page(), "baokang_league_admin")
    county.goto("/reports")
    county.get_by_role("button", name="发起报送").click()
    dialog = county.get_by_role("dialog")
    dialog.get_by_label("标题").fill(title)
    dialog.get_by_label("截止日期").fill("2026-12-31")
    dialog.get_by_label("截止日期").press("Enter")
    dialog.get_by_role("button", name="发起").click()
    expect(county.locator(".ant-message")).to_contain_text("已发起")
    county.get_by_test_id("report-requests").get_by_text(title).click()
    status = county.get_by_test_id("report-status")
    expect(status.locator("tr", has_text="马良镇团委")).to_contain_text("未报")

    town = login(new_context().new_page(), "maliang_league_staff")
    town.goto("/reports")
    town.get_by_test_id("report-requests").get_by_text(title).click()
    town.get_by_test_id("fill-report").click()
    expect(town.locator(".ant-message")).to_contain_text("已打开本单位报送")
    editor = town.locator(".ant-drawer", has=town.get_by_placeholder("情况说明"))
    expect(editor).to_contain_text("在册儿童")
    editor.get_by_placeholder("情况说明").fill("本季度走访留守儿童 3 人。")
    screenshot(town, "report")
    editor.get_by_role("button", name="提交").click()
    expect(town.locator(".ant-message")).to_contain_text("已提交")

    county.reload()
    county.get_by_test_id("report-requests").get_by_text(title).click()
    row = county.get_by_test_id("report-status").locator("tr", has_text="马良镇团委")
    expect(row).to_contain_text("已报送")
    row.get_by_role("button", name="通过").click()
    confirm = county.locator(".ant-modal", has_text="审核通过后数据将锁定")
    expect(confirm).to_contain_text("报送数据与下级当前统计一致")
    screenshot(county, "report-approve-confirm")
    confirm.get_by_role("button", name="通过").click()
    expect(county.locator(".ant-message")).to_contain_text("已通过")
    expect(county.get_by_test_id("report-status").locator("tr", has_text="马良镇团委")).to_contain_text("已审核")


def test_a_follow_up_is_recorded_and_a_record_is_transferred_to_another_township_and_accepted(new_context):
    county = login(new_context().new_page(), "baokang_league_admin")
    county.goto("/children")
    county.get_by_test_id("children-roster").get_by_role("link", name="李芳").click()
    county.get_by_role("button", name="记录走访").click()
    dialog = county.get_by_role("dialog")
    dialog.get_by_label("情况").fill("入户走访，学习情况良好。")
    dialog.get_by_role("button", name="保存").click()
    expect(county.locator(".ant-message")).to_contain_text("已记录走访")
    expect(county.locator("main")).to_contain_text("入户走访，学习情况良好。")
    county.get_by_role("button", name="转出档案").click()
    dialog = county.get_by_role("dialog")
    dialog.get_by_role("combobox", name="接收组织").fill("黄堡镇")
    county.locator(".ant-select-item-option", has_text="黄堡镇团委").click()
    dialog.get_by_label("原因").fill("随母亲迁居黄堡镇")
    dialog.get_by_role("button", name="发起转移").click()
    expect(county.locator(".ant-message")).to_contain_text("已发起转移")

    town = login(new_context().new_page(), "huangbao_league_staff")
    town.goto("/children")
    town.get_by_role("tab", name="档案转移").click()
    row = town.locator("tr", has_text="随母亲迁居黄堡镇")
    row.get_by_role("button", name="同意").click()
    expect(town.locator(".ant-message")).to_contain_text("已同意")
    town.get_by_role("tab", name="花名册").click()
    town.reload()
    expect(town.get_by_test_id("children-roster")).to_contain_text("李芳")


def test_the_board_offers_the_steps_the_server_allows_and_a_claim_takes_withdrawal_away(new_context):
    """The board's buttons come from each wish's availableActions (issue 16): once a donor has claimed a share,
    the server refuses withdraw, close and escalate, and the row stops offering them."""
    title = "一个新书包"
    staff = login(new_context().new_page(), "huangbao_league_staff")
    staff.goto("/wishes?state=PUBLISHED")
    for step in ("撤回", "无法实现", "交上级协调"):
        expect(wish_row(staff, title).get_by_role("button", name=step)).to_be_visible()

    donor = login(new_context().new_page(), "nongshang_donor")
    donor.goto("/wishes/published")
    card = donor.get_by_test_id("published-board").locator(".ant-card", has_text=title)
    card.get_by_role("checkbox").check()
    card.get_by_placeholder("认领金额（空 = 剩余全部）").fill("30")
    donor.get_by_test_id("claim-selected").click()
    expect(donor.locator(".ant-message")).to_contain_text("已认领 1 个心愿")

    staff.reload()
    expect(wish_row(staff, title)).to_contain_text("30")  # 已认领（元）, read from the server after the reload
    for step in ("撤回", "无法实现", "交上级协调"):
        expect(wish_row(staff, title).get_by_role("button", name=step)).to_have_count(0)
