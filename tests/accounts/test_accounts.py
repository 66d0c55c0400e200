"""Accounts over HTTP: an org admin creates a township cadre who must change the initial password before doing
anything else; deactivate, reactivate, reset, unlock; the list of people with their roles; every rule about
whose account an admin may touch, with neighbours kept out; every step audited without a password."""

import importlib
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Profile
from demo.loader import password as demo_password
from permissions import services as access
from permissions.actor import Actor
from permissions.models import AuditEntry, Membership
from tests.conftest import GraphQLClient, user
from tests.permissions.helpers import SYSTEM, codes, gid, grant, new_user, org, pk_of

pytestmark = pytest.mark.django_db

CREATE = """
mutation Create($input: CreateAccountInput!) {
  createAccount(input: $input) {
    initialPassword
    account { id username displayName phone mustChangePassword isActive manageable organization { name }
              roles { role subtree expiresAt organization { name } } }
    errors { field code message }
  }
}"""
ACCOUNTS = """
query Accounts($filters: AccountFilter) {
  accounts(first: 100, filters: $filters) {
    totalCount
    edges { node { id username displayName isActive lastLogin lockedOut manageable unitNames
                   roles { role organization { name } } } }
  }
}"""
DEACTIVATE = "mutation($id: ID!) { deactivateAccount(input: {id: $id}) { account { isActive } errors { field code message } } }"
REACTIVATE = "mutation($id: ID!) { reactivateAccount(input: {id: $id}) { account { isActive } errors { field code message } } }"
RESET = "mutation($id: ID!) { resetPassword(input: {id: $id}) { initialPassword account { mustChangePassword } errors { field code message } } }"
UNLOCK = "mutation($id: ID!) { unlockAccount(input: {id: $id}) { account { lockedOut } errors { field code message } } }"
UPDATE = """mutation($input: UpdateAccountInput!) { updateAccount(input: $input) { account { displayName phone email }
  errors { field code message } } }"""
LOGIN = """mutation($username: String!, $password: String!) {
  login(input: {username: $username, password: $password}) { mustChangePassword user { username displayName } errors { code } } }"""
CHANGE_MINE = """mutation($old: String!, $new: String!) {
  changeMyPassword(input: {oldPassword: $old, newPassword: $new}) { ok errors { field code message } } }"""
ME = "{ me { username displayName mustChangePassword } }"
SETTINGS = """mutation($input: UpdateMySettingsInput!) { updateMySettings(input: $input) {
  settings { phone email notifyByEmail notifyBySms language } errors { field code } } }"""


def account_id(username: str) -> str:
    return gid("Account", user(username).pk)


def new_cadre(admin, username="liu_maliang", organization="马良镇团委", role="STAFF", **extra) -> dict:
    variables = {"input": {"username": username, "displayName": "刘晓燕", "phone": "13900001234",
                           "organizationId": gid("Organization", org(organization).pk), "role": role, **extra}}
    return admin(CREATE, variables)["createAccount"]


def sign_in(username: str, password: str) -> tuple[GraphQLClient, dict]:
    client = GraphQLClient()
    return client, client(LOGIN, {"username": username, "password": password})["login"]


def test_a_county_admin_creates_a_township_cadre_who_must_change_the_password_first(as_user):
    # given 保康's league admin
    admin = as_user("baokang_league_admin")
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()

    # when it creates a staff account at 马良镇团委
    created = new_cadre(admin)

    # then the account exists with its role there, and a random initial password is shown this once
    assert created["errors"] == []
    account, password = created["account"], created["initialPassword"]
    assert account == {"id": account["id"], "username": "liu_maliang", "displayName": "刘晓燕", "phone": "13900001234",
                       "mustChangePassword": True, "isActive": True, "manageable": True,
                       "organization": {"name": "马良镇团委"},
                       "roles": [{"role": "STAFF", "subtree": True, "expiresAt": None, "organization": {"name": "马良镇团委"}}]}
    assert len(password) == 12 and user("liu_maliang").check_password(password)
    # audited as the admin's name, never with the password
    entries = AuditEntry.objects.filter(id__gt=before).order_by("id")
    assert [e.action for e in entries] == ["account.create", "membership.grant"]
    assert {e.actor_label for e in entries} == {"保康团县委管理员"}
    assert all(password not in str(e.changes) for e in entries)

    # when the cadre signs in, the login says the password must change, and nothing else may be done until it is
    cadre, login = sign_in("liu_maliang", password)
    assert login == {"mustChangePassword": True, "user": {"username": "liu_maliang", "displayName": "刘晓燕"}, "errors": []}
    assert cadre(ME)["me"]["mustChangePassword"] is True
    refused = cadre.post("{ organizations(first: 1) { totalCount } }").json()
    assert refused["data"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["PASSWORD_CHANGE_REQUIRED"]
    assert "须先修改密码" in refused["errors"][0]["message"]
    sneaky = cadre.post("query Q { ...F } fragment F on Query { me { username } wishes(first: 1) { totalCount } }").json()
    assert sneaky["errors"][0]["extensions"]["code"] == "PASSWORD_CHANGE_REQUIRED"

    # a wrong current password, the same password, a weak one: typed errors
    assert codes(cadre(CHANGE_MINE, {"old": "nope", "new": "Qingshan-2026-x"})["changeMyPassword"]) == ["WRONG_PASSWORD"]
    assert codes(cadre(CHANGE_MINE, {"old": password, "new": password})["changeMyPassword"]) == ["PASSWORD_UNCHANGED"]
    weak = cadre(CHANGE_MINE, {"old": password, "new": "12345678"})["changeMyPassword"]
    assert codes(weak) == ["PASSWORD_INVALID"] and "密码" in weak["errors"][0]["message"]

    # when it changes the password, the same session goes on and may work
    assert cadre(CHANGE_MINE, {"old": password, "new": "Qingshan-2026-x"})["changeMyPassword"] == {"ok": True, "errors": []}
    assert cadre(ME)["me"]["mustChangePassword"] is False
    assert cadre("{ organizations(first: 1) { totalCount } }")["organizations"]["totalCount"] > 0
    assert AuditEntry.objects.filter(action="account.password_change", actor_user=user("liu_maliang")).count() == 1
    # and the next sign-in asks nothing
    assert sign_in("liu_maliang", "Qingshan-2026-x")[1]["mustChangePassword"] is False


def test_a_neighbours_admin_is_kept_out(as_user):
    # given a cadre of 保康's league tree
    cadre = new_cadre(as_user("baokang_league_admin"))["account"]["id"]
    huaihua = as_user("huaihua_wf_admin")

    # then 怀化's admin can neither create an account in 保康 nor see, deactivate, reset or unlock 保康's people
    assert codes(new_cadre(huaihua, username="intruder")) == ["NOT_FOUND"]
    assert not get_user_model().objects.filter(username="intruder").exists()
    listed = {n["node"]["username"] for n in huaihua(ACCOUNTS)["accounts"]["edges"]}
    assert "liu_maliang" not in listed and "maliang_league_staff" not in listed
    for mutation, field in ((DEACTIVATE, "deactivateAccount"), (RESET, "resetPassword"), (UNLOCK, "unlockAccount")):
        assert codes(huaihua(mutation, {"id": cadre})[field]) == ["NOT_FOUND"]
    assert huaihua("query($id: ID!) { account(id: $id) { id } }", {"id": cadre})["account"] is None
    # nor does 保康's admin reach 怀化's staff
    assert codes(as_user("baokang_league_admin")(DEACTIVATE, {"id": account_id("huaihua_wf_admin")})["deactivateAccount"]) == ["NOT_FOUND"]


def test_a_township_admin_works_below_its_node_only(as_user):
    # given an admin of 马良镇团委
    new_user("maliang_admin")
    grant("maliang_admin", org("马良镇团委"), "ORG_ADMIN")
    township = as_user("maliang_admin")

    # then it creates accounts at its township and a village below, not at the county above nor at a sibling township
    assert new_cadre(township, username="sancha_clerk", organization="三岔村团支部", role="DATA_ENTRY")["errors"] == []
    assert codes(new_cadre(township, username="county_clerk", organization="共青团保康县委")) == ["NOT_FOUND"]
    assert codes(new_cadre(township, username="huangbao_clerk", organization="黄堡镇团委")) == ["NOT_FOUND"]
    # it lists the people of 马良镇 and below, not the county's admin nor 黄堡镇's staff
    listed = {n["node"]["username"] for n in township(ACCOUNTS)["accounts"]["edges"]}
    assert {"sancha_clerk", "maliang_league_staff"} <= listed
    assert not listed & {"baokang_league_admin", "huangbao_league_staff", "auditor_baokang"}
    # and may not touch the county admin, whom it cannot see
    assert codes(township(DEACTIVATE, {"id": account_id("baokang_league_admin")})["deactivateAccount"]) == ["NOT_FOUND"]


def test_a_person_who_also_holds_a_role_elsewhere_is_not_the_admins_to_manage(as_user):
    # given a person with a role at 马良镇团委 and one at 保康县妇联 (the other tree)
    new_user("two_hats")
    grant("two_hats", org("马良镇团委"), "VIEWER")
    grant("two_hats", org("保康县妇联"), "VIEWER")
    admin = as_user("baokang_league_admin")

    # then the league admin sees them with the league role only, marked as not its to manage
    node = next(n["node"] for n in admin(ACCOUNTS)["accounts"]["edges"] if n["node"]["username"] == "two_hats")
    assert node["roles"] == [{"role": "VIEWER", "organization": {"name": "马良镇团委"}}] and node["manageable"] is False
    # and deactivating, resetting or unlocking is refused, changing nothing
    for mutation, field in ((DEACTIVATE, "deactivateAccount"), (RESET, "resetPassword"), (UNLOCK, "unlockAccount")):
        assert codes(admin(mutation, {"id": account_id("two_hats")})[field]) == ["MANAGED_ELSEWHERE"]
    assert user("two_hats").is_active and user("two_hats").check_password("x-test-pass")
    # the platform itself (above both trees) may
    assert access.may_manage(SYSTEM, Membership.objects.get(user=user("two_hats"), organization=org("保康县妇联")))


def test_nobody_manages_their_own_account_through_these(as_user):
    admin = as_user("baokang_league_admin")
    me = account_id("baokang_league_admin")
    for mutation, field in ((DEACTIVATE, "deactivateAccount"), (RESET, "resetPassword"), (UNLOCK, "unlockAccount")):
        assert codes(admin(mutation, {"id": me})[field]) == ["SELF_ACCOUNT"]
    assert codes(admin(UPDATE, {"input": {"id": me, "displayName": "我"}})["updateAccount"]) == ["SELF_ACCOUNT"]


def test_staff_without_the_membership_permission_may_not(as_user):
    staff = as_user("maliang_league_staff")
    assert codes(new_cadre(staff, username="by_staff")) == ["PERMISSION_DENIED"]
    assert staff(ACCOUNTS)["accounts"]["totalCount"] == 0
    assert codes(staff(DEACTIVATE, {"id": account_id("huangbao_league_staff")})["deactivateAccount"]) == ["NOT_FOUND"]


def test_creation_errors_are_typed_and_change_nothing(as_user):
    admin = as_user("baokang_league_admin")
    count = get_user_model().objects.count()
    assert codes(new_cadre(admin, username="x")) == ["USERNAME_INVALID"]
    assert codes(new_cadre(admin, username="maliang_league_staff")) == ["USERNAME_TAKEN"]
    assert codes(new_cadre(admin, username="MaLiang_League_Staff")) == ["USERNAME_TAKEN"]
    assert codes(new_cadre(admin, displayName="", phone="12345", email="not-an-address")) == \
        ["DISPLAY_NAME_REQUIRED", "PHONE_INVALID", "EMAIL_INVALID"]
    assert codes(new_cadre(admin, expiresAt=(timezone.now() - timedelta(days=1)).isoformat())) == ["EXPIRY_IN_PAST"]
    assert get_user_model().objects.count() == count
    english = admin.post(CREATE, {"input": {"username": "x", "displayName": "x", "role": "STAFF",
                                            "organizationId": gid("Organization", org("马良镇团委").pk)}},
                         HTTP_ACCEPT_LANGUAGE="en").json()["data"]["createAccount"]["errors"][0]["message"]
    assert english.startswith("A username is")


def test_no_role_beyond_the_granters_own_permissions(as_user, as_token):
    # given a unit whose group is ORG_ADMIN at 马良镇团委, and its token holding only the membership permission
    unit = org("保康县农商行")
    access.grant_role(SYSTEM, organization_id=org("马良镇团委").pk, role="ORG_ADMIN", unit_id=unit.pk)
    _token, secret = access.create_token(SYSTEM, organization_id=unit.pk, name="成员管理",
                                         permissions=["orgs.view_organization", "permissions.manage_membership"])
    token = as_token(secret)
    # then it may not create an account with a role whose permissions it does not hold (nor grant one)
    assert codes(new_cadre(token, username="escalated", role="VIEWER")) == ["ROLE_NOT_GRANTABLE"]
    new_user("grantee")
    granted = token("""mutation($org: ID!) { grantRole(input: {organizationId: $org, username: "grantee", role: VIEWER}) {
        errors { code } } }""", {"org": gid("Organization", org("马良镇团委").pk)})["grantRole"]
    assert codes(granted) == ["ROLE_NOT_GRANTABLE"]
    assert not get_user_model().objects.filter(username="escalated").exists()


def test_deactivation_ends_the_session_and_reactivation_restores_the_account(as_user):
    # given a cadre signed in
    admin = as_user("baokang_league_admin")
    created = new_cadre(admin)
    cadre, _ = sign_in("liu_maliang", created["initialPassword"])
    account = created["account"]["id"]

    # when the admin deactivates it, its session is over and it cannot sign in
    assert admin(DEACTIVATE, {"id": account})["deactivateAccount"] == {"account": {"isActive": False}, "errors": []}
    assert cadre(ME)["me"] is None
    assert sign_in("liu_maliang", created["initialPassword"])[1]["errors"] == [{"code": "INVALID_CREDENTIALS"}]
    assert codes(admin(DEACTIVATE, {"id": account})["deactivateAccount"]) == ["ALREADY_INACTIVE"]
    listed = admin(ACCOUNTS, {"filters": {"active": False}})["accounts"]
    assert [n["node"]["username"] for n in listed["edges"]] == ["liu_maliang"]

    # when reactivated, it signs in again with its role kept
    assert admin(REACTIVATE, {"id": account})["reactivateAccount"] == {"account": {"isActive": True}, "errors": []}
    assert codes(admin(REACTIVATE, {"id": account})["reactivateAccount"]) == ["ALREADY_ACTIVE"]
    assert sign_in("liu_maliang", created["initialPassword"])[1]["errors"] == []
    assert [e.action for e in AuditEntry.objects.filter(target_type="auth.User", target_id=str(pk_of(account)))
            .order_by("id")] == ["account.create", "account.deactivate", "account.reactivate"]


def test_a_reset_password_is_shown_once_ends_sessions_and_must_be_changed(as_user):
    admin = as_user("baokang_league_admin")
    staff = as_user("maliang_league_staff")
    reset = admin(RESET, {"id": account_id("maliang_league_staff")})["resetPassword"]
    assert reset["errors"] == [] and reset["account"] == {"mustChangePassword": True}
    # the open session of that person ends; the new password signs in and must be changed first
    assert staff(ME)["me"] is None
    _client, login = sign_in("maliang_league_staff", reset["initialPassword"])
    assert login["mustChangePassword"] is True
    entry = AuditEntry.objects.get(action="account.password_reset")
    assert entry.organization == org("马良镇团委") and reset["initialPassword"] not in str(entry.changes)


@pytest.fixture
def demo_hashers(settings):
    """The real hashers: demo passwords were hashed with Argon2 when the test database was set up."""
    settings.PASSWORD_HASHERS = importlib.import_module("config.settings").PASSWORD_HASHERS


def test_an_admin_unlocks_an_account_locked_by_failed_sign_ins(as_user, settings, demo_hashers):
    # given an account locked out by failed sign-ins
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("huangbao_league_staff", "wrong")
    assert sign_in("huangbao_league_staff", demo_password())[1]["errors"] == [{"code": "LOCKED_OUT"}]
    admin = as_user("baokang_league_admin")
    locked = {n["node"]["username"]: n["node"]["lockedOut"] for n in admin(ACCOUNTS)["accounts"]["edges"]}
    assert locked["huangbao_league_staff"] is True and locked["maliang_league_staff"] is False

    # when the admin unlocks it, it signs in again
    unlocked = admin(UNLOCK, {"id": account_id("huangbao_league_staff")})["unlockAccount"]
    assert unlocked == {"account": {"lockedOut": False}, "errors": []}
    assert sign_in("huangbao_league_staff", demo_password())[1]["errors"] == []
    assert AuditEntry.objects.get(action="account.unlock").changes["username"] == "huangbao_league_staff"


def test_the_list_shows_people_at_and_below_with_roles_units_and_last_sign_in(as_user, demo_hashers):
    admin = as_user("baokang_league_admin")
    sign_in("maliang_league_staff", demo_password())
    new_user("nongshang_clerk")
    access.add_unit_member(SYSTEM, unit_id=org("保康县农商行").pk, username="nongshang_clerk")

    nodes = {n["node"]["username"]: n["node"] for n in admin(ACCOUNTS)["accounts"]["edges"]}

    assert {"maliang_league_staff", "huangbao_league_staff", "auditor_baokang", "nongshang_clerk"} <= set(nodes)
    assert not set(nodes) & {"huaihua_wf_admin", "baokang_wf_staff", "shiqiao_wf_staff", "platform_admin",
                             "xiangyang_league_viewer"}
    maliang = nodes["maliang_league_staff"]
    assert maliang["displayName"] == "马良镇团委干部" and maliang["lastLogin"] is not None
    assert maliang["roles"] == [{"role": "STAFF", "organization": {"name": "马良镇团委"}}]
    assert nodes["nongshang_clerk"]["unitNames"] == ["保康县农商行"] and nodes["nongshang_clerk"]["manageable"] is True
    # filters: a unit's members, a subtree, a role, a name
    unit = admin(ACCOUNTS, {"filters": {"unit": gid("Organization", org("保康县农商行").pk)}})["accounts"]
    assert [n["node"]["username"] for n in unit["edges"]] == ["nongshang_clerk"]
    township = admin(ACCOUNTS, {"filters": {"organization": gid("Organization", org("马良镇团委").pk)}})["accounts"]
    assert [n["node"]["username"] for n in township["edges"]] == ["maliang_league_staff"]
    auditors = admin(ACCOUNTS, {"filters": {"role": "AUDITOR"}})["accounts"]
    assert [n["node"]["username"] for n in auditors["edges"]] == ["auditor_baokang"]
    assert [n["node"]["username"] for n in admin(ACCOUNTS, {"filters": {"search": "黄堡"}})["accounts"]["edges"]] == \
        ["huangbao_league_staff"]

    # one account, as the console's roles drawer reads it: its units and whether it is the admin's to manage
    one = admin("""query($id: ID!) { account(id: $id) { unitNames manageable roles { role } } }""",
                {"id": nodes["nongshang_clerk"]["id"]})["account"]
    assert one == {"unitNames": ["保康县农商行"], "manageable": True, "roles": []}


def test_a_page_of_accounts_costs_the_same_queries_however_many(as_user):
    admin = as_user("baokang_league_admin")
    query = ACCOUNTS.replace("first: 100", "first: 50")

    def cost() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            total = admin(query)["accounts"]["totalCount"]
        return len(captured), total

    cost()
    few, n_few = cost()
    for number in range(5):
        new_cadre(admin, username=f"cadre_{number}")
    cost()  # warm again: the grants changed the scope version
    many, n_many = cost()
    assert n_many == n_few + 5 and many == few


def test_an_admin_edits_a_name_and_a_person_chooses_their_channels(as_user):
    admin = as_user("baokang_league_admin")
    edited = admin(UPDATE, {"input": {"id": account_id("maliang_league_staff"), "displayName": "王建国",
                                      "phone": "13700001111"}})["updateAccount"]
    assert edited == {"account": {"displayName": "王建国", "phone": "13700001111", "email": ""}, "errors": []}
    # what the person does from now on is recorded under that name
    assert Actor.for_user(user("maliang_league_staff")).label == "王建国"

    staff = as_user("maliang_league_staff")
    assert codes(staff(SETTINGS, {"input": {"notifyByEmail": True}})["updateMySettings"]) == ["EMAIL_REQUIRED"]
    assert codes(staff(SETTINGS, {"input": {"phone": "", "notifyBySms": True}})["updateMySettings"]) == ["PHONE_REQUIRED"]
    chosen = staff(SETTINGS, {"input": {"email": "wang@example.cn", "notifyByEmail": True, "notifyBySms": True,
                                        "language": "EN"}})["updateMySettings"]
    assert chosen == {"settings": {"phone": "13700001111", "email": "wang@example.cn", "notifyByEmail": True,
                                   "notifyBySms": True, "language": "EN"}, "errors": []}
    profile = Profile.objects.get(user=user("maliang_league_staff"))
    assert (profile.notify_by_email, profile.notify_by_sms, profile.language) == (True, True, "en")


def test_editing_and_reactivating_follow_the_same_rules(as_user):
    new_user("two_hats")
    grant("two_hats", org("马良镇团委"), "VIEWER")
    grant("two_hats", org("保康县妇联"), "VIEWER")
    admin, huaihua = as_user("baokang_league_admin"), as_user("huaihua_wf_admin")
    staff = account_id("maliang_league_staff")
    assert codes(huaihua(UPDATE, {"input": {"id": staff, "displayName": "改名"}})["updateAccount"]) == ["NOT_FOUND"]
    assert codes(huaihua(REACTIVATE, {"id": staff})["reactivateAccount"]) == ["NOT_FOUND"]
    assert codes(admin(UPDATE, {"input": {"id": account_id("two_hats"), "displayName": "改名"}})["updateAccount"]) == \
        ["MANAGED_ELSEWHERE"]
    assert codes(admin(UPDATE, {"input": {"id": staff, "displayName": "", "phone": "110"}})["updateAccount"]) == \
        ["DISPLAY_NAME_REQUIRED", "PHONE_INVALID"]
    assert user("maliang_league_staff").get_full_name() == "马良镇团委干部"


def test_a_token_has_no_password_or_settings_of_its_own(as_token, demo_token):
    token = as_token(demo_token)
    assert codes(token(CHANGE_MINE, {"old": "a", "new": "b"})["changeMyPassword"]) == ["NOT_A_PERSON"]
    assert codes(token(SETTINGS, {"input": {"notifyBySms": True}})["updateMySettings"]) == ["NOT_A_PERSON"]
    assert token("{ mySettings { phone } }")["mySettings"] is None


def test_a_persons_own_phone_is_checked(as_user):
    staff = as_user("maliang_league_staff")
    assert codes(staff(SETTINGS, {"input": {"phone": "12345"}})["updateMySettings"]) == ["PHONE_INVALID"]
    assert staff("{ mySettings { phone notifyBySms language } }")["mySettings"] == \
        {"phone": "", "notifyBySms": False, "language": "ZH"}
