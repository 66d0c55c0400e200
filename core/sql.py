"""Several aggregates in ONE statement: ``SELECT (SELECT COUNT(v) FROM (<queryset 1>) t), (SELECT MIN(v) …), …``.

For screens that show many counts at once (the 工作台's to-dos, what moves with an organization): each part
is an ordinary queryset (scoped as usual), compiled and wrapped, so the statement count does not grow with the
number of parts nor with the size of the scope.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, QuerySet


def aggregate(queryset: QuerySet, function: str = "COUNT", column: str = "pk") -> tuple[str, tuple]:
    """``(SELECT <function>(v) FROM (<queryset>) AS t)``; a queryset that can match nothing is a constant."""
    try:
        sql, params = queryset.order_by().values(v=F(column)).query.sql_with_params()
    except EmptyResultSet:
        return ("0" if function == "COUNT" else "NULL"), ()
    return f"(SELECT {function}(v) FROM ({sql}) AS t)", params


def select(parts: list[tuple[str, tuple]]) -> list:
    """The value of each part, read in one SELECT."""
    params: list = []
    for _sql, part_params in parts:
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(sql for sql, _params in parts), params)
        return list(cursor.fetchone())
