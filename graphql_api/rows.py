"""Plain-row pages (issue 15): a list's page read in one pass and served without a resolver per field.

A type that lists thousands of rows declares a ``Spec``: for each GraphQL field it serves, the columns it reads and
how its value is made from them (masking included). ``graphql_api.connection.Connection`` reads a root page through
``reader`` when every field the selection asks for is in the spec; otherwise (a child's follow-ups on a list, say)
the model path serves the page as before, as it serves single objects and mutation payloads.

- The rows are the columns asked for, read as dicts by connection.py's page statement (``_page_rows``: the scope
  filter, order and paging in its window, the count as its subquery), no model instances. A nested object (a child's
  organization) is read through the same statement; a nested list (its guardians) in one statement for the page,
  sent with the page's own in one round trip where it can be (keyed by the page's window: connection._page_rows).
- Permissions are decided once per organization on the page (``Page.allows_at``), record-level grants by key; a clear
  read of personal data is noted for the audit as ``graphql_api.pii.reveal`` notes it.
- Global ids are built inline (base64 "Type:pk", relay's encoding); strawberry-django's optimizer leaves such a
  page's queryset alone (``RowPageOptimizer``).
- Each row is a ``Row`` of its spec's class holding its columns and the plan of the selection; its GraphQL values
  are made as the executor completes it, by a function written for the selection and the plan, each value's
  expression (``Field.source``) in line with its completion (graphql_api/fastpath.py), so no field resolver runs
  and no value is made twice.
"""

from __future__ import annotations

from binascii import b2a_base64
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from django.db import connections
from django.db.models import F, Model
from django.db.models.expressions import RawSQL
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType
from strawberry import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField
from strawberry.utils.str_converters import to_camel_case
from strawberry_django.optimizer import DjangoOptimizerExtension

from graphql_api import generated, shells
from graphql_api.bynodes import ByNodes
from graphql_api.context import actor_of, today
from graphql_api.pii import note_read

TOTAL = "_strawberry_total_count"  # read back by strawberry_django's DjangoListConnection.total_count


class Row:
    """One object of a page (each spec has its own subclass, which names its GraphQL type): the page's columns of
    its statement row with the ``plan`` that makes its GraphQL values of them, the ``page`` and the ``items`` of its
    nested lists (``_build``); or, without a plan, its GraphQL values by name. Its values are made as it is
    completed, in line with their completion (graphql_api/fastpath.py), never stored.

    A row of a root page is also its own relay edge (graphql_api/connection.py): ``node`` is the row, ``cursor``
    made from its ``index`` in the list only when asked (a page of 50 built 50 edges and cursors for one
    ``endCursor``)."""

    __slots__ = ("__dict__", "plan", "page", "items", "index")
    type_name: str

    def __init__(self, columns: dict, plan: Plan | None = None, page: Page | None = None, items: dict | None = None):
        self.__dict__ = columns  # with the count, read back as an attribute (TOTAL)
        self.plan, self.page, self.items = plan, page, items

    @property
    def node(self) -> Row:
        return self

    @property
    def cursor(self) -> str:
        return global_id(self.page.cursor_prefix, self.index)


@dataclass(frozen=True)
class Field:
    """A field served from the row's own columns: ``value(c, page)``; or, where ``source`` is given, that Python
    expression of ``c`` (the row's columns) and ``page`` whose other names are ``uses``', written in line into the
    completion written for a selection (``Plan.value``), as the fields that make most of a row's values are
    (``column``, ``expression``)."""

    columns: tuple[str, ...]
    value: Callable[[dict, Page], Any] | None = None
    source: str | None = None
    uses: tuple[tuple[str, Any], ...] = ()


def expression(columns: tuple[str, ...], source: str, **uses) -> Field:
    """A field whose value is ``source`` (see ``Field``)."""
    return Field(columns, source=source, uses=tuple(uses.items()))


@dataclass(frozen=True)
class One:
    """A nested object read through the same statement (the columns of ``spec`` under ``prefix``), or None where
    ``visible(columns, page)`` says the reader may not see it."""

    spec: Spec
    prefix: str
    columns: tuple[str, ...]
    visible: Callable[[dict, Page], bool]


@dataclass(frozen=True)
class Many:
    """A nested list read in one statement for the whole page: ``model``'s rows whose key ``key`` is the row's
    column ``by`` (its own id unless said), in the model's order; ``value(columns, items, page)`` makes the field
    from the parent's ``columns`` and the items' ``fields``."""

    model: type[Model]
    key: str
    fields: tuple[str, ...]
    columns: tuple[str, ...]
    value: Callable[[dict, list[dict], Page], Any]
    by: str = "pk"


def column(name: str, convert: Callable[[Any], Any] | None = None) -> Field:
    """A field that is the model's column ``name`` (snake case), as stored or converted (an enum member)."""
    if convert is None:
        return expression((name,), f"c[{name!r}]")
    return expression((name,), f"convert(c[{name!r}])", convert=convert)


def global_id(type_name: str, pk: Any) -> str:
    """strawberry.relay's ``to_base64(type_name, pk)``, without its checks of a type given as a class."""
    return b2a_base64(f"{type_name}:{pk}".encode(), newline=False).decode()


def columns(*names: str) -> dict[str, Field]:
    """Fields that are the model's columns as stored, by their GraphQL (camel case) names."""
    return {to_camel_case(name): column(name) for name in names}


class Spec:
    """How the GraphQL type ``type_name`` of ``model`` is served as plain rows: its fields by GraphQL name."""

    def __init__(self, type_name: str, model: type[Model], fields: dict[str, Field | One | Many]):
        self.type_name = type_name
        self.label = model._meta.label  # what record-level grants and audited reads name
        self.fields = {"id": expression(("pk",), f"global_id({type_name!r}, c['pk'])", global_id=global_id),
                       **fields}
        self.row = type(f"{type_name}Row", (Row,), {"__slots__": (), "type_name": type_name})
        SPECS[type_name] = self

    def plan(self, selected: dict[str, list[SelectedField]] | None, prefix: str = "") -> Plan | None:
        """What to read and build for this selection, or None if a field needs the model path."""
        if selected is None:
            return None
        plan = Plan(self, prefix)
        for name, uses in selected.items():
            field = self.fields.get(name)
            if name == "__typename":
                continue
            if field is None or any(use.arguments for use in uses):
                return None
            if isinstance(field, Field):
                plan.columns.update(prefix + c for c in field.columns)
                plan.fields[name] = field
            elif isinstance(field, One):
                nested = field.spec.plan(_merge(s for use in uses for s in use.selections), prefix + field.prefix)
                if nested is None:
                    return None
                plan.columns.update(prefix + c for c in field.columns)
                plan.columns.update(nested.columns)
                plan.fields[name] = (field, nested)
            else:
                if any(not isinstance(s, SelectedField) or s.selections for use in uses for s in use.selections):
                    return None  # a nested list is served as plain objects of scalar fields
                plan.columns.update(prefix + c for c in (*field.columns, field.by))
                plan.fields[name] = field
        plan.columns.add(prefix + "pk")
        plan.own = tuple((c, c[len(prefix):]) for c in sorted(plan.columns)) if prefix else None
        return plan


SPECS: dict[str, Spec] = {}


class Plan:
    """What a selection reads of a spec and how its rows make their values: per GraphQL field name, its ``Field``,
    ``One`` (with the nested plan) or ``Many``; a nested plan's columns are under its ``prefix`` (``own``: each
    column with its own name)."""

    def __init__(self, spec: Spec, prefix: str):
        self.spec, self.prefix = spec, prefix
        self.columns: set[str] = set()
        self.fields: dict[str, Field | tuple[One, Plan] | Many] = {}
        self.own: tuple[tuple[str, str], ...] | None = None

    def own_columns(self, columns: str) -> str:
        """An expression of a row's own columns (``c`` of its fields' values) from the statement's ``columns``."""
        if self.own is None:
            return columns
        return "{" + ", ".join(f"{name!r}: {columns}[{column!r}]" for column, name in self.own) + "}"

    def value(self, name: str, source: generated.Source, c: str) -> str:
        """An expression of a field's value (in ``source``'s names), of the row's own columns (the variable ``c``),
        ``page`` and ``items``: a field's ``source`` in line, or its ``value`` called; a nested list's value of its
        items. (A nested object is completed in line with its row: graphql_api/fastpath.py.)"""
        field = self.fields[name]
        if isinstance(field, Field):
            if field.source is not None:
                return source.expression(field.source, dict(field.uses), {"c": c})
            return f"{source.name(field.value)}({c}, page)"
        assert isinstance(field, Many), name
        return f"{source.name(field.value)}({c}, items[{name!r}].get({c}[{field.by!r}], []), page)"


class Page:
    """What the rows of one page share: the reader's scope, decided once per organization, the day, and the prefix of
    their cursors."""

    def __init__(self, info: Info):
        self.info = info
        self.scope = actor_of(info).scope
        self.today = today(info)
        self.cursor_prefix = ""  # its edge type's, where its rows are a page's edges (Row.cursor)
        self._decided: dict[tuple[str, int], bool] = {}

    def allows_at(self, permission: str, path: str, organization_id: int | None) -> bool:
        """``Scope.allows_at``, decided once per organization on the page (no organization: no)."""
        key = (permission, organization_id)
        if key not in self._decided:
            self._decided[key] = organization_id is not None and self.scope.allows_at(permission, path,
                                                                                     organization_id)
        return self._decided[key]

    def allows(self, permission: str, organization) -> bool:
        """``Scope.allows`` (so that rules written for a Scope, such as wishes.machine.available, take the page)."""
        return self.allows_at(permission, organization.path, organization.id)

    def allows_row(self, permission: str, label: str, columns: dict, path="org_path", owner="organization_id") -> bool:
        """``Scope.allows_row`` for a row read as columns: its organization's grant, or a grant of that record."""
        return (self.allows_at(permission, columns[path], columns[owner])
                or columns["pk"] in self.scope.records.get(permission, {}).get(label, ()))

    def reveal(self, permission: str, label: str, columns: dict) -> bool:
        """``graphql_api.pii.reveal`` for a row read as columns: whether its personal data shows, noting the read.
        Decided once per row (a masked child asks for each of its nine personal fields), kept in its columns under
        ``revealed_key``, where a field's expression finds it without a call (``revealed``)."""
        key = revealed_key(permission, label)
        shown = columns.get(key)
        if shown is None:
            shown = columns[key] = self.allows_row(permission, label, columns)
            if shown:
                note_read(self.info, label, columns["pk"], columns["organization_id"], columns["org_path"])
        return shown


@cache
def revealed_key(permission: str, label: str) -> str:
    """Where a row's columns keep ``Page.reveal``'s answer (no column is named so: a statement's are identifiers)."""
    return f"<revealed {permission} {label}>"


def revealed(permission: str, label: str) -> tuple[str, dict]:
    """A field expression's ``Page.reveal`` of its row ``c`` (and its uses): the answer kept in the columns if the
    row has one, else the call."""
    return (f"(c[REVEALED] if REVEALED in c else page.reveal({permission!r}, {label!r}, c))",
            {"REVEALED": revealed_key(permission, label)})


def reader(info: Info) -> Callable[[Callable, bool], list[Row]] | None:
    """For a root connection whose node type has a Spec and whose selection it serves: a function making a page's
    rows from ``fetch(columns, lists)`` (connection.py's page read as dicts of those columns, with the total count
    when ``counted``, and the items of those of ``lists`` it read with the page, by name); else None. Kept on the
    field's Info like its ``selected_fields`` (the optimizer asks, then the connection)."""
    if _READER not in info.__dict__:
        info.__dict__[_READER] = _reader(info)
    return info.__dict__[_READER]


_READER = "_rows_reader"


def _reader(info: Info) -> Callable[[Callable, bool], list[Row]] | None:
    plan = _plan_of(info)
    if plan is None:
        return None

    lists = tuple((name, shell) for name, field in plan.fields.items() if isinstance(field, Many)
                  if field.by == "pk" and (shell := _list_shell(field.model, field.key, field.fields)) is not None)

    def read(fetch: Callable, counted: bool) -> list[Row]:
        found, items = fetch((*sorted(plan.columns), *([TOTAL] if counted else [])), lists)
        return _build(plan, found, Page(info), items)

    return read


def _plan_of(info: Info) -> Plan | None:
    """The plan for the field's selection, made once per field nodes and values of the variables their @include
    and @skip read (graphql_api/bynodes.py): a plan depends on nothing else (a selected argument sends the field to
    the model path, whatever its value), and strawberry's ``selected_fields``, which converts the whole selection
    with its arguments, cost 3% of a page's CPU."""
    raw = info._raw_info
    return _PLANS.get("plan", tuple(raw.field_nodes), raw.fragments, raw.variable_values, lambda: _plan(info))


_PLANS: ByNodes[Plan | None] = ByNodes()


def _plan(info: Info) -> Plan | None:
    spec = SPECS.get(_node_type(info))
    if spec is None:
        return None
    connection = _merge(s for field in info.selected_fields for s in field.selections)
    edges = _merge(s for use in (connection or {}).get("edges", []) for s in use.selections)
    node = _merge(s for use in (edges or {}).get("node", []) for s in use.selections)
    return spec.plan(node) if connection is not None and edges is not None else None


class RowPageOptimizer(DjangoOptimizerExtension):
    """strawberry-django's optimizer, leaving alone the queryset of a page read as rows: it would plan ``only``,
    joins and prefetches for model instances that are never built (a tenth of such a page's CPU)."""

    def optimize(self, qs, info, *, store=None):
        if isinstance(info, Info) and reader(info) is not None:
            return qs
        return super().optimize(qs, info, store=store)


def _build(plan: Plan, found: list[dict], page: Page, read: dict[str, list[dict]]) -> list[Row]:
    """The page's rows from its columns ``found`` and the items of its nested lists: those ``read`` with the page (by
    the top-level list's name: keyed by the page's ids), the others by the keys of the rows found (``_items``)."""
    items: dict[str, dict] = {}
    for prefix, lists in _lists(plan):
        for name, field in lists:
            listed = read.get(name) if not prefix else None
            if listed is None:
                listed = _items(field, {c[prefix + field.by] for c in found if c[prefix + field.by] is not None})
            grouped = defaultdict(list)
            for item in listed:
                grouped[item[field.key]].append(item)
            items[name] = grouped
    row = plan.spec.row
    return [row(c, plan, page, items) for c in found]


def _items(field: Many, keys: set) -> list[dict]:
    """A nested list's items for the page's keys, in one statement compiled once per list (``_list_shell``)."""
    if not keys:
        return []  # Django's ``__in=()``: no statement
    shell = _list_shell(field.model, field.key, field.fields)
    if shell is None:  # the model's manager filters by a value of its own
        return list(field.model._default_manager.filter(**{f"{field.key}__in": keys}).values(field.key, *field.fields))
    if connections[shell.using].vendor == "postgresql":
        return shell.rows({KEYS: ("%s", [list(keys)])})
    return shell.rows({KEYS: (", ".join(["%s"] * len(keys)), list(keys))})


KEYS = "<<page keys>>"  # where a nested list's keys go: the page's ids, or its window (connection._page_rows)


@lru_cache(maxsize=64)
def _list_shell(model: type[Model], key: str, fields: tuple[str, ...]) -> shells.Shell | None:
    """``model``'s rows whose ``key`` is among the page's keys (a mark), in the model's order: built from its
    arguments alone (the cache key) and the model's manager."""
    items = model._default_manager.filter(_AmongKeys(F(key), RawSQL(KEYS, ()))).values(key, *fields)
    return shells.compiled(items, (KEYS,))


class _AmongKeys(shells.AnyOf):
    """``key IN (keys)``; on PostgreSQL ``key = ANY(keys)``, the keys one array parameter: the same statement text
    for any number of keys (psycopg caches the conversion of a statement of at most 50 parameters, and the 101 of a
    100-row page's guardians were parsed again on every page, 6% of its CPU), and PostgreSQL reads the array by the
    index (0.20 ms for 100 children's guardians at province scale, against 0.40 for ``IN (SELECT unnest(...))``)."""


def _lists(plan: Plan):
    """(prefix, [(name, Many)]) of the plan and of each plan nested in it."""
    lists = [(name, field) for name, field in plan.fields.items() if isinstance(field, Many)]
    if lists:
        yield plan.prefix, lists
    for field in plan.fields.values():
        if isinstance(field, tuple):
            yield from _lists(field[1])


def _merge(selections) -> dict[str, list[SelectedField]] | None:
    """Fields selected, by name, through fragments, without those that @include or @skip leave out (their
    arguments are the operation's variables already); None where another directive would decide."""
    merged: dict[str, list[SelectedField]] = {}
    for selection in selections:
        included = _included(selection.directives)
        if included is None:
            return None
        if not included:
            continue
        if isinstance(selection, (FragmentSpread, InlineFragment)):
            inner = _merge(selection.selections)
            if inner is None:
                return None
            for name, uses in inner.items():
                merged.setdefault(name, []).extend(uses)
        else:
            merged.setdefault(selection.name, []).append(selection)
    return merged


def _included(directives: dict[str, dict]) -> bool | None:
    """Whether a selection is included, as graphql-core's collection decides (None: a directive it does not know)."""
    if directives.keys() - {"include", "skip"}:
        return None
    return not directives.get("skip", {}).get("if") and bool(directives.get("include", {}).get("if", True))


def _node_type(info: Info) -> str | None:
    """The GraphQL name of a connection's node type (``Child`` for ``children``)."""
    def bare(graphql_type):
        while isinstance(graphql_type, (GraphQLNonNull, GraphQLList)):
            graphql_type = graphql_type.of_type
        return graphql_type

    connection = bare(info._raw_info.return_type)
    edges = connection.fields.get("edges") if isinstance(connection, GraphQLObjectType) else None
    node = bare(edges.type).fields.get("node") if edges is not None else None
    return bare(node.type).name if node is not None else None

