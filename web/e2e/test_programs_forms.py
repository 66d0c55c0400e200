"""The programs forms in a real browser: 马良镇 staff records a volunteer's hours at its 快乐家园 (they then wait
for confirmation under 志愿者) and records an activity at the site with a photo."""

import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from conftest import login, screenshot

pytestmark = pytest.mark.usefixtures("live_server")


def png():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 80, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def open_site(page):
    page.goto("/happy-homes")
    page.get_by_test_id("happy-homes").get_by_role("link", name="马良坪村快乐家园").click()
    expect(page.get_by_test_id("standards")).to_be_visible()


def test_maliang_staff_records_service_hours_at_its_happy_home(page):
    login(page, "maliang_league_staff")
    open_site(page)
    page.get_by_role("button", name="记录服务时长").click()
    dialog = page.get_by_role("dialog", name="记录服务时长")
    expect(dialog).to_contain_text("刘德明")  # the site's volunteer, chosen by default
    dialog.get_by_label("时长（小时）").fill("2.5")
    dialog.get_by_label("服务内容").fill("辅导作业与书法课")
    dialog.get_by_role("button", name="保存").click()
    expect(dialog).to_be_hidden()
    page.goto("/volunteers")
    page.get_by_role("tab", name="待确认服务时长").click()
    row = page.locator("tr", has_text="辅导作业与书法课")
    expect(row).to_contain_text("刘德明")
    expect(row).to_contain_text("2.5")


def test_maliang_staff_records_an_activity_with_a_photo_at_its_happy_home(page):
    login(page, "maliang_league_staff")
    open_site(page)
    page.get_by_role("button", name="记录活动").click()
    dialog = page.get_by_role("dialog", name="记录活动")
    dialog.get_by_label("活动名称").fill("周末书法体验课")
    dialog.get_by_label("地点").fill("马良坪村快乐家园活动室")
    dialog.get_by_label("活动记录").fill("十二名孩子体验毛笔字。")
    dialog.locator("input[type=file]").set_input_files(files=[{"name": "书法课.png", "mimeType": "image/png", "buffer": png()}])
    expect(dialog).to_contain_text("书法课.png")
    dialog.get_by_role("button", name="保存").click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/activities/[^/]+$"))
    main = page.locator("main")
    expect(main).to_contain_text("周末书法体验课")
    expect(main).to_contain_text("马良坪村快乐家园")
    expect(page.get_by_role("img", name="活动照片")).to_have_count(1)
    screenshot(page, "activity-recorded")
    page.goto("/campaigns")
    page.get_by_role("tab", name="活动").click()
    expect(page.locator(".ant-tabs-tabpane-active")).to_contain_text("周末书法体验课")
