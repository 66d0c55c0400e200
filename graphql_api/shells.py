"""Statements compiled once per shape (issue 15): a queryset built with marks (``RawSQL(mark)``) where a request's
own parts go is compiled once, its SQL kept with the names and expressions of its columns; each request puts its
parts (SQL and parameters) into the marks and reads the rows as ``values()`` would read them (the same converters:
decryption, JSON), from one cursor, without Django building and compiling the statement again.

A shell is only as safe as its cache key: the caller keys it by everything it is built from (so that no reader's
scope, filter or value can be in it); a shell with parameters of its own is refused (None), since they would be the
first builder's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet
from django.db.models.lookups import In


@dataclass(frozen=True)
class Shell:
    sql: str
    names: list[str]
    converters: list  # (column index, its converters, its expression) for the columns that have any
    using: str

    def rows(self, parts: dict[str, tuple[str, tuple | list]]) -> list[dict]:
        """The rows, as dicts by column name, of the statement with each mark replaced by its part."""
        params: list = []

        def put(mark):  # in one pass, so that nothing a part holds is taken for a mark
            params.extend(parts[mark[0]][1])
            return parts[mark[0]][0]

        sql = re.sub("|".join(map(re.escape, parts)), put, self.sql)
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if self.converters:
            fetched = [_converted(list(row), self.converters, connection) for row in fetched]
        return [dict(zip(self.names, row)) for row in fetched]


def compiled(queryset: QuerySet, marks: tuple[str, ...]) -> Shell | None:
    """``queryset`` (a ``values()`` queryset holding each of ``marks`` once) compiled as a shell; None if it has
    parameters of its own."""
    query = queryset.query
    compiler = query.get_compiler(queryset.db)
    sql, params = compiler.as_sql()
    if params or any(sql.count(mark) != 1 for mark in marks):
        return None
    names = list(query.selected) if query.selected else [
        *query.extra_select, *query.values_select, *query.annotation_select]
    connection = connections[queryset.db]  # the backend's converters, found once (each call gets its thread's own)
    converters = [(i, [*connection.ops.get_db_converters(e), *e.get_db_converters(connection)], e)
                  for i, (e, _, _) in enumerate(compiler.select[:compiler.col_count])]
    return Shell(sql, names, [c for c in converters if c[1]], queryset.db)


def _converted(row: list, converters: list, connection) -> list:
    for i, found, expression in converters:
        for convert in found:
            row[i] = convert(row[i], expression, connection)
    return row


class AnyOf(In):
    """``lhs IN (rhs)``; on PostgreSQL ``lhs = ANY(rhs)`` (an array), or ``lhs = ANY(ARRAY(rhs))`` where ``rhs`` is a
    subquery (``subquery = True``). Each use says in its subclass why PostgreSQL's form is the better one there."""

    subquery = False

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY{f'(ARRAY{rhs})' if self.subquery else rhs}", (*lhs_params, *rhs_params)
