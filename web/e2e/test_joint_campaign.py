"""A joint campaign in a real browser (issue 20 item 5): 保康团县委 announces a campaign with 县妇联 and 县工商联 as
co-announcers (picked among the county's bodies of other systems); 县妇联's staff see the invitation and confirm it;
the campaign then shows 联合发起 with each body's answer and figures."""

import re

import pytest
from playwright.sync_api import expect

from conftest import login, screenshot

pytestmark = pytest.mark.usefixtures("live_server")

TITLE = "2027年保康县关爱留守儿童联合行动"


def choose(page, combobox, text, option):
    combobox.locator("xpath=ancestor::div[contains(@class, 'ant-select-selector')]").click()
    combobox.press_sequentially(text)
    page.locator(".ant-select-dropdown:visible .ant-select-item-option", has_text=option).first.click()


def test_a_joint_campaign_is_announced_and_confirmed_by_a_co_announcer(page, new_context):
    login(page, "baokang_league_admin")
    page.goto("/campaigns")
    page.get_by_role("button", name="发布行动通知").click()
    dialog = page.get_by_role("dialog", name="发布行动通知")
    dialog.get_by_label("行动名称").fill(TITLE)
    dialog.get_by_label("通知标题").fill("关于联合开展关爱留守儿童行动的通知")
    dialog.get_by_label("通知正文").fill("团县委、县妇联、县工商联联合开展关爱留守儿童行动，各乡镇请认真组织。")
    dialog.get_by_placeholder("开始日期").fill("2027-01-10")
    dialog.get_by_placeholder("结束日期").fill("2027-03-10")
    dialog.get_by_placeholder("结束日期").press("Enter")
    partners = dialog.get_by_test_id("co-announcers-select").get_by_role("combobox")
    choose(page, partners, "妇联", "保康县妇联")
    choose(page, partners, "工商联", "保康县工商联")
    page.keyboard.press("Escape")
    dialog.get_by_role("button", name="发布").click()
    drawer = page.locator(".ant-drawer-content", has_text=TITLE)
    co = drawer.get_by_test_id("co-announcers")
    expect(co).to_contain_text("保康县妇联")
    expect(co).to_contain_text("保康县工商联")
    expect(co).to_contain_text("待确认")
    expect(page.get_by_test_id("campaigns")).to_contain_text("联合发起")

    # 县妇联's staff find the invitation among their campaigns and confirm it for their whole subtree
    women = new_context().new_page()
    login(women, "baokang_wf_staff")
    women.goto("/campaigns")
    women.get_by_test_id("campaigns").get_by_text(TITLE).click()
    row = women.get_by_test_id("co-announcers").locator("div.ant-space", has_text="保康县妇联").first
    row.get_by_role("button", name="确认联合发起").click()
    women.get_by_role("dialog", name="确认联合发起").get_by_role("button", name="确认").click()
    expect(women.locator(".ant-message")).to_contain_text("已确认联合发起")
    expect(women.get_by_test_id("co-announcers")).to_contain_text(re.compile("保康县妇联\\s*已确认"))
    expect(women.locator(".ant-drawer-content")).to_contain_text("保康县妇联")  # now among the covered

    # the announcer sees the answer and each body's figures
    page.reload()
    expect(drawer.get_by_test_id("co-announcers")).to_contain_text("已确认")
    expect(page.get_by_test_id("campaign-figures")).to_contain_text("保康县妇联")
    screenshot(page, "joint-campaign")
