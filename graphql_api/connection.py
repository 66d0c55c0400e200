"""Cursor connections with ``totalCount`` and a hard page-size limit that answers with a typed error.

A page of a queryset is read as ``id IN (SELECT id ... ORDER BY ... LIMIT n+1 OFFSET k)``: the subquery reads ids
only, over the index that matches the order (orgs.models.page_index), and stops after n+1; the outer statement
has no other condition (the scope is applied once, in the subquery; on PostgreSQL written ``id = ANY(ARRAY(...))``
so that the planner fetches the n+1 rows by primary key instead of hashing a scan of a small table) and fetches
just those rows with what the optimizer joins, or, where the node type is served as plain rows
(graphql_api/rows.py), just the columns the selection asks for. ``totalCount``, when the selection asks for it, is a
scalar subquery of the same statement (PostgreSQL and SQLite run it once): no ``COUNT(*) OVER ()``, which reads
and sorts the whole scope. The order always ends with the primary key, so pages do not overlap or skip rows.

Building and compiling a plain-row page's whole statement on every page cost about 1 ms of the county page's 7 ms
CPU (issue 15). So only what is the reader's (the window's conditions: scope and filters; its paging) is compiled
for each page, into the window's frame (its column, table and order, ``_frame``) and the count's (``_count``, its
prefixes as ranges of the path's pattern index: core.sql.PrefixRange); the rest of the statement (columns, joins,
order) is compiled once per shape (``_shell``, keyed by nothing but what it is built from), and the rows are fetched
as tuples and converted as ``values()`` converts them. On PostgreSQL a nested list keyed by the page's ids is sent
with the page, keyed by its window (``_page_rows``).
"""

from functools import lru_cache

import strawberry
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections
from django.db.models import F, Lookup, QuerySet
from django.db.models.expressions import RawSQL
from graphql import GraphQLError
from strawberry import relay
from strawberry.relay.types import PREFIX, PageInfo
from strawberry.relay.utils import SliceMetadata, should_resolve_list_connection_edges
from strawberry.types.base import StrawberryContainer, get_object_definition
from strawberry_django.optimizer import is_optimized_by_prefetching
from strawberry_django.relay import DjangoListConnection
from strawberry_django.relay.list_connection import _should_optimize_total_count as asks_total_count

from core.sql import aggregate, prefix_ranges
from orgs import counts

from graphql_api import rows, shells
from graphql_api.bynodes import ByNodes
from graphql_api.guards import RequestErrorCode

MAX_PAGE_SIZE = 100


@strawberry.type(name="Connection", description="分页列表 / A page of items with the total count.")
class Connection(DjangoListConnection[relay.NodeType]):
    @classmethod
    def resolve_connection(cls, nodes, *, info, first=None, last=None, **kwargs):
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
                raise GraphQLError(
                    f"每页最多 {MAX_PAGE_SIZE} 条，{name}={value} 超出范围 / "
                    f"At most {MAX_PAGE_SIZE} items per page; {name}={value} is out of range.",
                    extensions={"code": "PAGE_SIZE_EXCEEDED", "max": MAX_PAGE_SIZE},
                )
        for name in ("after", "before"):
            if kwargs.get(name) is not None and not _valid_cursor(kwargs[name]):
                raise GraphQLError(RequestErrorCode.INVALID_CURSOR.render(name=name),
                                   extensions={"code": RequestErrorCode.INVALID_CURSOR.name})
        if isinstance(nodes, QuerySet) and not last and not _prefetched(nodes):
            page = _Page(_total_order(nodes), counted=_asks(info, asks_total_count), read=rows.reader(info))
            connection = cls._paged(page, info=info, first=first, **kwargs)
            connection.nodes = nodes
            return connection
        return super().resolve_connection(nodes, info=info, first=first, last=last, **kwargs)

    @classmethod
    def _paged(cls, page: "_Page", *, info, first=None, before=None, after=None, max_results=None, **kwargs):
        """relay.ListConnection's pager (offset cursors, ``first`` and ``after``/``before``; ``last`` goes to
        strawberry's), without DjangoListConnection's window count, and with its selection checks made once per
        document (``_asks``): strawberry converts the whole selection on every page to find ``edges``."""
        edge_class = _edge_class(cls)
        meta = SliceMetadata.from_arguments(info, before=before, after=after, first=first, max_results=max_results,
                                            prefix=edge_class.CURSOR_PREFIX)
        found = page[meta.start:meta.overfetch]
        if not _asks(info, should_resolve_list_connection_edges):
            return cls(edges=[], page_info=PageInfo(start_cursor=None, end_cursor=None, has_previous_page=False,
                                                    has_next_page=False))
        prefix = edge_class.CURSOR_PREFIX
        if page.read is not None:  # plain rows, each its own edge (rows.Row), its cursor made if asked
            edges = found
            for index, row in enumerate(found, meta.start):
                row.index = index
            if found:
                found[0].page.cursor_prefix = prefix
        else:  # relay's Edge.resolve_edge, without a call per row (nothing overrides it)
            edges = [edge_class(cursor=rows.global_id(prefix, meta.start + i), node=node) for i, node in enumerate(found)]
        has_next_page = meta.expected is not None and len(edges) == meta.expected + 1
        if has_next_page:
            edges = edges[:-1]  # the one read past the page
        return cls(edges=edges, page_info=PageInfo(
            start_cursor=edges[0].cursor if edges else None, end_cursor=edges[-1].cursor if edges else None,
            has_previous_page=meta.start > 0, has_next_page=has_next_page))


@lru_cache(maxsize=None)
def _edge_class(connection: type) -> type:
    """The Edge type of a connection class (strawberry resolves it from the type's definition on every page)."""
    definition = get_object_definition(connection)
    edges = definition.get_field("edges").resolve_type(type_definition=definition)
    while isinstance(edges, StrawberryContainer):
        edges = edges.of_type
    return edges


def _asks(info, check) -> bool:
    """``check(info)``, a question about the field's selection that strawberry answers by converting all of it
    (``selected_fields``), answered once per field nodes and @include/@skip values (graphql_api/bynodes.py)."""
    raw = info._raw_info
    return _ASKED.get(check, tuple(raw.field_nodes), raw.fragments, raw.variable_values, lambda: check(info))


_ASKED: ByNodes[bool] = ByNodes()


def _prefetched(nodes: QuerySet) -> bool:
    """A nested page comes read for all its parents at once (prefetched by the optimizer), and is paged as read."""
    return nodes._result_cache is not None or is_optimized_by_prefetching(nodes)


class _Page:
    """The rows ``nodes[start:stop]`` in two steps: their ids by the index, then the rows (and the count)."""

    def __init__(self, nodes: QuerySet, counted: bool, read=None):
        self.nodes = nodes
        self.counted = counted
        self.read = read

    def __getitem__(self, window: slice):
        if self.read is not None:
            return self.read(lambda columns, lists: _page_rows(self.nodes, window, self.counted, columns, lists),
                             self.counted)
        return _counted(_outer(self.nodes, self.nodes.values("pk")[window]), self.nodes, self.counted)


def _counted(page: QuerySet, nodes: QuerySet, counted: bool) -> QuerySet:
    """The page with the count of ``nodes`` when asked (read back by DjangoListConnection.total_count; an empty page
    counts on its own)."""
    return page.annotate(**{rows.TOTAL: RawSQL(*_count(nodes))}) if counted else page


def _page_rows(nodes: QuerySet, window: slice, counted: bool, columns: tuple[str, ...],
               lists: tuple[tuple[str, shells.Shell], ...] = ()) -> tuple[list[dict], dict[str, list[dict]]]:
    """The page's ``columns`` (and the count) as dicts, by the statement ``_outer`` writes: its window and count are
    compiled from ``nodes`` on every page, the rest (columns, joins, order) once per shape (``_shell``); the rows are
    converted (decrypted, JSON) as Django's ``values()`` would convert them. With them, by name, the items of each of
    ``lists`` (a nested list's shell whose keys are the page's ids: graphql_api/rows.py), read by the same window in
    the same round trip where statements go together (shells.read); none where they do not or the page is compiled
    whole."""
    shell = _shell_of(nodes, columns, counted)
    if shell is None:
        page = _counted(_outer(nodes, nodes.values("pk")[window]), nodes, counted).prefetch_related(None)
        return list(page.values(*columns)), {}
    try:
        window_sql, window_params = _window(nodes, window)
    except EmptyResultSet:  # the scope or a filter can match nothing: no statement, as Django answers
        return [], {}
    parts = {_WINDOW: (window_sql, window_params)}
    if counted:
        parts[_COUNT] = _count(nodes)
    if not shells.together(shell.using):
        lists = ()  # graphql_api/rows.py reads them by the page's ids, after it
    ids = {rows.KEYS: (f"ARRAY({window_sql})", window_params)}  # PostgreSQL's: key = ANY(ARRAY(window))
    found = shells.read([(shell, parts), *((items, ids) for _name, items in lists)])
    return found[0], {name: items for (name, _shell), items in zip(lists, found[1:])}


_WINDOW, _COUNT = "<<page window>>", "<<page count>>"  # marks in a shell, where the page's own parts go


def _count(nodes: QuerySet) -> tuple[str, tuple]:
    """The count of ``nodes`` (core.sql.aggregate). Where the window's conditions are on its own table alone
    (``_on_own_table``), only they are compiled for the page, into the count's frame (``_count_frame``); compiling
    the whole count was 5% of a 10-row page's CPU (county, in-process)."""
    query = nodes.query
    if not _on_own_table(query):
        return aggregate(nodes)
    where, frame, mark = query.where, _count_frame(nodes.model, nodes.db), _WHERE
    if connections[nodes.db].vendor == "postgresql" and (by_path := counts.count_where(nodes.model, where)):
        where, frame, mark = by_path, counts.count_frame(nodes.model), counts.WHERE
    if frame is None:
        return aggregate(nodes)
    try:
        sql, params = query.get_compiler(nodes.db).compile(prefix_ranges(where))
    except (EmptyResultSet, FullResultSet):  # a constant count, or no WHERE (which the frame has)
        return aggregate(nodes)
    return frame.replace(mark, sql, 1), tuple(params)


@lru_cache(maxsize=64)
def _count_frame(model, using: str) -> str | None:
    """``(SELECT COUNT(*) FROM (SELECT 1 FROM table WHERE <mark>) AS t)`` for this model, compiled once."""
    sql, params = aggregate(model._base_manager.db_manager(using).filter(_Marked(F("pk"), _WHERE)))
    return sql if not params and sql.count(_WHERE) == 1 else None


def _compiled(queryset: QuerySet) -> tuple[str, tuple]:
    return queryset.query.get_compiler(queryset.db).as_sql()


def _window(nodes: QuerySet, window: slice) -> tuple[str, tuple]:
    """The SQL of ``nodes.values("pk")[window]``, as Django compiles it. Where ``nodes``' conditions are on its own
    table alone (no join, annotation, aggregate or limits), only they are compiled for the page, into the rest of the
    statement (``_frame``: columns, table and order, compiled once per shape): resolving the order was two thirds
    of compiling the window, 0.4 ms of a 10-row page's ~6 ms CPU (county, in-process). Anything else is compiled
    whole. Raises EmptyResultSet where the conditions match nothing, as Django's compiler does."""
    query = nodes.query
    frame = _frame_of(nodes) if _on_own_table(query) else None
    if frame is None:
        return _compiled(nodes.values("pk")[window])
    low, high = window.start or 0, window.stop
    if high is not None and low >= high:
        raise EmptyResultSet  # an empty slice: Django's set_limits makes the query empty
    compiler = query.get_compiler(nodes.db)
    try:
        where, params = compiler.compile(query.where)
    except FullResultSet:  # no condition: Django writes no WHERE, which the frame has
        return _compiled(nodes.values("pk")[window])
    limits = compiler.connection.ops.limit_offset_sql(low, high)
    return f"{frame.replace(_WHERE, where, 1)}{' ' + limits if limits else ''}", tuple(params)


_WHERE = "<<page where>>"  # the mark in a frame where a page's conditions go


def _on_own_table(query) -> bool:
    """Whether the query's only part that is the reader's is its WHERE over its own table (see ``_window``)."""
    return (len(query.alias_map) == 1 and query.base_table in query.alias_map and not query.annotations
            and not query.extra and not query.extra_tables and not query.distinct and query.group_by is None
            and not query.combinator and not query.select_for_update and query.low_mark == 0
            and query.high_mark is None and not query.where.contains_aggregate
            and not query.where.contains_over_clause)


def _frame_of(nodes: QuerySet) -> str | None:
    query = nodes.query
    try:
        return _frame(nodes.model, nodes.db, tuple(query.order_by), query.default_ordering)
    except TypeError:  # unhashable
        return None


@lru_cache(maxsize=256)
def _frame(model, using: str, order_by: tuple, default_ordering: bool) -> str | None:
    """``SELECT pk FROM table WHERE <mark> ORDER BY …`` for this model and order, compiled once; None if it has
    parameters (an order by a value) or joins (an order by a related field), which a page's conditions could
    change (Django promotes joins by the conditions)."""
    frame = model._base_manager.db_manager(using).filter(_Marked(F("pk"), _WHERE))
    frame.query.order_by, frame.query.default_ordering = order_by, default_ordering
    compiler = frame.values("pk").query.get_compiler(using)
    sql, params = compiler.as_sql()
    if params or sql.count(_WHERE) != 1 or len(compiler.query.alias_map) != 1:
        return None
    return sql


class _Marked(Lookup):
    """A condition written as its mark (``rhs``), for a frame."""

    prepare_rhs = False

    def as_sql(self, compiler, connection):
        return self.rhs, ()


def _shell_of(nodes: QuerySet, columns: tuple[str, ...], counted: bool) -> shells.Shell | None:
    """``_shell`` for ``nodes``' page, or None where it cannot be cached: ``nodes`` annotated (an annotation may hold
    a query of its own, which no key compares) or ordered by a term that is no key."""
    query = nodes.query
    if query.annotations or query.extra:
        return None
    try:
        return _shell(nodes.model, nodes.db, columns, counted, tuple(query.order_by), query.default_ordering)
    except TypeError:  # unhashable
        return None


@lru_cache(maxsize=256)
def _shell(model, using: str, columns: tuple[str, ...], counted: bool, order_by: tuple, default_ordering: bool,
           ) -> shells.Shell | None:
    """The page statement of this shape, compiled once: ``_outer`` over a window and a count that are marks, with
    ``columns`` selected (graphql_api/shells.py). Built from its arguments alone, the cache key (the order's terms as
    written: expressions compare by how they were made, as Django compares them), so it cannot hold a reader's scope
    or filters: those are in the window and the count, compiled for each page. None if the shell has parameters of
    its own (an order by a value)."""
    nodes = model._base_manager.db_manager(using).all()
    nodes.query.order_by, nodes.query.default_ordering = order_by, default_ordering
    page = _outer(nodes, RawSQL(_WINDOW, ()))
    if counted:
        page = page.annotate(**{rows.TOTAL: RawSQL(_COUNT, ())})
    return shells.compiled(page.values(*columns).using(using), (_WINDOW, _COUNT) if counted else (_WINDOW,))


def _outer(nodes: QuerySet, window: QuerySet) -> QuerySet:
    """The statement that reads a window's rows: ``pk IN (window)`` alone (the window applied scope, filters and
    order), in ``nodes``' order, with what the optimizer asked of ``nodes`` (related rows, deferred columns,
    prefetches) and ``nodes``' annotations. Those are read on the row's own key (a subquery on the primary key, as
    a volunteer's confirmed hours), which the base table's alias names in both statements; a filter's join is not
    carried over."""
    outer = nodes.model._base_manager.filter(_InWindow(F("pk"), window))
    query, source = outer.query, nodes.query
    query.select_related, query.deferred_loading = source.select_related, source.deferred_loading
    query.annotations, query.annotation_select_mask = dict(source.annotations), source.annotation_select_mask
    query.order_by, query.default_ordering = source.order_by, source.default_ordering
    outer._prefetch_related_lookups = nodes._prefetch_related_lookups
    return outer


class _InWindow(shells.AnyOf):
    """``pk IN (window)``; on PostgreSQL ``pk = ANY(ARRAY(window))``, which the planner always reads by the primary
    key (an IN over a small table's window was planned as a hash join over a scan of the whole table: the city's
    pairings 1.2 ms against 0.4, a county unit's 100 claims 2.4 ms against 0.3)."""

    subquery = True


def _total_order(nodes: QuerySet) -> QuerySet:
    """``nodes`` in their order with the primary key last (in the direction of the last term), so that the order is
    total and an offset names the same row on every page."""
    order = list(nodes.query.order_by or (nodes.model._meta.ordering if nodes.query.default_ordering else []))
    if not order:
        return nodes.order_by("pk")
    last = order[-1]
    name = last if isinstance(last, str) else getattr(getattr(last, "expression", None), "name", None)
    if name is not None and name.lstrip("-") in ("pk", nodes.model._meta.pk.name):
        return nodes
    descending = last.startswith("-") if isinstance(last, str) else getattr(last, "descending", False)
    return nodes.order_by(*order, "-pk" if descending else "pk")


def _valid_cursor(cursor: str) -> bool:
    """A cursor this API handed out: ``arrayconnection:<offset>`` in base64 (anything else would crash the pager)."""
    try:
        kind, offset = relay.from_base64(cursor)
        return kind == PREFIX and int(offset) >= 0
    except (ValueError, TypeError):
        return False
