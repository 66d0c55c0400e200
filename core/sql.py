"""Several aggregates in ONE statement: ``SELECT (SELECT COUNT(v) FROM (<queryset 1>) t), (SELECT MIN(v) …), …``.

For screens that show many counts at once (the 工作台's to-dos, what moves with an organization): each part
is an ordinary queryset (scoped as usual), compiled and wrapped, so the statement count does not grow with the
number of parts nor with the size of the scope.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.expressions import RawSQL


def aggregate(queryset: QuerySet, function: str = "COUNT", column: str = "pk") -> tuple[str, tuple]:
    """``(SELECT <function>(v) FROM (<queryset>) AS t)``; a queryset that can match nothing is a constant.

    A count of rows selects no column (``COUNT(*)`` over ``SELECT 1``): PostgreSQL then reads the narrowest index that
    holds the conditions (the path's own), not one that also holds the key (issue 15: the county's 7,464 children
    counted in 0.84 ms against 1.29 ms). Not for a DISTINCT or grouped queryset, whose rows the selected column
    decides."""
    query = queryset.query
    rows = function == "COUNT" and column == "pk" and not query.distinct and query.group_by is None
    try:
        sql, params = queryset.order_by().values(v=RawSQL("1", ()) if rows else F(column)).query.sql_with_params()
    except EmptyResultSet:
        return ("0" if function == "COUNT" else "NULL"), ()
    return f"(SELECT {function}({'*' if rows else 'v'}) FROM ({sql}) AS t)", params


def select(parts: list[tuple[str, tuple]]) -> list:
    """The value of each part, read in one SELECT."""
    params: list = []
    for _sql, part_params in parts:
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(sql for sql, _params in parts), params)
        return list(cursor.fetchone())
