"""API tokens: Bearer without CSRF, 401 when unusable, scope narrowed to the token's permissions, the secret
shown once and stored only as its SHA-256, typed errors on creation, and a per-token rate limit."""

import hashlib
import json
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.errors import ServiceError
from demo import data
from graphql_api.schema import schema
from permissions import scope as scopes
from permissions import services
from permissions.actor import Actor
from permissions.models import ApiToken, AuditEntry
from permissions.tokens import digest
from tests.conftest import user
from tests.permissions.helpers import SYSTEM, codes, collect, gid, org, pk_of, subtree_ids

pytestmark = pytest.mark.django_db

ORGANIZATIONS = """
query Organizations($first: Int, $after: String) {
  organizations(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id } }
  }
}
"""

WHO = "{ me { username } organizations(first: 1) { totalCount } }"

CREATE = """
mutation Create($org: ID!, $name: String!, $permissions: [String!]!, $expiresAt: DateTime) {
  createApiToken(input: {organizationId: $org, name: $name, permissions: $permissions, expiresAt: $expiresAt}) {
    token
    apiToken { id name keyPrefix permissions organization { id } }
    errors { field code message }
  }
}
"""

REVOKE = """
mutation Revoke($id: ID!) { revokeApiToken(input: {id: $id}) { apiToken { revokedAt } errors { field code message } } }
"""


def bearer(secret: str, query: str = WHO, client: Client | None = None):
    client = client or Client(enforce_csrf_checks=True)
    return client.post("/graphql", json.dumps({"query": query}), content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {secret}")


def demo_token_row(secret: str) -> ApiToken:
    return ApiToken.objects.get(key_hash=digest(secret))


def issue(permissions, expires_at=None) -> tuple[ApiToken, str]:
    return services.create_token(SYSTEM, organization_id=org(data.PARTNER_UNIT).pk, name="测试令牌",
                                 permissions=list(permissions), expires_at=expires_at)


def test_demo_token_works_as_bearer_without_csrf(demo_token):
    # given a client that enforces CSRF and holds no session or CSRF cookie
    client = Client(enforce_csrf_checks=True)
    assert demo_token_row(demo_token).last_used_at is None

    # when it posts with the partner token
    response = bearer(demo_token, client=client)

    # then the request is served, as the token (no user), and its last use is recorded
    assert response.status_code == 200, response.content
    assert response.json()["data"]["me"] is None
    assert demo_token_row(demo_token).last_used_at is not None
    # and without the token the same client is refused by CSRF
    assert client.post("/graphql", json.dumps({"query": WHO}), content_type="application/json").status_code == 403


def test_demo_token_scope_is_narrowed_to_its_permissions(demo_token):
    # given the demo token, whose unit holds orgs.view_organization at 保康团县委 through its PARTNER role
    token = demo_token_row(demo_token)
    assert services.unit_permissions(token.organization) >= {"orgs.view_organization", *token.permissions}
    expected_visible = "orgs.view_organization" in token.permissions

    # when it lists organizations
    data_ = bearer(demo_token).json()["data"]

    # then it sees them only if the token itself holds orgs.view_organization
    expected = len(subtree_ids(org(data.PARTNER_GRANTED_AT).pk)) if expected_visible else 0
    assert data_["organizations"]["totalCount"] == expected
    assert scopes.for_token(token).permissions() == set(token.permissions)


def test_a_token_with_view_organization_sees_its_units_grant(as_token):
    # given a token of the same unit that does hold orgs.view_organization
    _, secret = issue(["orgs.view_organization"])

    # when it lists organizations, then it sees exactly the subtree its unit's role covers
    seen = {pk_of(n["id"]) for n in collect(as_token(secret), ORGANIZATIONS, "organizations")}
    assert seen == subtree_ids(org(data.PARTNER_GRANTED_AT).pk)


def test_a_session_alongside_a_token_is_ignored(demo_token):
    # given a client signed in as 保康's admin that also sends the partner token
    client = Client()
    client.force_login(user("baokang_league_admin"))

    # when it asks who it is, then it acts as the token alone
    body = bearer(demo_token, client=client).json()
    assert body["data"]["me"] is None
    signed_in = client.post("/graphql", json.dumps({"query": WHO}), content_type="application/json").json()
    assert signed_in["data"]["me"] == {"username": "baokang_league_admin"}


def assert_invalid_token(response):
    assert response.status_code == 401
    body = response.json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["INVALID_TOKEN"]
    assert "data" not in body


def test_unknown_token_is_401():
    assert_invalid_token(bearer("tw_" + "x" * 43))


def test_expired_token_is_401(monkeypatch):
    # given a live token that works (and is kept in the cache by that request)
    token, secret = issue(["orgs.view_organization"], expires_at=timezone.now() + timedelta(days=1))
    assert bearer(secret).status_code == 200

    # when its expiry passes, then its very next request is refused
    later = token.expires_at + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert_invalid_token(bearer(secret))


def test_revoked_token_is_401(as_user):
    # given a live token of 保康县农商行
    token, secret = issue(["orgs.view_organization"])
    assert bearer(secret).status_code == 200

    # when 保康's admin revokes it over GraphQL
    revoked = as_user("baokang_league_admin")(REVOKE, {"id": gid("ApiToken", token.pk)})["revokeApiToken"]
    assert revoked["errors"] == [] and revoked["apiToken"]["revokedAt"]

    # then it is refused, and revoking it again is TOKEN_REVOKED
    assert_invalid_token(bearer(secret))
    again = as_user("baokang_league_admin")(REVOKE, {"id": gid("ApiToken", token.pk)})["revokeApiToken"]
    assert codes(again) == ["TOKEN_REVOKED"]


def test_revoking_a_neighbours_token_is_not_found(as_user, demo_token):
    # given 怀化's admin and 保康's partner token
    client = as_user("huaihua_wf_admin")

    # when it revokes that token and a missing one, then both answer NOT_FOUND alike and the token still works
    theirs = client(REVOKE, {"id": gid("ApiToken", demo_token_row(demo_token).pk)})["revokeApiToken"]
    missing = client(REVOKE, {"id": gid("ApiToken", 987654321)})["revokeApiToken"]
    assert codes(theirs) == ["NOT_FOUND"] and theirs == missing
    assert bearer(demo_token).status_code == 200


def scalar_fields_of(type_name: str) -> list[str]:
    """Every field of a GraphQL type that needs no selection (so a query can ask for all of them)."""
    from graphql import get_named_type, is_leaf_type

    gql_type = schema._schema.get_type(type_name)
    return [name for name, field in gql_type.fields.items() if is_leaf_type(get_named_type(field.type))]


def test_create_returns_the_secret_once_and_stores_only_its_hash(as_user, as_token):
    # given 保康's admin
    admin = as_user("baokang_league_admin")
    unit = org(data.PARTNER_UNIT)

    # when it creates a token for 保康县农商行
    created = admin(CREATE, {"org": gid("Organization", unit.pk), "name": "对接测试",
                             "permissions": ["orgs.view_organization"]})["createApiToken"]

    # then the payload carries the secret, which works as a Bearer token
    assert created["errors"] == []
    secret = created["token"]
    assert secret and created["apiToken"]["keyPrefix"] == secret[:len(created["apiToken"]["keyPrefix"])]
    assert len(secret) > len(created["apiToken"]["keyPrefix"]) + 20
    assert as_token(secret)(WHO)["organizations"]["totalCount"] > 0

    # and no field of ApiToken gives it back afterwards
    fields = scalar_fields_of("ApiToken")
    assert {"id", "name", "keyPrefix", "permissions"} <= set(fields)
    listed = admin.post("{ apiTokens(first: 100) { edges { node { %s } } } }" % " ".join(fields))
    assert listed.status_code == 200 and created["apiToken"]["id"] in listed.content.decode()
    assert secret not in listed.content.decode()

    # and the database row holds its SHA-256, never the secret itself
    row = ApiToken.objects.filter(pk=pk_of(created["apiToken"]["id"])).values().get()
    assert row["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert all(secret not in str(value) for value in row.values())
    # nor does the audit entry of its creation
    entry = AuditEntry.objects.get(action="token.create", target_id=str(row["id"]))
    assert secret not in json.dumps(entry.changes, ensure_ascii=False)


@pytest.mark.parametrize("permissions, code", [
    (["children.view_child"], "PERMISSION_NOT_HELD"),
    (["orgs.view_organization", "permissions.manage_token"], "PERMISSION_NOT_HELD"),
    (["no.such_permission"], "UNKNOWN_PERMISSION"),
])
def test_permissions_the_unit_does_not_hold_are_refused(as_user, permissions, code):
    # given the unit's permissions, which lack some of those asked for
    unit = org(data.PARTNER_UNIT)
    assert not set(permissions) <= services.unit_permissions(unit)

    # when 保康's admin asks for them, then the typed error names the field and nothing is created
    before = ApiToken.objects.count()
    payload = as_user("baokang_league_admin")(CREATE, {
        "org": gid("Organization", unit.pk), "name": "越权令牌", "permissions": permissions})["createApiToken"]
    assert codes(payload) == [code] and payload["errors"][0]["field"] == "permissions"
    assert payload["token"] is None and payload["apiToken"] is None
    assert ApiToken.objects.count() == before


def test_expiry_in_the_past_is_refused(as_user):
    payload = as_user("baokang_league_admin")(CREATE, {
        "org": gid("Organization", org(data.PARTNER_UNIT).pk), "name": "过期令牌", "permissions": ["orgs.view_organization"],
        "expiresAt": (timezone.now() - timedelta(hours=1)).isoformat()})["createApiToken"]
    assert codes(payload) == ["EXPIRY_IN_PAST"] and payload["token"] is None


def test_a_unit_outside_the_admins_scope_is_not_found(as_user):
    # given 保康's league admin and a unit in another tree (保康县妇联) and a missing id
    client = as_user("baokang_league_admin")
    variables = {"name": "越界令牌", "permissions": ["orgs.view_organization"]}

    # when it creates tokens for them, then both answer NOT_FOUND alike
    theirs = client(CREATE, {**variables, "org": gid("Organization", org("保康县妇联").pk)})["createApiToken"]
    missing = client(CREATE, {**variables, "org": gid("Organization", 987654321)})["createApiToken"]
    assert codes(theirs) == ["NOT_FOUND"] and theirs == missing
    assert not ApiToken.objects.filter(name="越界令牌").exists()


def test_staff_without_manage_token_is_denied(as_user):
    # given 马良镇's staff (no permissions.manage_token) and its own town
    payload = as_user("maliang_league_staff")(CREATE, {
        "org": gid("Organization", org("马良镇团委").pk), "name": "员工令牌", "permissions": ["orgs.view_organization"]})
    assert codes(payload["createApiToken"]) == ["PERMISSION_DENIED"]


def test_a_token_cannot_mint_tokens_at_the_service_layer(demo_token):
    # given the partner token as an actor: its scope does not even reach its own unit as an organization
    actor = Actor.for_token(demo_token_row(demo_token))

    # when it creates a token for its unit, then the unit reads as missing
    with pytest.raises(ServiceError) as refused:
        services.create_token(actor, organization_id=org(data.PARTNER_UNIT).pk, name="x", permissions=[])
    assert refused.value.code.name == "NOT_FOUND"


def test_rate_limit_answers_429(settings, demo_token):
    # given a limit of 3 requests per minute per token, and time enough left in this minute's window
    settings.API_TOKEN_RATE_LIMIT = 3
    left = 60 - time.time() % 60
    if left < 5:
        time.sleep(left + 0.1)

    # when the token makes 4 requests
    statuses = [bearer(demo_token).status_code for _ in range(4)]

    # then the 4th is refused with 429 and a typed code, while another token is unaffected
    assert statuses == [200, 200, 200, 429]
    body = bearer(demo_token).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["RATE_LIMITED"]
    _, other = issue(["orgs.view_organization"])
    assert bearer(other).status_code == 200


# --- the token's row and scope from the cache (permissions/tokens.py) ------------------------------------------------

TOKEN_TABLES = ("permissions_apitoken", "permissions_scopeversion", "permissions_organizationgrouppermission",
                "permissions_unitgroup")
ME = "{ me { username } }"
PUBLISHED = "{ publishedWishes(first: 5) { totalCount } }"


def token_statements(secret: str, query: str = ME) -> tuple[dict, list[str]]:
    """The answer and the statements a token's request ran on the token, its unit or its grants."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = bearer(secret, query)
    return response, [q["sql"] for q in queries if any(f'"{table}"' in q["sql"] for table in TOKEN_TABLES)]


def test_a_warm_token_costs_no_sql_for_its_row_its_unit_or_its_scope(demo_token):
    # given the partner token's first request, which reads its row and scope and keeps them
    cold, read = token_statements(demo_token, PUBLISHED)
    assert cold.status_code == 200 and any('"permissions_apitoken"' in s for s in read)

    # when it asks again, then nothing about the token is read from the database, and the answer is the same
    warm, read = token_statements(demo_token, PUBLISHED)
    assert warm.status_code == 200 and read == [] and warm.json() == cold.json()
    assert warm.json()["data"]["publishedWishes"]["totalCount"] > 0


def test_a_revoked_token_is_refused_on_its_very_next_request(as_user, django_capture_on_commit_callbacks):
    # given a token whose row and scope are kept in the cache
    token, secret = issue(["orgs.view_organization"])
    assert bearer(secret).status_code == 200 and token_statements(secret)[1] == []

    # when 保康's admin revokes it (its commit refreshes the cached version)
    with django_capture_on_commit_callbacks(execute=True):
        revoked = as_user("baokang_league_admin")(REVOKE, {"id": gid("ApiToken", token.pk)})["revokeApiToken"]
    assert revoked["errors"] == []

    # then its very next request is refused, and so is every one after it
    assert_invalid_token(bearer(secret))
    assert_invalid_token(bearer(secret))


def test_a_units_withdrawn_role_empties_its_warm_tokens_scope_on_the_next_request(demo_token, django_capture_on_commit_callbacks):
    # given the partner token, warm, that sees the county's published wishes through its unit's PARTNER role
    from permissions.models import Membership, UnitGroup

    assert bearer(demo_token, PUBLISHED).json()["data"]["publishedWishes"]["totalCount"] > 0
    group = UnitGroup.objects.get(organization=org(data.PARTNER_UNIT)).group

    # when the unit's role is withdrawn
    with django_capture_on_commit_callbacks(execute=True):
        for membership in Membership.objects.filter(group=group):
            services.revoke_role(SYSTEM, membership_id=membership.pk)

    # then the token's very next request sees none
    assert bearer(demo_token, PUBLISHED).json()["data"]["publishedWishes"]["totalCount"] == 0


def test_two_warm_tokens_of_neighbouring_units_each_keep_to_their_own_scope(as_token):
    # given a token of 保康县农商行 (a partner of the county) and one of 保康县电力公司 (a partner of 黄堡镇 only)
    _, ours = issue(["orgs.view_organization"])
    services.grant_role(SYSTEM, organization_id=org("黄堡镇团委").pk, role="PARTNER", unit_id=org("保康县电力公司").pk)
    _, theirs = services.create_token(SYSTEM, organization_id=org("保康县电力公司").pk, name="邻近单位令牌",
                                      permissions=["orgs.view_organization"])

    # when each reads twice, the second time from the cache
    for _ in range(2):
        mine = {pk_of(n["id"]) for n in collect(as_token(ours), ORGANIZATIONS, "organizations")}
        their = {pk_of(n["id"]) for n in collect(as_token(theirs), ORGANIZATIONS, "organizations")}

    # then each sees what its own unit's grants reach and nothing of the other's
    assert mine == subtree_ids(org(data.PARTNER_GRANTED_AT).pk) and their == subtree_ids(org("黄堡镇团委").pk)
    assert org("马良镇团委").pk in mine and org("马良镇团委").pk not in their
    assert token_statements(ours)[1] == [] and token_statements(theirs)[1] == []
