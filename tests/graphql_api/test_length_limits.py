"""Names and free text have length limits in the services (TOO_LONG, a typed error naming the field, in the
request's language); the web forms mirror them with maxLength. A 42-character name is refused, nothing saved."""

import pytest

from children.models import Child
from core.errors import NAME_MAX, TITLE_MAX
from programs.models import HappyHome, Volunteer
from tests.children.test_registry import CREATE, new_child_input
from tests.programs.helpers import gid, mutate, org
from wishes.models import Wish

pytestmark = pytest.mark.django_db

LONG_NAME = "欧阳" * 21  # 42 characters

HOME = """mutation($input: HappyHomeInput!) { createHappyHome(input: $input) { happyHome { id } errors { field code message } } }"""
VOLUNTEER = """mutation($input: VolunteerInput!) { createVolunteer(input: $input) { volunteer { id } errors { field code message } } }"""
WISH = """mutation($input: CollectWishInput!) { collectWish(input: $input) { wish { id } errors { field code message } } }"""


def test_a_42_character_child_name_is_refused_with_a_typed_error(as_user):
    staff = as_user("maliang_league_staff")
    from demo.data import id_number

    result = staff(CREATE, {"input": new_child_input(org("马良镇团委"), id_number("420626", "20150606", 12), name=LONG_NAME)})
    errors = result["createChild"]["errors"]
    assert {(e["field"], e["code"], e["message"]) for e in errors} == {("name", "TOO_LONG", f"不能超过 {NAME_MAX} 个字。")}
    assert not Child.objects.filter(name=LONG_NAME).exists()


def test_site_volunteer_and_wish_names_are_limited(as_user):
    staff = as_user("maliang_league_staff")
    maliang = gid("Organization", org("马良镇团委").pk)
    site = mutate(staff, HOME, {"input": {"organizationId": maliang, "name": "家" * (TITLE_MAX + 1), "address": "址" * 101}},
                  "createHappyHome")
    assert {(e["field"], e["code"]) for e in site["errors"]} == {("name", "TOO_LONG"), ("address", "TOO_LONG")}
    person = mutate(staff, VOLUNTEER, {"input": {"organizationId": maliang, "name": LONG_NAME, "origin": "WULAO"}},
                    "createVolunteer")
    assert [(e["field"], e["code"]) for e in person["errors"]] == [("name", "TOO_LONG")]
    wish = mutate(staff, WISH, {"input": {"organizationId": maliang, "title": "愿" * (TITLE_MAX + 1), "category": "ITEM",
                                          "estimatedValue": "10", "household": "某户"}}, "collectWish")
    assert [(e["field"], e["code"]) for e in wish["errors"]] == [("title", "TOO_LONG")]
    assert not HappyHome.objects.filter(address="址" * 101).exists() and not Volunteer.objects.filter(name=LONG_NAME).exists()
    assert not Wish.objects.filter(household="某户").exists()
    at_limit = mutate(staff, HOME, {"input": {"organizationId": maliang, "name": "家" * TITLE_MAX}}, "createHappyHome")
    assert at_limit["errors"] == []


def test_too_long_speaks_english_when_asked(as_user):
    from django.utils import translation

    from core.errors import CommonErrorCode

    with translation.override("en"):
        assert CommonErrorCode.TOO_LONG.render(limit=20) == "At most 20 characters."
