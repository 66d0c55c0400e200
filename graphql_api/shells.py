"""Statements compiled once per shape (issue 15): a queryset built with marks (``RawSQL(mark)``) where a request's
own parts go is compiled once, its SQL kept with a function converting its columns; each request puts its
parts (SQL and parameters) into the marks and reads the rows as ``values()`` would read them (the same converters:
decryption, JSON), from one cursor, without Django building and compiling the statement again.

A shell is only as safe as its cache key: the caller keys it by everything it is built from (so that no reader's
scope, filter or value can be in it); a shell with parameters of its own is refused (None), since they would be the
first builder's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson
from django.db import connections
from django.db.models import JSONField, QuerySet
from django.db.models.fields.json import KeyTransform
from django.db.models.lookups import In

from core import crypto
from core.fields import EncryptedTextField
from graphql_api import generated


@dataclass(frozen=True)
class Shell:
    sql: str
    converted: Callable[[list, Any], list[dict]]  # (fetched tuples, connection) -> the rows, ``_converter``
    using: str

    def rows(self, parts: dict[str, tuple[str, tuple | list]]) -> list[dict]:
        """The rows, as dicts by column name, of the statement with each mark replaced by its part."""
        return read([(self, parts)])[0]

    def filled(self, parts: dict[str, tuple[str, tuple | list]]) -> tuple[str, list]:
        """The statement with each mark replaced by its part, and its parameters."""
        if not parts:
            return self.sql, []
        params: list = []

        def put(mark):  # in one pass, so that nothing a part holds is taken for a mark
            params.extend(parts[mark[0]][1])
            return parts[mark[0]][0]

        return re.sub("|".join(map(re.escape, parts)), put, self.sql), params


def read(statements: list[tuple[Shell, dict]]) -> list[list[dict]]:
    """The rows of each shell's statement (with its parts), the statements sent together: on PostgreSQL as one
    simple-protocol query of several statements, one result each, in one transaction whose snapshot they share
    (REPEATABLE READ: a page and its nested lists read the same rows), where no transaction is open; one by one
    elsewhere (SQLite takes one statement at a time) and within a transaction, where the first statement has begun
    the snapshot that READ COMMITTED would not keep for the next."""
    using = statements[0][0].using
    connection = connections[using]
    filled = [shell.filled(parts) for shell, parts in statements]
    with connection.cursor() as cursor:
        if len(statements) == 1 or not together(using):
            found = []
            for sql, params in filled:
                cursor.execute(sql, params)
                found.append(cursor.fetchall())
        else:
            cursor.execute(SEPARATOR.join([_SNAPSHOT, *(sql for sql, _params in filled)]),
                           [param for _sql, params in filled for param in params])
            found = []
            while len(found) < len(statements):
                cursor.nextset()  # past the snapshot's SET, then each statement's rows
                found.append(cursor.fetchall())
    return [shell.converted(rows, connection) for (shell, _parts), rows in zip(statements, found)]


_SNAPSHOT = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"
SEPARATOR = ";\n"  # between statements sent together (Django's compiler writes no newline)


def statements(sql: str) -> list[str]:
    """The statements of a query that ``read`` sent (as logged), without the snapshot's SET: what EXPLAIN takes."""
    parts = sql.split(SEPARATOR)
    return parts[1:] if parts[0] == _SNAPSHOT else parts


def together(using: str) -> bool:
    """Whether ``read`` sends statements on this database together."""
    connection = connections[using]
    return connection.vendor == "postgresql" and not connection.in_atomic_block


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
    converters = [[(convert, e) for convert in (*connection.ops.get_db_converters(e), *e.get_db_converters(connection))]
                  for e, _, _ in compiler.select[:compiler.col_count]]
    return Shell(sql, _converter(names, converters), queryset.db)


def _converter(names: list[str], converters: list[list]) -> Callable[[list, Any], list[dict]]:
    """The rows as dicts by column name from the fetched tuples, each column through its converters in the order
    ``values()`` applies them (``convert(value, expression, connection)``), written as one dict display per row
    (graphql_api/generated.py): a loop per row and per converter was a sixth of a page's reading."""
    source = generated.Source()
    columns = []
    for i, (name, column) in enumerate(zip(names, converters)):
        value = f"r[{i}]"
        for convert, expression in column:
            value = (_in_line(source, convert, expression, value)
                     or f"{source.name(convert)}({value}, {source.name(expression)}, connection)")
        columns.append(f"{name!r}: {value}")
    source.add(f"return [{{{', '.join(columns)}}} for r in fetched]")
    return source.function("convert the rows", "fetched, connection")


def _in_line(source: generated.Source, convert, expression, value: str) -> str | None:
    """The converters that run on every row of a page written in line, of the column as read (``value``, ``r[i]``):
    a JSONField's without a decoder of its own, of the column itself (``_json``); an EncryptedTextField's, its
    ``from_db_value`` (core/fields.py) without the call. None for any other."""
    if not value.startswith("r["):
        return None
    method = getattr(convert, "__func__", None)
    if method is JSONField.from_db_value and convert.__self__.decoder is None and not isinstance(expression, KeyTransform):
        return f"{source.name(_json)}({value})"
    if method is EncryptedTextField.from_db_value:
        return f"({source.name(crypto.decrypt)}({value}) if {value} else {value})"
    return None


def _json(value):
    """JSONField.from_db_value, written in line by ``_in_line``, by orjson: one C call where json.loads made ten Python calls per
    value (a child's categories, on every row of a page); what orjson refuses (an integer beyond 64 bits) goes to
    json.loads, and text that is no JSON stays as it is, as Django leaves it."""
    if value is None:
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value


class AnyOf(In):
    """``lhs IN (rhs)``; on PostgreSQL ``lhs = ANY(rhs)`` (an array), or ``lhs = ANY(ARRAY(rhs))`` where ``rhs`` is a
    subquery (``subquery = True``). Each use says in its subclass why PostgreSQL's form is the better one there."""

    subquery = False

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY{f'(ARRAY{rhs})' if self.subquery else rhs}", (*lhs_params, *rhs_params)
