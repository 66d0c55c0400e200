"""Issue 19's screens in a real browser, at a desktop's and a phone's width: 快乐家园 create/edit and members,
volunteers linked to a site with hours recorded and confirmed, a holiday project with a service point, a pairing,
a campaign notice, a child's consent, sharing and anonymizing, a unit answering a dispatch; server paging kept
in the URL; the phone's drawer menu and cards. Every screenshot is also scanned for English, codes and
usernames (conftest.assert_chinese)."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from conftest import assert_chinese, assert_fits, login, phone, screenshot, tick

pytestmark = pytest.mark.usefixtures("live_server")


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (48, 64), (240, 230, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def pick(page, combobox, text, option):
    """Types into a server-searched select and chooses the option."""
    combobox.locator("xpath=ancestor::div[contains(@class, 'ant-select-selector')]").click()
    combobox.press_sequentially(text)
    page.locator(".ant-select-dropdown:visible .ant-select-item-option", has_text=option).first.click()


def message(page, text):
    expect(page.locator(".ant-message")).to_contain_text(text)


def test_a_happy_home_is_created_below_standard_until_it_serves_someone(page, new_context):
    login(page, "shiqiao_wf_staff")
    page.goto("/happy-homes")
    page.get_by_test_id("happy-homes").get_by_role("link", name="石村村儿童快乐家园").click()
    standards = page.get_by_test_id("standards")
    expect(standards).to_contain_text("志愿者 43 人，服务儿童 142 人")
    expect(standards).not_to_contain_text("未达标")
    expect(page.get_by_test_id("members-children")).to_contain_text("服务儿童（142）")
    screenshot(page, "happy-home")

    page.goto("/happy-homes")
    page.get_by_role("button", name="新建快乐家园").click()
    dialog = page.get_by_role("dialog", name="新建快乐家园")
    dialog.get_by_label("名称").fill("石村村第二儿童快乐家园")
    dialog.get_by_placeholder("姓名").first.fill("王芳")
    dialog.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/happy-homes/[^/]+$"))
    expect(standards).to_contain_text("未达标")
    expect(standards).to_contain_text("尚未登记服务儿童")  # 0 children and 0 volunteers is not 达标
    expect(page.get_by_role("button", name="记录服务时长")).to_be_disabled()
    volunteers = page.get_by_test_id("members-volunteers")
    pick(page, volunteers.get_by_role("combobox"), "刘", "刘")
    volunteers.get_by_role("button", name="添加").click()
    message(page, "已添加")
    expect(volunteers).to_contain_text("志愿者（1）")
    expect(page.get_by_role("button", name="记录服务时长")).to_be_enabled()
    page.get_by_role("button", name="编辑").click()
    edit = page.get_by_role("dialog", name="编辑快乐家园")
    edit.get_by_label("面积（㎡）").fill("120")
    edit.get_by_role("button", name="保存").click()
    expect(page.locator("main")).to_contain_text("120")

    small = phone(new_context)
    login(small, "shiqiao_wf_staff")
    small.goto(page.url)
    expect(small.get_by_test_id("standards")).to_contain_text("尚未登记服务儿童")
    assert_fits(small)
    screenshot(small, "happy-home-phone")


def test_a_volunteer_is_registered_linked_to_a_site_and_hours_recorded_on_a_phone_then_confirmed(page, new_context):
    login(page, "maliang_league_staff")
    page.goto("/volunteers")
    page.get_by_role("button", name="登记志愿者").click()
    dialog = page.get_by_role("dialog", name="登记志愿者")
    dialog.get_by_label("姓名").fill("李青")
    dialog.get_by_label("服务队").fill("马良镇青年志愿服务队")
    dialog.get_by_role("button", name="保存").click()
    drawer = page.locator(".ant-drawer-content", has_text="李青")
    expect(drawer).to_be_visible()
    pick(page, drawer.get_by_role("combobox", name="服务地点"), "马良坪", "马良坪村快乐家园")
    drawer.get_by_role("button", name="关联到此地点").click()
    message(page, "已关联")
    volunteer_url = page.url
    assert "volunteer=" in volunteer_url

    small = phone(new_context)
    login(small, "maliang_league_staff")
    small.goto(volunteer_url)  # the open volunteer is in the URL
    sheet = small.locator(".ant-drawer-content", has_text="李青")
    pick(small, sheet.get_by_role("combobox", name="服务地点"), "马良坪", "马良坪村快乐家园")
    sheet.get_by_role("button", name="记录服务时长").click()
    hours = small.get_by_role("dialog", name="记录服务时长")
    hours.get_by_label("时长（小时）").fill("3")
    hours.get_by_label("服务内容").fill("陪孩子读书")
    screenshot(small, "record-hours-phone")
    hours.get_by_role("button", name="保存").click()
    message(small, "已记录，待确认")

    page.goto("/volunteers?tab=hours")
    row = page.get_by_test_id("service-records").locator("tr", has_text="陪孩子读书")
    expect(row).to_contain_text("李青")
    expect(row).to_contain_text("马良镇团委干部")  # who recorded it, by name
    row.get_by_role("checkbox").check()
    page.get_by_role("button", name=re.compile("确认所选")).click()
    message(page, "已确认")
    expect(page.get_by_test_id("service-records")).not_to_contain_text("陪孩子读书")


def test_a_holiday_project_gets_a_service_point_and_its_figures(page):
    login(page, "baokang_league_admin")
    page.goto("/holiday")
    page.get_by_role("button", name="新建假期项目").click()
    dialog = page.get_by_role("dialog", name="新建假期项目")
    dialog.get_by_label("项目名称").fill("2027年保康县寒假七彩假期")
    dialog.get_by_placeholder("开始日期").fill("2027-01-20")
    dialog.get_by_placeholder("结束日期").fill("2027-02-20")
    dialog.get_by_placeholder("结束日期").press("Enter")
    dialog.get_by_role("button", name="保存").click()
    drawer = page.locator(".ant-drawer-content", has_text="2027年保康县寒假七彩假期")
    expect(drawer).to_be_visible()
    drawer.get_by_role("button", name="新增服务点").click()
    point = page.get_by_role("dialog", name="新增服务点")
    point.get_by_label("服务点名称").fill("马良镇中心小学寒假服务点")
    pick(page, point.get_by_role("combobox").first, "马良", "马良镇团委")
    point.get_by_role("button", name="保存").click()
    message(page, "已新增服务点")
    row = drawer.get_by_test_id("service-points").locator("tr", has_text="马良镇中心小学寒假服务点")
    row.get_by_role("button", name="报送数据").click()
    report = page.get_by_role("dialog", name=re.compile("报送数据"))
    report.get_by_label("服务儿童（人）").fill("36")
    report.get_by_label(re.compile("募集资金")).fill("2500")
    report.get_by_role("button", name="保存").click()
    expect(drawer).to_contain_text("36 人")
    expect(drawer).to_contain_text("2,500 元")
    screenshot(page, "holiday")


def test_a_big_hand_pairing_is_started_with_its_checklist(page):
    login(page, "maliang_league_staff")
    page.goto("/pairings")
    page.get_by_role("button", name="新建结对").click()
    dialog = page.get_by_role("dialog", name="新建结对")
    pick(page, dialog.get_by_role("combobox", name="志愿者"), "刘", "刘德明")
    pick(page, dialog.get_by_role("combobox", name="儿童"), "赵", "赵婷婷")
    dialog.get_by_label("帮扶承诺").fill("每两周通一次电话")
    dialog.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/pairings/[^/]+$"))
    main = page.locator("main")
    expect(main).to_contain_text("五个一")
    expect(main).to_contain_text("刘德明")
    screenshot(page, "pairing")


def test_a_campaign_notice_is_announced_with_its_pages_and_hechi_sees_its_warm_winter_notice(page, new_context):
    login(page, "baokang_league_admin")
    page.goto("/campaigns")
    page.get_by_role("button", name="发布行动通知").click()
    dialog = page.get_by_role("dialog", name="发布行动通知")
    dialog.get_by_label("行动名称").fill("2027年保康县情暖童心行动")
    dialog.get_by_label("通知标题").fill("关于开展情暖童心行动的通知")
    dialog.get_by_label("通知正文").fill("各乡镇团委：请于寒假期间开展走访慰问。")
    dialog.get_by_placeholder("开始日期").fill("2027-01-10")
    dialog.get_by_placeholder("结束日期").fill("2027-02-10")
    dialog.get_by_placeholder("结束日期").press("Enter")
    dialog.locator("input[type=file]").set_input_files(files=[{"name": "通知第1页.png", "mimeType": "image/png", "buffer": png()}])
    addressees = dialog.locator(".ant-form-item", has_text="发给").get_by_role("combobox")
    pick(page, addressees, "马良", "马良镇团委")  # searched on the server; the first choice keeps its name
    pick(page, addressees, "黄堡", "黄堡镇团委")
    dialog.get_by_role("button", name="发布").click()
    notice = page.get_by_test_id("notice-text")
    expect(notice).to_contain_text("请于寒假期间开展走访慰问")
    expect(page.get_by_role("img", name="通知附件")).to_have_count(1)
    expect(page.locator(".ant-drawer-content")).to_contain_text(re.compile("马良镇团委、黄堡镇团委|黄堡镇团委、马良镇团委"))

    # a holiday project joins the campaign through a server search by title
    page.goto("/holiday")
    page.get_by_role("button", name="新建假期项目").click()
    project = page.get_by_role("dialog", name="新建假期项目")
    pick(page, project.get_by_role("combobox").first, "马良", "马良镇团委")  # the campaign covers 马良镇, not the county
    project.get_by_label("项目名称").fill("情暖童心寒假服务")
    project.get_by_placeholder("开始日期").fill("2027-01-12")
    project.get_by_placeholder("结束日期").fill("2027-02-08")
    project.get_by_placeholder("结束日期").press("Enter")
    pick(page, project.get_by_role("combobox", name="所属行动"), "情暖", "2027年保康县情暖童心行动")
    project.get_by_role("button", name="保存").click()
    expect(page.locator(".ant-drawer-content", has_text="情暖童心寒假服务")).to_be_visible()
    page.goto("/holiday")
    expect(page.locator("tr", has_text="情暖童心寒假服务")).to_contain_text("2027年保康县情暖童心行动")

    hechi = login(new_context().new_page(), "hechi_league_admin")
    hechi.goto("/campaigns")
    hechi.get_by_role("button", name=re.compile("关爱留守儿童暖冬行动")).click()
    drawer = hechi.locator(".ant-drawer-content")
    expect(drawer).to_contain_text(re.compile(r"\d{4}-01-28 至 \d{4}-02-28"))
    expect(drawer).to_contain_text("4月10日前报送团市委城乡部")
    screenshot(hechi, "campaign-notice")


def test_consent_then_sharing_with_a_partner_unit_and_anonymizing(page):
    login(page, "baokang_league_admin")  # the county sees its partner unit, 保康县农商行
    page.goto("/children")
    page.get_by_test_id("children-roster").get_by_role("link", name="张小明").click()
    expect(page.get_by_role("button", name="上传照片")).to_be_disabled()  # no photo consent yet
    page.get_by_role("button", name="登记监护人同意").click()
    dialog = page.get_by_role("dialog", name=re.compile("登记监护人同意"))
    for consent in ("拍摄和保存照片", "向合作单位共享"):
        tick(dialog.get_by_label(consent))
    dialog.get_by_role("button", name="保存").click()
    message(page, "已登记同意")
    expect(page.get_by_role("button", name="上传照片")).to_be_enabled()
    page.get_by_role("button", name="共享给合作单位").click()
    share = page.get_by_role("dialog", name="共享给合作单位")
    pick(page, share.get_by_role("combobox"), "农商", "保康县农商行")
    share.get_by_role("button", name="共享").click()
    message(page, "已共享")
    screenshot(page, "child-consent")

    other = page.context.browser.new_context(base_url=page.url.split("/children")[0], locale="zh-CN").new_page()
    login(other, "shiqiao_wf_staff")
    other.goto("/children")
    other.get_by_test_id("children-roster").locator("a").first.click()
    other.get_by_role("button", name="匿名化").click()
    sure = other.get_by_role("dialog", name="匿名化档案")
    sure.get_by_label(re.compile("原因")).fill("监护人申请删除个人信息")
    sure.get_by_role("button", name="确认匿名化").click()
    expect(other.locator("main")).to_contain_text("该档案已匿名化")
    other.context.close()


def test_a_unit_accepts_a_wish_dispatched_to_it(new_context):
    admin = login(new_context().new_page(), "baokang_league_admin")
    admin.goto("/wishes?state=PUBLISHED")
    admin.get_by_test_id("wish-board").get_by_role("button", name="一双运动鞋").click()
    admin.get_by_role("button", name="派单给单位").click()
    dialog = admin.get_by_role("dialog", name="派单")
    pick(admin, dialog.get_by_role("combobox").first, "农商", "保康县农商行")
    dialog.get_by_placeholder("请选择日期").fill("2030-12-31 12:00:00")
    dialog.get_by_placeholder("请选择日期").press("Enter")
    dialog.get_by_role("button", name="确定").click()
    message(admin, "已派单")

    unit = phone(new_context)
    login(unit, "nongshang_donor")
    unit.get_by_test_id("menu-button").click()
    expect(unit.locator(".ant-drawer-mask")).to_be_visible()  # the menu opens over a backdrop
    unit.get_by_role("menuitem", name="派单答复").click()
    card = unit.get_by_test_id("dispatches").locator("[data-testid=row-card]", has_text="一双运动鞋")
    expect(card).to_contain_text("李*")  # the child masked
    assert_fits(unit)
    screenshot(unit, "dispatches-phone")
    card.get_by_role("button", name="接单").click()
    message(unit, "已接单")
    expect(unit.get_by_test_id("dispatches")).not_to_contain_text("一双运动鞋")


def test_lists_page_on_the_server_and_keep_filters_tab_and_page_in_the_url(page, new_context):
    login(page, "shiqiao_wf_staff")
    page.goto("/children")
    total = page.get_by_test_id("pager-total")
    expect(total).to_contain_text("共 142 人 · 第 1 / 8 页")
    top = page.get_by_test_id("children-roster").locator("tr.ant-table-row").first
    first = top.inner_text()
    page.get_by_role("button", name="下一页").click()
    expect(total).to_contain_text("第 2 / 8 页")
    expect(page).to_have_url(re.compile(r"[?&]p="))
    expect(top).not_to_have_text(first)  # the next page's rows, from the server
    page.reload()
    expect(total).to_contain_text("第 2 / 8 页")  # reload keeps the page
    page.go_back()
    expect(total).to_contain_text("第 1 / 8 页")  # back returns to the first
    page.get_by_placeholder("姓名").fill("王")
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"namePrefix="))
    expect(total).to_contain_text("第 1 /")
    expect(page.get_by_test_id("children-roster")).not_to_contain_text("李")

    board = login(new_context().new_page(), "maliang_league_staff")
    board.goto("/wishes")
    fulfilled = board.get_by_role("tab", name=re.compile(r"已圆梦（\d+）"))
    expect(fulfilled).to_be_visible()  # tab counts come from the server
    fulfilled.click()
    expect(board).to_have_url(re.compile("state=FULFILLED"))
    board.reload()
    expect(board.get_by_role("tab", name=re.compile("已圆梦"), selected=True)).to_be_visible()
    expect(board.get_by_test_id("wish-board")).to_contain_text("一盒水彩笔")


def test_the_phone_menu_is_a_drawer_and_lists_are_cards(new_context):
    small = phone(new_context)
    login(small, "maliang_league_staff")
    small.goto("/children")
    cards = small.get_by_test_id("children-roster").get_by_test_id("row-card")
    expect(cards.first).to_be_visible()
    box = cards.first.bounding_box()
    assert box["width"] <= 390
    assert_fits(small)
    small.get_by_test_id("menu-button").click()
    expect(small.locator(".ant-drawer-mask")).to_be_visible()
    screenshot(small, "menu-phone")
    small.get_by_role("menuitem", name="微心愿").first.click()
    expect(small).to_have_url(re.compile("/wishes$"))
    expect(small.locator(".ant-drawer-mask")).to_be_hidden()
    assert_chinese(small)
    assert_fits(small)
