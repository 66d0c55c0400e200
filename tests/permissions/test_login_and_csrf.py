"""Session login through GraphQL (typed errors, axes lockout), CSRF on every session POST, Argon2 for
stored passwords, and what an anonymous caller gets: empty lists, null, NOT_FOUND — nothing leaks."""

import importlib
import json

import pytest
from django.conf import settings as django_settings
from django.test import Client

from demo import data
from demo.loader import password as demo_password
from orgs.models import Organization
from permissions.models import ApiToken, AuditEntry, Membership
from tests.conftest import user
from tests.permissions.helpers import codes, gid, new_user, org

pytestmark = pytest.mark.django_db

LOGIN = """
mutation Login($username: String!, $password: String!) {
  login(input: {username: $username, password: $password}) { user { username displayName } errors { field code message } }
}
"""

ME = "{ me { username permissions } }"

LOGOUT = "mutation Logout { logout { ok } }"

ANONYMOUS = """
query Anonymous($org: ID!, $membership: ID!, $token: ID!, $entry: ID!) {
  organizations(first: 100, includeArchived: true) { totalCount edges { node { id } } }
  memberships(first: 100) { totalCount edges { node { id } } }
  apiTokens(first: 100) { totalCount edges { node { id } } }
  auditEntries(first: 100) { totalCount edges { node { id } } }
  me { username }
  organization(id: $org) { id }
  orgNode: node(id: $org) { id }
  membershipNode: node(id: $membership) { id }
  tokenNode: node(id: $token) { id }
  entryNode: node(id: $entry) { id }
}
"""


class Browser:
    """A web client the way the front end behaves: CSRF enforced, token read from /auth/csrf/ and the cookie."""

    def __init__(self):
        self.client = Client(enforce_csrf_checks=True)

    def fetch_csrf(self) -> str:
        response = self.client.get("/auth/csrf/")
        assert response.status_code == 200
        token = response.json()["csrfToken"]
        assert token and self.client.cookies["csrftoken"].value
        return token

    def post(self, query, variables=None, csrf: str | None = None):
        extra = {"HTTP_X_CSRFTOKEN": csrf} if csrf else {}
        return self.client.post("/graphql", json.dumps({"query": query, "variables": variables or {}}),
                                content_type="application/json", **extra)

    def cookie_csrf(self) -> str:
        return self.client.cookies["csrftoken"].value

    def login(self, username, password):
        response = self.post(LOGIN, {"username": username, "password": password}, csrf=self.fetch_csrf())
        assert response.status_code == 200, response.content
        return response.json()["data"]["login"]

    def me(self):
        response = self.post(ME, csrf=self.cookie_csrf())
        assert response.status_code == 200
        return response.json()["data"]["me"]


@pytest.fixture
def browser():
    return Browser()


@pytest.fixture
def person():
    return new_user("login_person", password="correct-horse-42")


def test_login_starts_a_session(browser, person):
    # when a user signs in with the right password
    payload = browser.login("login_person", "correct-horse-42")

    # then it is returned without errors, and the session knows who it is on the next request
    assert payload == {"user": {"username": "login_person", "displayName": "login_person"}, "errors": []}
    assert browser.me()["username"] == "login_person"


def test_wrong_password_is_a_typed_error(browser, person):
    # when a user signs in with a wrong password
    payload = browser.login("login_person", "wrong")

    # then the answer is HTTP 200 with INVALID_CREDENTIALS on the password field, and no session
    assert payload["user"] is None
    assert payload["errors"] == [{"field": "password", "code": "INVALID_CREDENTIALS", "message": "用户名或密码错误。"}]
    assert browser.me() is None


def test_unknown_user_reads_like_a_wrong_password(browser, person):
    unknown = browser.login("nobody_here", "wrong")
    wrong = Browser().login("login_person", "wrong")
    assert unknown == wrong and codes(unknown) == ["INVALID_CREDENTIALS"]


def test_lockout_after_the_failure_limit(browser, person):
    # given the configured failure limit (with limit N the Nth failure already locks)
    limit = django_settings.AXES_FAILURE_LIMIT
    assert limit >= 2

    # when the user fails that many times
    answers = [codes(browser.login("login_person", f"wrong-{i}")) for i in range(limit)]

    # then the earlier failures are INVALID_CREDENTIALS and the last is LOCKED_OUT, in Chinese, over HTTP 200
    assert answers == [["INVALID_CREDENTIALS"]] * (limit - 1) + [["LOCKED_OUT"]]
    locked = browser.login("login_person", "correct-horse-42")
    assert codes(locked) == ["LOCKED_OUT"] and "锁定" in locked["errors"][0]["message"]

    # and even the right password does not open a session while locked
    assert locked["user"] is None
    assert browser.me() is None

    # while another user from the same address still signs in
    new_user("other_person", password="battery-staple-7")
    assert Browser().login("other_person", "battery-staple-7")["errors"] == []


def test_session_post_without_csrf_is_refused(browser, person):
    # given a signed-in browser
    assert browser.login("login_person", "correct-horse-42")["errors"] == []

    # when it posts without X-CSRFToken, then it is refused with 403, a typed error in the request's language
    refused = browser.post(ME)
    assert refused.status_code == 403 and refused["Content-Type"] == "application/json"
    error = refused.json()["errors"][0]
    assert error["extensions"]["code"] == "CSRF_FAILED" and "刷新页面" in error["message"]

    # when it posts with a wrong token, then too
    assert browser.post(ME, csrf="x" * 32).status_code == 403

    # when it fetches a token from /auth/csrf/ and sends it back, then the request is served as the user
    token = browser.fetch_csrf()
    response = browser.post(ME, csrf=token)
    assert response.status_code == 200 and response.json()["data"]["me"]["username"] == "login_person"


def test_login_rotates_the_csrf_token(browser, person):
    # given a CSRF token fetched before signing in
    before = browser.fetch_csrf()
    browser.post(LOGIN, {"username": "login_person", "password": "correct-horse-42"}, csrf=before)

    # when the old token is sent after login, then it is refused; the rotated cookie works
    assert browser.cookie_csrf() != before
    assert browser.post(ME, csrf=before).status_code == 403
    assert browser.post(ME, csrf=browser.cookie_csrf()).status_code == 200


def test_csrf_endpoint_sets_the_cookie():
    # when an anonymous client fetches /auth/csrf/
    client = Client(enforce_csrf_checks=True)
    response = client.get("/auth/csrf/")

    # then the JSON token and the cookie are set, and only GET is allowed
    assert response.status_code == 200 and set(response.json()) == {"csrfToken"}
    assert "csrftoken" in response.cookies
    assert client.post("/auth/csrf/").status_code in (403, 405)


def test_logout_ends_the_session(browser, person):
    assert browser.login("login_person", "correct-horse-42")["errors"] == []
    response = browser.post(LOGOUT, csrf=browser.cookie_csrf())
    assert response.json()["data"]["logout"] == {"ok": True}
    assert browser.me() is None


def test_demo_passwords_are_hashed_with_argon2():
    # given the real settings module (tests switch the hasher to MD5 per test for speed)
    real = importlib.import_module("config.settings")
    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"

    # then each demo user's password, hashed when the test database was set up, is an Argon2 hash
    for username in [a.username for a in data.DEMO_ACCOUNTS] + [data.SUPERUSER]:
        assert user(username).password.startswith("argon2"), username


def test_demo_user_signs_in_with_the_real_hashers(settings, browser):
    # given the real password hashers
    settings.PASSWORD_HASHERS = importlib.import_module("config.settings").PASSWORD_HASHERS

    # when a demo account signs in with the demo password, then it gets a session
    payload = browser.login("maliang_league_staff", demo_password())
    assert payload["errors"] == [] and browser.me()["username"] == "maliang_league_staff"


# --- anonymous ----------------------------------------------------------------------------------------------


def test_anonymous_sees_nothing(gql):
    # given rows of every kind in the database
    membership, token, entry = Membership.objects.first(), ApiToken.objects.first(), AuditEntry.objects.first()
    variables = {"org": gid("Organization", org("共青团保康县委").pk), "membership": gid("Membership", membership.pk),
                 "token": gid("ApiToken", token.pk), "entry": gid("AuditEntry", entry.pk)}

    # when an anonymous caller asks for each of them
    # then nothing comes back: `me` is null and every other field answers UNAUTHENTICATED (so that a client
    # whose session expired can tell "signed out" from "nothing there")
    for line in ANONYMOUS.strip().splitlines()[1:-1]:
        field = line.split("(")[0].split("{")[0].split(":")[0].strip()
        used = [name for name in variables if f"${name}" in line]
        declared = ", ".join(f"${name}: ID!" for name in used)
        query = f"query{f'({declared})' if used else ''} {{ {line.strip()} }}"
        response = gql.post(query, {name: variables[name] for name in used}).json()
        if field == "me":
            assert response == {"data": {"me": None}}
            continue
        assert [error["extensions"]["code"] for error in response["errors"]] == ["UNAUTHENTICATED"], field
        assert not any((response.get("data") or {}).values()), field


MUTATIONS = [
    ("updateOrganization", 'updateOrganization(input: {id: "%(org)s", name: "匿名改名"}) { organization { id } errors { code } }'),
    ("archiveOrganization", 'archiveOrganization(input: {id: "%(leaf)s"}) { organization { id } errors { code } }'),
    ("moveOrganization", 'moveOrganization(input: {id: "%(leaf)s", newParentId: "%(org)s"}) { organization { id } errors { code } }'),
    ("createOrganization", 'createOrganization(input: {parentId: "%(org)s", name: "匿名团支部", system: LEAGUE, '
                           'kind: LEAGUE_BRANCH, level: VILLAGE}) { organization { id } errors { code } }'),
    ("grantRole", 'grantRole(input: {organizationId: "%(org)s", username: "login_person", role: ORG_ADMIN}) '
                  '{ membership { id } errors { code } }'),
    ("changeRole", 'changeRole(input: {id: "%(membership)s", role: ORG_ADMIN}) { membership { id } errors { code } }'),
    ("revokeRole", 'revokeRole(input: {id: "%(membership)s"}) { ok errors { code } }'),
    ("createApiToken", 'createApiToken(input: {organizationId: "%(unit)s", name: "匿名", permissions: []}) '
                       '{ token apiToken { id } errors { code } }'),
    ("revokeApiToken", 'revokeApiToken(input: {id: "%(token)s"}) { apiToken { id } errors { code } }'),
]


def snapshot():
    return (list(Organization.objects.values_list("id", "name", "parent_id", "path", "archived_at")),
            list(Membership.objects.values_list("id", "user_id", "organization_id", "role", "subtree")),
            list(ApiToken.objects.values_list("id", "revoked_at")),
            AuditEntry.objects.count())


@pytest.mark.parametrize("field, mutation", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_anonymous_mutations_change_nothing(gql, person, field, mutation):
    # given existing objects of every kind
    ids = {"org": gid("Organization", org("马良镇团委").pk), "leaf": gid("Organization", org("三岔村团支部").pk),
           "unit": gid("Organization", org(data.PARTNER_UNIT).pk),
           "membership": gid("Membership", Membership.objects.get(user__username="maliang_league_staff").pk),
           "token": gid("ApiToken", ApiToken.objects.first().pk)}
    before = snapshot()

    # when an anonymous caller runs the mutation
    response = gql.post("mutation { %s }" % (mutation % ids)).json()

    # then it answers UNAUTHENTICATED with no object, and nothing changed
    assert response["data"] is None
    assert [error["extensions"]["code"] for error in response["errors"]] == ["UNAUTHENTICATED"]
    assert snapshot() == before
