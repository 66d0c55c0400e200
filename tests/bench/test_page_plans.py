"""Issue 15 on PostgreSQL: the indexes the plan check (bench.run --plans-only) found missing. The organizations list
reads each order's page index alone (the index holds archived_at) with every path in the statistics; the published
board reads its own index of published wishes instead of filtering every wish in the scope by state. The plans are
read on vacuumed tables (index-only reads count as such, as in production) with sequential and bitmap scans off:
the demo's tables are small, the plan's shape is the point."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from graphql_api.guards import statement

pytestmark = pytest.mark.postgres

ORGANIZATION_ORDERS = {"name": "organization_page_name_id", "level": "organization_page_level_id",
                       "divisionCode": "organization_page_division_cod", "createdAt": "organization_page_created_at_i"}


def window_plan(client, query: str, table: str) -> str:
    """The plan of the window (the ids of the page, the part with the LIMIT) of the statement that reads the page of
    ``table`` for ``query``; how the outer statement names the window's table is not the point."""
    with CaptureQueriesContext(connection) as captured:
        client(query)
    sql = next(statement(q["sql"]) for q in captured.captured_queries
               if f'FROM "{table}"' in q["sql"] and " LIMIT " in q["sql"] and "ORDER BY" in q["sql"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return next(part for part in plan.split("InitPlan") if "Limit" in part)


@pytest.mark.usefixtures("postgres_transactional")
@pytest.mark.django_db(transaction=True)  # VACUUM runs outside a transaction
def test_the_organizations_orders_and_the_published_board_read_their_indexes_alone(as_user, as_token, demo_token):
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE orgs_organization, wishes_wish")
    staff = as_user("maliang_league_staff")
    for order, index in ORGANIZATION_ORDERS.items():
        query = f"{{ organizations(first: 5, order: {{ {order}: ASC }}) {{ totalCount edges {{ node {{ id }} }} }} }}"
        plan = window_plan(staff, query, "orgs_organization")
        assert f"Index Only Scan using {index} on orgs_organization " in plan, plan
    partner = as_token(demo_token)
    for filters in ("", "filters: { claimable: true }, "):
        query = f"{{ publishedWishes({filters}first: 5) {{ totalCount edges {{ node {{ id title }} }} }} }}"
        plan = window_plan(partner, query, "wishes_wish")
        assert "Index Only Scan using wish_published_page_created_at on wishes_wish " in plan, plan


@pytest.mark.django_db
def test_every_organization_path_is_read_into_the_statistics():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's statistics")
    with connection.cursor() as cursor:
        cursor.execute("SELECT attstattarget FROM pg_attribute WHERE attrelid = 'orgs_organization'::regclass "
                       "AND attname = 'path'")
        assert cursor.fetchone()[0] == 1000
