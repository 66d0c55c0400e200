"""Issue 14, item 4: a unit's members and tokens act with every role the unit holds, so managing them needs the
manager's own rights wherever the unit holds a role; nobody adds or removes themselves."""

import pytest

from permissions import services
from tests.permissions.helpers import SYSTEM, gid, org

pytestmark = pytest.mark.django_db

ADD = "mutation($input: UnitMemberInput!) { addUnitMember(input: $input) { errors { field code message } } }"
REMOVE = "mutation($input: UnitMemberInput!) { removeUnitMember(input: $input) { errors { field code } } }"
TOKEN = """mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token errors { field code message } } }"""
UNIT = "保康县农商行"  # holds the PARTNER role at 共青团保康县委 (demo)


def members(unit=UNIT) -> set[str]:
    return set(services.unit_group(org(unit)).user_set.values_list("username", flat=True))


def member_input(username: str) -> dict:
    return {"input": {"unitId": gid("Organization", org(UNIT).pk), "username": username}}


def test_an_admin_cannot_add_or_remove_himself(as_user):
    admin = as_user("baokang_league_admin")
    assert admin(ADD, member_input("baokang_league_admin"))["addUnitMember"]["errors"][0]["code"] == "SELF_MEMBERSHIP"
    assert "baokang_league_admin" not in members()
    services.add_unit_member(SYSTEM, unit_id=org(UNIT).pk, username="baokang_league_admin")
    assert admin(REMOVE, member_input("baokang_league_admin"))["removeUnitMember"]["errors"][0]["code"] == "SELF_MEMBERSHIP"


def test_within_his_own_scope_an_admin_manages_the_units_members(as_user):
    admin = as_user("baokang_league_admin")
    assert admin(ADD, member_input("maliang_league_staff"))["addUnitMember"]["errors"] == []
    assert "maliang_league_staff" in members()
    assert admin(REMOVE, member_input("maliang_league_staff"))["removeUnitMember"]["errors"] == []


def test_a_unit_holding_a_role_beyond_the_admin_is_not_his_to_staff(as_user):
    # the bank also holds a VIEWER role in 怀化's women's federation tree, which 保康's admin does not manage
    services.grant_role(SYSTEM, organization_id=org("怀化市妇联").pk, role="VIEWER", unit_id=org(UNIT).pk)
    [error] = as_user("baokang_league_admin")(ADD, member_input("maliang_league_staff"))["addUnitMember"]["errors"]
    assert error["code"] == "UNIT_BEYOND_YOU" and "怀化市妇联" in error["message"]
    assert "maliang_league_staff" not in members()
    # the neighbour's admin cannot even see the bank, which sits in 保康's tree
    [error] = as_user("huaihua_wf_admin")(ADD, member_input("maliang_league_staff"))["addUnitMember"]["errors"]
    assert error["code"] == "NOT_FOUND"


def test_a_token_never_exceeds_its_creators_own_scope(as_user):
    services.grant_role(SYSTEM, organization_id=org("怀化市妇联").pk, role="VIEWER", unit_id=org(UNIT).pk)
    admin = as_user("baokang_league_admin")
    base = {"organizationId": gid("Organization", org(UNIT).pk), "name": "对接"}
    # children.view_child is what the bank holds in 怀化 only: a token with it would read 怀化's roster
    beyond = admin(TOKEN, {"input": {**base, "permissions": ["children.view_child"]}})["createApiToken"]
    assert beyond["token"] is None and beyond["errors"][0]["code"] == "UNIT_BEYOND_YOU"
    # so is the published board, which the VIEWER role in 怀化 includes
    beyond = admin(TOKEN, {"input": {**base, "permissions": ["wishes.view_published_wish"]}})["createApiToken"]
    assert beyond["errors"][0]["code"] == "UNIT_BEYOND_YOU"
    # claiming, which the bank holds only inside 保康, is the admin's to hand on
    within = admin(TOKEN, {"input": {**base, "permissions": ["wishes.claim_wish"]}})["createApiToken"]
    assert within["errors"] == [] and within["token"]
