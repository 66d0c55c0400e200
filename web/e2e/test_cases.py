"""Case work in a real browser: 马良镇 staff assesses 张小明 and the rule table raises him to high risk, the county's
list shows him (also at a phone's width); then a referral of 赵婷婷 to the partner unit 保康县农商行, whose member
reads the case until the referral is closed."""

import re

import pytest
from playwright.sync_api import expect

from conftest import assert_fits, login, phone, screenshot, tick

pytestmark = pytest.mark.usefixtures("live_server")


def message(page, text):
    expect(page.locator(".ant-message")).to_contain_text(text)


def open_file(page, name):
    page.goto("/children")
    page.get_by_test_id("children-roster").get_by_role("link", name=name).click()
    expect(page.get_by_role("tab", name="评估")).to_be_visible()


def test_an_assessment_raises_a_child_to_high_risk(page, new_context):
    login(page, "maliang_league_staff")
    open_file(page, "张小明")
    page.get_by_role("tab", name="评估").click()
    expect(page).to_have_url(re.compile(r"tab=assessment"))
    expect(page.locator("main")).to_contain_text("尚未立案")
    page.get_by_role("button", name="新评估").click()
    dialog = page.get_by_role("dialog", name="风险评估")
    dialog.locator(".ant-form-item", has_text="家庭安全").get_by_text("严重", exact=True).click()
    dialog.locator(".ant-form-item", has_text="心理状况").get_by_text("需关注", exact=True).click()
    dialog.get_by_label("评估说明").fill("祖父年迈卧床，孩子常独自在家，家中用电不安全。")
    dialog.get_by_role("button", name="保存评估").click()
    message(page, "已评估：高风险")
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("risk-level").first).to_have_text("高风险")
    expect(page.locator("main")).to_contain_text("家庭安全严重堪忧")
    expect(page.locator("main")).to_contain_text("家庭安全：严重")
    screenshot(page, "case-assessment")

    page.goto("/cases")
    high = page.get_by_test_id("high-risk")
    expect(high).to_contain_text("张小明")
    expect(high).to_contain_text("马良坪村团支部")
    screenshot(page, "cases-high-risk")

    mobile = phone(new_context)
    login(mobile, "baokang_league_admin")
    mobile.goto("/cases")
    expect(mobile.get_by_test_id("high-risk")).to_contain_text("张小明")
    assert_fits(mobile)
    mobile.get_by_role("link", name=re.compile("张小明")).click()
    expect(mobile.get_by_test_id("risk-level").first).to_have_text("高风险")
    assert_fits(mobile)
    screenshot(mobile, "case-assessment-phone")


def test_a_referral_to_a_partner_unit_gives_it_the_case_until_it_closes(page, new_context):
    login(page, "maliang_league_staff")
    open_file(page, "赵婷婷")
    page.get_by_role("button", name="登记监护人同意").click()
    consent = page.get_by_role("dialog", name=re.compile("登记监护人同意"))
    tick(consent.get_by_label("向合作单位共享"))
    consent.get_by_role("button", name="保存").click()
    message(page, "已登记同意")
    page.get_by_role("tab", name="转介").click()
    page.get_by_role("button", name="转介", exact=True).click()
    dialog = page.get_by_role("dialog", name="转介")
    dialog.get_by_label("转介对象").click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option", has_text="合作单位").click()
    dialog.get_by_role("combobox", name="合作单位").click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option", has_text="保康县农商行").click()
    dialog.get_by_label("转介原因").fill("家庭经济困难，申请助学资助。")
    dialog.get_by_role("button", name="转介", exact=True).click()
    message(page, "已转介")
    expect(page.get_by_test_id("referral-status")).to_have_text("已转介")
    expect(page.locator("main")).to_contain_text("合作单位可查阅至")
    screenshot(page, "case-referral")

    partner = login(new_context().new_page(), "nongshang_donor")
    partner.goto("/cases?tab=all")
    partner.get_by_test_id("all-cases").get_by_role("link", name=re.compile("赵婷婷")).click()
    partner.get_by_role("tab", name="转介").click()
    expect(partner.locator("main")).to_contain_text("家庭经济困难，申请助学资助。")
    expect(partner.locator("main")).to_contain_text("经转介供本单位查阅")
    expect(partner.get_by_role("button", name="转介", exact=True)).to_have_count(0)  # it reads, it does not plan
    screenshot(partner, "case-referred-to-partner")

    page.get_by_role("button", name="更新状态").click()
    update = page.get_by_role("dialog", name="更新转介状态")
    update.locator(".ant-form-item", has_text="状态").locator(".ant-select-selector").click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option", has_text="已关闭").click()
    update.get_by_label("接收方反馈").fill("已发放助学金 1200 元。")
    update.get_by_role("button", name="保存").click()
    message(page, "已更新")
    expect(page.get_by_test_id("referral-status")).to_have_text("已关闭")

    partner.reload()  # the grant ended with the referral: the file no longer opens for the unit
    expect(partner.get_by_test_id("no-permission")).to_contain_text("无权查看")
    partner.context.close()
