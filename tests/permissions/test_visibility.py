"""Every demo account sees exactly its subtree, computed from parent links; nothing outside it."""

import pytest

from demo.data import DEMO_ACCOUNTS
from orgs import services as org_services
from orgs.models import Organization
from permissions import scope as scopes
from permissions.catalog import ROLE_PERMISSIONS, Role
from permissions.models import ApiToken, AuditEntry, Membership
from tests.conftest import user
from tests.permissions.helpers import SYSTEM, collect, org, pk_of, subtree_ids

pytestmark = pytest.mark.django_db

ORGANIZATIONS = """
query Organizations($first: Int, $after: String, $includeArchived: Boolean! = true) {
  organizations(first: $first, after: $after, includeArchived: $includeArchived) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name archivedAt } }
  }
}
"""

ROWS = """
query Rows {
  memberships(first: 100) { totalCount edges { node { id } } }
  auditEntries(first: 100) { totalCount edges { node { id } } }
  apiTokens(first: 100) { totalCount edges { node { id } } }
}
"""


def visible_ids(client, include_archived=True, page=100) -> set[int]:
    nodes = collect(client, ORGANIZATIONS, "organizations", {"includeArchived": include_archived}, page=page)
    ids = [pk_of(node["id"]) for node in nodes]
    assert len(ids) == len(set(ids)), "an organization was listed twice"
    return set(ids)


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.username)
def test_each_demo_account_sees_exactly_its_subtree(as_user, account):
    # given the account's organization and its subtree walked from parent links
    expected = subtree_ids(org(account.organization).pk)
    assert account.organization in Organization.objects.filter(id__in=expected).values_list("name", flat=True)

    # when the account lists organizations over GraphQL, and its scope filters them at the service layer
    seen = visible_ids(as_user(account.username))
    scoped = set(scopes.for_user(user(account.username)).filter(Organization.objects.all(), "orgs.view_organization")
                 .values_list("id", flat=True))

    # then both are exactly the subtree
    assert seen == expected
    assert scoped == expected


def test_paging_in_small_pages_gives_the_same_subtree(as_user):
    # given an admin whose subtree spans several pages of 7
    expected = subtree_ids(org("共青团保康县委").pk)
    assert len(expected) > 7

    # when it pages through 7 at a time, then the pages add up to the subtree without repeats
    assert visible_ids(as_user("baokang_league_admin"), page=7) == expected


def test_archived_organizations_show_only_when_asked(as_user):
    # given a village branch in 保康 archived by the platform
    archived = org_services.archive_organization(SYSTEM, organization_id=org("龙坪村团支部").pk)
    client = as_user("baokang_league_admin")
    subtree = subtree_ids(org("共青团保康县委").pk)
    assert archived.pk in subtree

    # when the admin lists with and without includeArchived
    with_archived = visible_ids(client, include_archived=True)
    without = visible_ids(client, include_archived=False)

    # then the archived one is in the first list only; nothing outside the subtree appears in either
    assert with_archived == subtree
    assert without == subtree - {archived.pk}


def test_rollup_viewer_sees_organizations_but_no_rows(as_user):
    # given the city rollup viewer, whose subtree holds memberships, audit entries and an API token
    account = next(a for a in DEMO_ACCOUNTS if a.role == Role.ROLLUP_VIEWER)
    subtree = subtree_ids(org(account.organization).pk)
    assert "orgs.view_organization" in ROLE_PERMISSIONS[Role.ROLLUP_VIEWER]
    assert Membership.objects.filter(organization_id__in=subtree).count() > 1
    assert AuditEntry.objects.filter(organization_id__in=subtree).count() > 1
    assert ApiToken.objects.filter(organization_id__in=subtree).exists()

    # when it asks for organizations and for the row lists
    client = as_user(account.username)
    organizations = visible_ids(client)
    rows = client(ROWS)

    # then it sees its organizations, and every row list is empty
    assert organizations == subtree
    for field in ("memberships", "auditEntries", "apiTokens"):
        assert rows[field] == {"totalCount": 0, "edges": []}, field
