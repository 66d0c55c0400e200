"""The audit log: every grant, revocation, token and organization change writes an entry; readers see the
entries of their subtree only; entries can never be changed or deleted."""

import pytest
from django.db import transaction
from django.db.models import F

from permissions.models import AuditEntry
from tests.permissions.helpers import SYSTEM, collect, gid, new_user, org, pk_of, subtree_ids

pytestmark = pytest.mark.django_db

ENTRIES = """
query Entries($first: Int, $after: String) {
  auditEntries(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id action actorLabel targetType targetId organization { id } } }
  }
}
"""

GRANT = """
mutation($org: ID!, $username: String!) {
  grantRole(input: {organizationId: $org, username: $username, role: VIEWER}) { membership { id } errors { code } }
}"""
CHANGE = """mutation($id: ID!) { changeRole(input: {id: $id, role: STAFF}) { membership { id } errors { code } } }"""
REVOKE = """mutation($id: ID!) { revokeRole(input: {id: $id}) { ok errors { code } } }"""
CREATE_TOKEN = """
mutation($org: ID!) {
  createApiToken(input: {organizationId: $org, name: "审计测试", permissions: ["orgs.view_organization"]}) {
    apiToken { id } errors { code }
  }
}"""
REVOKE_TOKEN = """mutation($id: ID!) { revokeApiToken(input: {id: $id}) { apiToken { id } errors { code } } }"""
CREATE_ORG = """
mutation($parent: ID!) {
  createOrganization(input: {parentId: $parent, name: "审计测试团支部", system: LEAGUE, kind: LEAGUE_BRANCH, level: VILLAGE}) {
    organization { id } errors { code }
  }
}"""
UPDATE_ORG = """
mutation($id: ID!, $name: String!) {
  updateOrganization(input: {id: $id, name: $name}) { organization { id } errors { code } }
}"""
MOVE_ORG = """
mutation($id: ID!, $to: ID!) {
  moveOrganization(input: {id: $id, newParentId: $to}) { organization { id } errors { code } }
}"""
ARCHIVE_ORG = """mutation($id: ID!) { archiveOrganization(input: {id: $id}) { organization { id } errors { code } } }"""


def ok(payload: dict) -> dict:
    assert payload["errors"] == [], payload
    return payload


def test_every_change_writes_one_entry(as_user):
    # given 保康's admin and the log as it stands
    admin = as_user("baokang_league_admin")
    new_user("audited")
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    chengguan, maliang = org("城关镇团委"), org("马良镇团委")
    unit = org("保康县农商行")

    # when it grants, changes and revokes a role, creates and revokes a token, and creates, renames, moves and
    # archives an organization
    granted = ok(admin(GRANT, {"org": gid("Organization", chengguan.pk), "username": "audited"})["grantRole"])
    membership = granted["membership"]["id"]
    ok(admin(CHANGE, {"id": membership})["changeRole"])
    ok(admin(REVOKE, {"id": membership})["revokeRole"])
    token = ok(admin(CREATE_TOKEN, {"org": gid("Organization", unit.pk)})["createApiToken"])["apiToken"]["id"]
    ok(admin(REVOKE_TOKEN, {"id": token})["revokeApiToken"])
    branch = ok(admin(CREATE_ORG, {"parent": gid("Organization", chengguan.pk)})["createOrganization"])["organization"]["id"]
    ok(admin(UPDATE_ORG, {"id": branch, "name": "审计测试团支部二"})["updateOrganization"])
    ok(admin(MOVE_ORG, {"id": branch, "to": gid("Organization", maliang.pk)})["moveOrganization"])
    ok(admin(ARCHIVE_ORG, {"id": branch})["archiveOrganization"])

    # then exactly one entry per change, in order, naming the actor, the organization, the target and the address
    entries = list(AuditEntry.objects.filter(id__gt=start or 0).order_by("id"))
    assert [e.action for e in entries] == [
        "membership.grant", "membership.change", "membership.revoke", "token.create", "token.revoke",
        "organization.create", "organization.update", "organization.move", "organization.archive",
    ]
    assert {e.actor_label for e in entries} == {"保康团县委管理员"}  # the person's name; the username is on actor_user
    assert {e.ip for e in entries} == {"127.0.0.1"}
    assert all(e.actor_user and e.actor_user.username == "baokang_league_admin" for e in entries)
    assert [e.organization_id for e in entries] == [chengguan.pk] * 3 + [unit.pk] * 2 + [pk_of(branch)] * 4
    assert entries[0].target_id == str(pk_of(membership)) and entries[3].target_id == str(pk_of(token))
    assert entries[0].changes["role"] == "VIEWER" and entries[1].changes["role"] == "STAFF"
    assert entries[6].changes == {"name": ["审计测试团支部", "审计测试团支部二"]}
    # the moved organization's entries all carry its new path
    moved_path = org("马良镇团委").path
    assert all(e.org_path.startswith(moved_path) for e in entries[5:])


def test_failed_changes_write_nothing(as_user):
    # given the log's size, when 保康's admin tries a grant outside its scope, then nothing is written
    before = AuditEntry.objects.count()
    payload = as_user("baokang_league_admin")(GRANT, {"org": gid("Organization", org("保康县妇联").pk),
                                                      "username": "auditor_baokang"})
    assert payload["grantRole"]["errors"] == [{"code": "NOT_FOUND"}]
    assert AuditEntry.objects.count() == before


def entry_ids(client) -> set[int]:
    return {pk_of(node["id"]) for node in collect(client, ENTRIES, "auditEntries")}


def entries_under(root_name: str) -> set[int]:
    return set(AuditEntry.objects.filter(organization_id__in=subtree_ids(org(root_name).pk)).values_list("id", flat=True))


@pytest.fixture
def fresh_entries(as_user):
    """One new entry in 保康's league tree and one in 怀化's, each by that tree's own admin."""
    ok(as_user("baokang_league_admin")(UPDATE_ORG, {"id": gid("Organization", org("龙坪镇团委").pk), "name": "龙坪镇团委（审计）"})
       ["updateOrganization"])
    ok(as_user("huaihua_wf_admin")(UPDATE_ORG, {"id": gid("Organization", org("洪江市妇联").pk), "name": "洪江市妇联（审计）"})
       ["updateOrganization"])
    updates = AuditEntry.objects.filter(action="organization.update").order_by("-id")
    return {
        "baokang": updates.get(actor_user__username="baokang_league_admin").pk,
        "huaihua": updates.get(actor_user__username="huaihua_wf_admin").pk,
    }


def test_auditor_sees_its_subtree_only(as_user, fresh_entries):
    # given every entry whose organization lies under 共青团保康县委 (walked from parent links)
    expected = entries_under("共青团保康县委")
    assert fresh_entries["baokang"] in expected and fresh_entries["huaihua"] not in expected

    # when 保康's auditor pages through the log
    seen = entry_ids(as_user("auditor_baokang"))

    # then it sees exactly those: its new entry, and not 怀化's
    assert seen == expected


def test_huaihua_admin_sees_none_of_baokangs_entries(as_user, fresh_entries):
    # given entries in both of 保康's trees and in 怀化's
    baokang = entries_under("共青团保康县委") | entries_under("保康县妇联")
    assert baokang

    # when 怀化's admin (an ORG_ADMIN, so it may read the log) pages through it
    seen = entry_ids(as_user("huaihua_wf_admin"))

    # then it sees exactly its own tree's entries, none of 保康's
    assert seen == entries_under("怀化市妇联")
    assert fresh_entries["huaihua"] in seen and not seen & baokang


def test_entry_organization_is_visible_only_inside_the_scope(as_user, fresh_entries):
    # given the auditor's page of entries
    data = as_user("auditor_baokang")(ENTRIES, {"first": 100})["auditEntries"]
    within = subtree_ids(org("共青团保康县委").pk)

    # then every entry's organization is in its subtree
    organizations = [e["node"]["organization"] for e in data["edges"]]
    assert organizations and all(o is not None and pk_of(o["id"]) in within for o in organizations)


def test_entries_cannot_be_changed_or_deleted():
    # given an entry written by a service
    from orgs import services as org_services

    org_services.update_organization(SYSTEM, organization_id=org("歇马镇团委").pk, short_name="歇马")
    entry = AuditEntry.objects.filter(action="organization.update").latest("id")
    before = AuditEntry.objects.values().get(pk=entry.pk)

    # when it is saved again, deleted, or updated or deleted through querysets (each in its own savepoint)
    entry.actor_label = "someone else"
    attempts = {
        "save": entry.save,
        "delete": entry.delete,
        "queryset update": lambda: AuditEntry.objects.filter(pk=entry.pk).update(actor_label="someone else"),
        "queryset delete": lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
        "update all": lambda: AuditEntry.objects.all().update(changes={}),
        "bulk_update": lambda: AuditEntry.objects.bulk_update([entry], ["actor_label"]),
        "update by expression": lambda: AuditEntry.objects.filter(pk=entry.pk).update(id=F("id") + 1000000),
    }
    for name, attempt in attempts.items():
        # then each raises
        with pytest.raises(PermissionError), transaction.atomic():
            attempt()
            pytest.fail(f"{name} went through")

    # and the row is as it was
    assert AuditEntry.objects.values().get(pk=entry.pk) == before
