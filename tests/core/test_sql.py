"""core.sql.aggregate: a count's prefixes as ranges (``PrefixRange``) count exactly the rows that start with them."""

import pytest
from django.db import connection
from django.db.models import Q

from core.sql import aggregate
from orgs.models import Organization

pytestmark = pytest.mark.django_db

# Codes around the edges of a range: a prefix ending in 9 and in Z (one higher is ':' and '['), the prefix itself,
# its successor, codes shorter and longer than it.
CODES = ["420626", "4206269", "42062690", "420626:", "420626Z", "420626Z1", "420626[", "420627", "42062", "4206",
         "420625999", "Z", "Z0", "["]
PREFIXES = ["420626", "4206269", "420626Z", "42062", "4", "Z", "420627"]


@pytest.fixture
def coded() -> list[str]:
    """Every organization's division code, the codes above given to the first of them."""
    organizations = list(Organization.objects.order_by("pk")[:len(CODES)])
    for organization, code in zip(organizations, CODES):
        organization.division_code = code
    Organization.objects.bulk_update(organizations, ["division_code"])
    return list(Organization.objects.values_list("division_code", flat=True))


def counted(queryset) -> int:
    sql, params = aggregate(queryset)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        return cursor.fetchone()[0]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_prefix_counts_the_rows_that_start_with_it_and_no_other(coded, prefix):
    starting = sum(code.startswith(prefix) for code in coded)
    assert counted(Organization.objects.filter(division_code__startswith=prefix)) == starting
    assert counted(Organization.objects.exclude(division_code__startswith=prefix)) == len(coded) - starting
    either = Q(division_code__startswith=prefix) | Q(division_code__startswith="Z")
    assert counted(Organization.objects.filter(either)) == sum(code.startswith((prefix, "Z")) for code in coded)
    assert counted(Organization.objects.filter(either, level=4)) == Organization.objects.filter(either, level=4).count()


def test_on_postgresql_a_count_of_prefixes_alone_reads_the_pattern_index_range_and_anything_else_like(coded):
    prefixes = Organization.objects.filter(division_code__startswith="420626")
    sql, params = aggregate(prefixes)
    with_another = aggregate(prefixes.filter(level=4))[0]
    if connection.vendor == "postgresql":
        assert '"division_code"::text ~>=~ %s AND "orgs_organization"."division_code"::text ~<~ %s' in sql
        assert "LIKE" not in sql and ("420626", "420627") == params[-2:]
    else:
        assert "LIKE" in sql and params[-1] == "420626%"
    assert "LIKE" in with_another and "~>=~" not in with_another  # what a narrower index may hold with it
    assert "LIKE" in str(prefixes.query)  # only a count is rewritten


def test_a_prefix_that_is_not_plain_ascii_stays_like(coded):
    """A name's first character (a Chinese surname) is counted by LIKE, as Django writes it."""
    sql, params = aggregate(Organization.objects.filter(name__startswith="共青团"))
    assert "LIKE" in sql and params[-1] == "共青团%"
    assert counted(Organization.objects.filter(name__startswith="共青团")) == \
        Organization.objects.filter(name__startswith="共青团").count() > 0
