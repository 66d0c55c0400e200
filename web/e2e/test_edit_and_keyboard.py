"""Editing and closing a child's record from its file (the registration form's inline ID-number check, nothing
sent while it fails), and keyboard reachability of the clickable rows."""

import pytest
from playwright.sync_api import expect

from conftest import login, screenshot
from test_console import check_character

pytestmark = pytest.mark.usefixtures("live_server")


def register(page, name, first17):
    page.goto("/children")
    page.get_by_role("button", name="登记儿童").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("姓名", exact=True).fill(name)
    dialog.get_by_test_id("id-number").fill(first17 + check_character(first17))
    dialog.get_by_placeholder("姓名").fill("吴大河")
    dialog.get_by_role("button", name="保存").click()
    expect(dialog).to_be_hidden()


def test_maliang_staff_edits_a_childs_school_a_bad_id_number_is_not_sent_and_the_record_is_closed(page):
    sent = []
    page.on("request", lambda r: sent.append(r.post_data or "") if r.url.endswith("/graphql") and r.method == "POST" else None)
    login(page, "maliang_league_staff")
    register(page, "吴小林", "42062620160712002")
    page.get_by_test_id("children-roster").get_by_role("link", name="吴小林").click()
    main = page.locator("main")
    expect(main).to_contain_text("吴大河")

    page.get_by_role("button", name="编辑档案").click()
    dialog = page.get_by_role("dialog", name="编辑档案")
    dialog.get_by_label("学校").fill("马良镇中心小学")
    dialog.get_by_label("年级").fill("三年级")
    screenshot(page, "child-edit")
    dialog.get_by_role("button", name="保存").click()
    expect(dialog).to_be_hidden()
    expect(main).to_contain_text("马良镇中心小学 三年级")
    assert any("UpdateChild" in body and "马良镇中心小学" in body for body in sent)

    # A wrong check character: the inline message, and saving sends nothing.
    page.get_by_role("button", name="编辑档案").click()
    dialog = page.get_by_role("dialog", name="编辑档案")
    good = "42062620160712002" + check_character("42062620160712002")
    dialog.get_by_test_id("id-number").fill(good[:17] + next(c for c in "0123456789X" if c != good[17]))
    expect(dialog).to_contain_text("校验码不正确")
    updates = sum("UpdateChild" in body for body in sent)
    dialog.get_by_role("button", name="保存").click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("校验码不正确")
    page.wait_for_timeout(500)
    assert sum("UpdateChild" in body for body in sent) == updates
    dialog.get_by_role("button", name="取消").click()
    expect(dialog).to_be_hidden()
    expect(main).to_contain_text(good)

    # Closing the record with a reason.
    page.get_by_role("button", name="结案").click()
    dialog = page.get_by_role("dialog", name="结案或迁出")
    dialog.get_by_label("原因").fill("随父母迁往外省就读")
    dialog.get_by_role("button", name="确认结案").click()
    expect(page.get_by_test_id("child-closed")).to_contain_text("随父母迁往外省就读")
    expect(page.get_by_role("button", name="结案")).to_have_count(0)


def tab_until(page, predicate, limit=60):
    """Presses Tab until the focused element satisfies `predicate` (a JS function of the element)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({predicate})(document.activeElement)"):
            return
    raise AssertionError("never reached by Tab")


def test_rows_are_reachable_and_opened_by_keyboard(page):
    login(page, "maliang_league_staff")
    page.goto("/orgs")
    expect(page.locator(".ant-table")).to_contain_text("马良坪村团支部")
    page.get_by_label("搜索组织").focus()
    tab_until(page, "e => e.tagName === 'TR' && e.textContent.includes('马良坪村团支部')")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("org-breadcrumbs")).to_contain_text("马良坪村团支部")
    # Back up one level through the breadcrumb, by keyboard too.
    page.get_by_test_id("org-breadcrumbs").get_by_role("link", name="马良镇团委").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".ant-table")).to_contain_text("马良坪村团支部")


def test_the_drill_down_table_opens_a_row_by_keyboard(page):
    login(page, "baokang_league_admin")
    page.goto("/dashboard")
    table = page.get_by_test_id("rollup-breakdown")
    expect(table).to_contain_text("马良镇团委")
    table.locator("tr[data-clickable=row]", has_text="马良镇团委").focus()
    page.keyboard.press(" ")
    expect(table).to_contain_text("马良坪村团支部")
    expect(page.locator(".ant-breadcrumb")).to_contain_text("马良镇团委")
