"""Issue 15 on PostgreSQL: a page and its nested lists sent together (graphql_api/shells.py ``read``), in one round
trip, reading one snapshot; in autocommit, as production reads run (transactional tests: each loads the demo data
it reads, since pytest-django empties the database after each)."""

import pytest
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from children.models import Child, Guardian
from demo.loader import load
from graphql_api import shells
from graphql_api.guards import statement
from orgs.models import Organization
from tests.permissions.helpers import gid, org

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgres_transactional"),
              pytest.mark.django_db(transaction=True)]

ROSTER = """query($first: Int, $after: String, $filters: ChildFilter) {
  children(first: $first, after: $after, filters: $filters) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name idNumber organization { id name } guardians { name relation phone } } } } }"""


PUBLISHED = """query($first: Int) { publishedWishes(first: $first) {
  totalCount edges { node { id title remaining claims { donorKind donorLabel amount } } } } }"""


def page_statements(captured, tables=("children_child", "children_guardian")) -> list[str]:
    return [q["sql"] for q in captured if any(f'FROM "{table}"' in q["sql"] for table in tables)]


def test_a_page_and_its_guardians_are_one_query_and_read_as_they_are_read_apart(as_user, monkeypatch):
    load()
    asks = [("baokang_league_admin", {"first": 3}),
            ("baokang_league_admin", {"first": 2, "after": "YXJyYXljb25uZWN0aW9uOjE="}),  # the second page
            ("maliang_league_staff", {"first": 50}),
            ("baokang_league_admin", {"first": 5, "filters": {"organization": gid("Organization", org("马良镇团委").pk)}})]
    together, sent = [], []
    for reader, variables in asks:
        with CaptureQueriesContext(connection) as captured:
            together.append(as_user(reader)(ROSTER, variables)["children"])
        sent.append(page_statements(captured))
    for statements in sent:  # one query: the snapshot, the page, its guardians by the page's window
        [query] = statements
        assert "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ" in query
        assert 'FROM "children_guardian" WHERE "children_guardian"."child_id" = ANY(ARRAY(SELECT' in query
    monkeypatch.setattr(shells, "together", lambda using: False)
    apart = []
    for reader, variables in asks:
        with CaptureQueriesContext(connection) as captured:
            apart.append(as_user(reader)(ROSTER, variables)["children"])
        assert len(page_statements(captured)) == 2
    assert together == apart
    shown = {edge["node"]["id"]: len(edge["node"]["guardians"]) for page in together for edge in page["edges"]}
    assert any(shown.values())
    assert shown == {gid("Child", child.pk): Guardian.objects.filter(child=child).count()
                     for child in Child.objects.all() if gid("Child", child.pk) in shown}


def test_the_published_board_and_its_claims_are_one_query_and_read_as_they_are_read_apart(as_user, monkeypatch):
    load()
    tables = ("wishes_wish", "wishes_claim")
    with CaptureQueriesContext(connection) as captured:
        together = as_user("baokang_league_admin")(PUBLISHED, {"first": 50})["publishedWishes"]
    [query] = page_statements(captured, tables)
    assert 'FROM "wishes_claim" WHERE "wishes_claim"."wish_id" = ANY(ARRAY(SELECT' in query
    monkeypatch.setattr(shells, "together", lambda using: False)
    with CaptureQueriesContext(connection) as captured:
        assert as_user("baokang_league_admin")(PUBLISHED, {"first": 50})["publishedWishes"] == together
    assert len(page_statements(captured, tables)) == 2
    assert any(edge["node"]["claims"] for edge in together["edges"])


def test_statements_sent_together_share_one_repeatable_read_snapshot_and_go_apart_in_a_transaction():
    """Each statement reads the transaction's isolation: REPEATABLE READ together (one snapshot for the page and its
    lists), and one by one within a transaction already open, whose isolation is its own."""
    Organization.objects.create(name="快照", system="LEAGUE", kind="COMMITTEE", level=1, path="ZZZZ", depth=1)
    reads = Organization.objects.annotate(isolation=RawSQL("current_setting('transaction_isolation')", ())).values(
        "isolation")[:1]
    shell = shells.compiled(reads, ())
    with CaptureQueriesContext(connection) as captured:
        assert shells.read([(shell, {}), (shell, {})]) == [[{"isolation": "repeatable read"}]] * 2
    assert len(captured) == 1
    assert shells.statements(captured[0]["sql"]) == [shell.sql, shell.sql]
    assert statement(captured[0]["sql"]) == shell.sql  # what EXPLAIN takes: the first
    with transaction.atomic(), CaptureQueriesContext(connection) as captured:
        assert shells.read([(shell, {}), (shell, {})]) == [[{"isolation": "read committed"}]] * 2
    assert [q["sql"] for q in captured] == [shell.sql, shell.sql]
