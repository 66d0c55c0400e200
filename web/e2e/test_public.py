"""Issue 20 in a real browser at a phone's width: the public wish board without signing in (the child as surname
and age only), a donor registering with the SMS code and claiming a share, then following it on 我的认领; a
partner unit's member in the console's partner view claiming for the unit. Screenshots are language-scanned."""

import re

import pytest
from playwright.sync_api import expect

from conftest import assert_fits, login, phone, screenshot, server_shell

pytestmark = pytest.mark.usefixtures("live_server")

DONOR_PHONE = "13900009999"
CODE = "246810"


def read_the_sms(phone_number: str, code: str) -> None:
    """What the donor reads in the SMS (the development backend only logs it): the code sent is made ``code``."""
    server_shell(f"""
from core.crypto import blind_index
from donors.models import PhoneCode
from donors.services import _code_hash
index = blind_index({phone_number!r})
assert PhoneCode.objects.filter(phone_index=index, used_at__isnull=True).update(code_hash=_code_hash(index, {code!r})) == 1
""")


def test_the_public_board_shows_wishes_to_anyone_at_phone_width(new_context):
    page = phone(new_context)
    page.goto("/public/wishes")
    cards = page.get_by_test_id("public-wish")
    expect(cards.first).to_be_visible()
    text = page.locator("body").inner_text()
    assert "张小明" not in text and "李小红" not in text  # demo children: surname and age only
    assert re.search(r"[张李王]同学 · \d+岁", text)
    expect(page.get_by_test_id("pager-total")).to_contain_text("个心愿")
    assert_fits(page)
    screenshot(page, "public-wishes")

    page.get_by_test_id("filter-category").click()
    page.locator(".ant-select-dropdown:visible .ant-select-item-option", has_text="学习用品").click()
    expect(page).to_have_url(re.compile(r"category=STUDY_SUPPLIES"))
    tags = cards.locator(".ant-card-extra")
    expect(tags.filter(has_not_text="学习用品")).to_have_count(0)  # the filtered page has replaced the first
    expect(tags.first).to_have_text("学习用品")


def test_a_donor_registers_with_the_code_and_claims_a_share_on_a_phone(new_context):
    page = phone(new_context)
    page.goto("/public/wishes")
    card = page.get_by_test_id("public-wish").first
    title = card.locator(".ant-card-head-title").inner_text()
    card.get_by_test_id("claim-button").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("手机号").fill(DONOR_PHONE)
    dialog.get_by_test_id("send-code").click()
    expect(dialog.get_by_test_id("send-code")).to_contain_text("秒后重发")
    read_the_sms(DONOR_PHONE, CODE)
    dialog.get_by_label("验证码").fill(CODE)
    dialog.get_by_label("称呼（首次登记时填写）").fill("爱心妈妈")
    dialog.get_by_role("button", name="登记 / 登录").click()

    dialog.get_by_text("认领一份").click()
    dialog.get_by_label("认领金额").fill("20")
    dialog.get_by_test_id("confirm-claim").click()
    expect(page).to_have_url(re.compile(r"/public/donor"))
    claim = page.get_by_test_id("claim-card").filter(has_text=title).first
    expect(claim).to_contain_text("我认领了 20 元")
    expect(claim.get_by_test_id("claim-progress")).to_contain_text("圆梦")
    assert_fits(page)
    screenshot(page, "donor-claims")

    claim.get_by_role("button", name="取消认领").click()
    page.get_by_role("button", name="取消认领").last.click()  # the confirmation's button
    expect(page.get_by_test_id("claim-card").filter(has_text=title)).to_have_count(0)


def test_a_unit_member_claims_for_the_unit_in_the_partner_view(new_context):
    unit = phone(new_context)
    login(unit, "nongshang_donor")
    expect(unit.get_by_test_id("acting-unit")).to_contain_text("保康县农商行")
    unit.get_by_test_id("menu-button").click()
    menu = unit.get_by_role("menu", name="主菜单")
    assert menu.get_by_role("menuitem").all_inner_texts() == ["认领心愿", "我的认领", "派单答复"]
    menu.get_by_role("menuitem", name="认领心愿").click()
    card = unit.get_by_test_id("row-card").first
    title = card.locator(".ant-card-head-title b").inner_text()
    card.get_by_test_id("unit-claim-button").click()
    unit.get_by_test_id("confirm-unit-claim").click()
    expect(unit.get_by_text("已为单位认领")).to_be_visible()

    unit.get_by_test_id("menu-button").click()
    unit.get_by_role("menuitem", name="我的认领").click()
    claim = unit.get_by_test_id("claim-card").filter(has_text=title).first
    expect(claim).to_contain_text("保康县农商行认领")
    assert_fits(unit)
    screenshot(unit, "partner-claims")
