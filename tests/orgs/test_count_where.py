"""orgs.counts.count_where: which counts may sum the paths (a condition on the row's own path alone, on a counted
table) and which must read the rows; on any database (it only reads the query's conditions)."""

import pytest
from django.db.models import F, Q

from children.models import Child, Guardian
from orgs import counts
from wishes.models import Wish

SCOPE = Q(org_path__startswith="00010001")


@pytest.mark.parametrize("model, condition", [
    (Child, SCOPE),
    (Child, SCOPE | Q(org_path__startswith="00010002")),  # two grants
    (Child, SCOPE & ~Q(org_path__startswith="000100010003")),  # a subtree left out
    (Wish, SCOPE),
])
def test_a_condition_on_the_paths_alone_is_summed_over_the_counts(model, condition):
    where = model.objects.filter(condition).query.where

    by_paths = counts.count_where(model, where)

    assert by_paths is not None
    assert {leaf.lhs.alias for leaf in leaves(by_paths)} == {counts.TABLE}
    assert [leaf.rhs for leaf in leaves(by_paths)] == [leaf.rhs for leaf in leaves(where)]


@pytest.mark.parametrize("model, condition", [
    (Child, SCOPE & Q(status="ACTIVE")),  # a filter: the rows of a path need not all meet it
    (Child, SCOPE | Q(organization_id__in=[1, 2])),  # a grant by organization
    (Child, Q(org_path__startswith=F("school"))),  # a prefix that is no value
    (Child, Q(name__startswith="张")),  # another column
    (Guardian, Q(child__org_path__startswith="0001")),  # a table nobody counts
    (Child, Q()),  # no condition: the whole table, read as it is
])
def test_any_other_condition_reads_the_rows(model, condition):
    assert counts.count_where(model, model.objects.filter(condition).query.where) is None


def leaves(node):
    children = getattr(node, "children", None)
    return [leaf for child in children for leaf in leaves(child)] if children is not None else [node]
