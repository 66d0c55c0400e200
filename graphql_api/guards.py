"""Bounds on the work one request may cause, checked before the work is done.

- Expanded size: fragments may spread other fragments, so a 1 KB document can stand for 2^30 fields; every
  validation rule that walks the expanded document (depth, overlapping fields) would then run for ever. The
  size of the document with every fragment expanded is counted first, in time linear in its text (each
  fragment counted once, memoized), and a document over ``MAX_EXPANDED_FIELDS`` is refused with
  ``QUERY_TOO_COMPLEX`` before any validation rule runs. What depends on the document alone (its size, whether
  it introspects) is counted once per parsed document (``SameDocument``), not on every request.
- Inputs: a variable's string longer than ``MAX_INPUT_CHARS`` or list longer than ``MAX_INPUT_ITEMS`` is
  refused with ``INPUT_TOO_LARGE`` before the variables are coerced (200,000 IDs are not parsed one by one).
- Time: execution runs under a wall-clock budget (``GRAPHQL_TIME_BUDGET_SECONDS``): graphql-core's executor
  polls an abort signal between fields, and a deadline is one; the whole operation is then refused with
  ``TIMEOUT``. Each statement of a read (a query operation) on PostgreSQL also runs with ``statement_timeout``
  set to the budget (SET LOCAL), sent with the statement (``_ReadBound``), so one slow statement cannot hold the
  worker either; mutations run without it (a province-wide move may legitimately take longer than a page). The
  bound is on the database the router sends the request's reads to (a streaming standby, config/replica.py): a
  read the standby serves costs the primary nothing, not even a pooled connection held for the request.
- Introspection by anonymous requests is a setting (``GRAPHQL_ANONYMOUS_INTROSPECTION``, off in production).
- Errors: anything that is not a GraphQL error raised on purpose is masked (strawberry logs it in full; the
  answer is ``INTERNAL_ERROR``); a cancelled statement is answered as ``TIMEOUT``; a database connection that
  broke or could not be made (a primary stopped, a failover under way) as ``UNAVAILABLE`` with HTTP 503 and
  ``Retry-After``, which clients and proxies take as "try again", not as lost data. Django drops the broken
  connection at the request's end, so the next request connects afresh.
"""

from __future__ import annotations

import re
import time
from contextlib import ExitStack
from functools import cached_property, lru_cache

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections, router, transaction
from django.db.backends.utils import debug_transaction
from graphql import GraphQLError
from graphql.language import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, InlineFragmentNode, OperationDefinitionNode
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.graphql import OperationType

from core.errors import ErrorCode
from graphql_api import fastpath, shells
from orgs.models import Organization

MAX_EXPANDED_FIELDS = 2000
MAX_INPUT_CHARS = 50_000
MAX_INPUT_ITEMS = 1000
DOCUMENTS_CACHED = 256  # distinct operation texts kept parsed, validated and measured (the web client sends a few dozen)


class RequestErrorCode(ErrorCode):
    QUERY_TOO_COMPLEX = ("查询过于复杂：展开后有 {size} 个字段，最多 {limit} 个。",
                         "The query is too complex: {size} fields once expanded, at most {limit}.")
    INVALID_CURSOR = ("分页游标“{name}”无效，请从第一页重新开始。", "The “{name}” cursor is not valid; start again from the first page.")
    INPUT_TOO_LARGE = ("输入过大：{what}。", "The input is too large: {what}.")
    TIMEOUT = ("请求处理超时（超过 {seconds} 秒），请缩小查询范围后重试。",
               "The request took longer than {seconds} s; narrow it down and retry.")
    INTROSPECTION_DISABLED = ("未登录时不可查询接口结构。", "Introspection needs a signed-in actor or an API token.")
    INTERNAL_ERROR = ("服务器内部错误，已记录。", "Internal error; it has been logged.")
    UNAVAILABLE = ("数据库暂时无法连接，请稍后重试。", "The database cannot be reached for a moment; retry shortly.")
    BAD_REQUEST = ("请求格式不正确，无法读取。", "Malformed request: it cannot be read.")
    CSRF_FAILED = ("请求缺少有效的安全令牌（CSRF），请刷新页面后重试。",
                   "The request lacks a valid CSRF token; reload the page and retry.")


def request_error(code: RequestErrorCode, **params) -> GraphQLError:
    return GraphQLError(code.render(**params), extensions={"code": code.name})


def expanded_size(document, limit: int = MAX_EXPANDED_FIELDS) -> int:
    """Fields of every operation and fragment definition with fragments expanded, counting stops past ``limit``.

    Each fragment's size is computed once; spreads of unknown or cyclic fragments count 0 (validation reports
    them). Iterative, so that a deeply nested document cannot overflow the Python stack either.
    """
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    sizes: dict[str, int] = {}

    def size_of(root) -> int:
        total = 0
        stack = [root.selection_set]
        while stack and total <= limit:
            selection_set = stack.pop()
            for selection in selection_set.selections if selection_set else ():
                if isinstance(selection, FieldNode):
                    total += 1
                    stack.append(selection.selection_set)
                elif isinstance(selection, InlineFragmentNode):
                    stack.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    total += fragment_size(selection.name.value)
        return total

    def fragment_size(name: str) -> int:
        if name not in sizes:
            sizes[name] = 0  # while it is being counted: a cycle back to it adds nothing
            definition = fragments.get(name)
            sizes[name] = size_of(definition) if definition is not None else 0
        return sizes[name]

    total = 0
    for definition in document.definitions:
        if isinstance(definition, (OperationDefinitionNode, FragmentDefinitionNode)):
            total += size_of(definition)
            if total > limit:
                break
    return total


def _oversized(value, path: str = "variables") -> str | None:
    """Where a JSON value holds a string or a list over the bounds (None if nowhere)."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str) and len(item) > MAX_INPUT_CHARS:
            return f"{where} > {MAX_INPUT_CHARS}"
        if isinstance(item, list):
            if len(item) > MAX_INPUT_ITEMS:
                return f"{where} > {MAX_INPUT_ITEMS}"
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(item))
        elif isinstance(item, dict):
            stack.extend((v, f"{where}.{k}") for k, v in item.items())
    return None


class SameDocument:
    """A parsed document as a cache key by identity. graphql-core hashes a document by walking all of it (some 20 µs
    for a page's query) where ParserCache hands out the very same object for the same text; a cache entry holds its
    document, so the id cannot be reused while the entry lives."""

    __slots__ = ("document",)

    def __init__(self, document):
        self.document = document

    def __hash__(self):
        return id(self.document)

    def __eq__(self, other):
        return isinstance(other, SameDocument) and other.document is self.document


@lru_cache(maxsize=DOCUMENTS_CACHED)
def _measured(key: SameDocument) -> tuple[int, bool]:
    """The document's expanded size and whether it introspects: the same for every request that sends it."""
    return expanded_size(key.document), _introspects(key.document)


def _introspects(document) -> bool:
    stack = [d.selection_set for d in document.definitions if hasattr(d, "selection_set")]
    while stack:
        selection_set = stack.pop()
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode) and selection.name.value in ("__schema", "__type"):
                return True
            stack.append(getattr(selection, "selection_set", None))
    return False


class RequestBounds(SchemaExtension):
    """Refuses oversized documents and inputs before validation, and bounds reads on PostgreSQL in time."""

    def on_validate(self):
        context = self.execution_context
        size, introspects = _measured(SameDocument(context.graphql_document))
        problem = None
        if size > MAX_EXPANDED_FIELDS:
            problem = request_error(RequestErrorCode.QUERY_TOO_COMPLEX, size=f"{size}+", limit=MAX_EXPANDED_FIELDS)
        elif (where := _oversized(context.variables or {})) is not None:
            problem = request_error(RequestErrorCode.INPUT_TOO_LARGE, what=where)
        elif not settings.GRAPHQL_ANONYMOUS_INTROSPECTION and introspects:
            actor = getattr(getattr(context.context, "request", None), "actor", None)
            if actor is None or not actor.is_authenticated:
                problem = request_error(RequestErrorCode.INTROSPECTION_DISABLED)
        if problem is not None:
            context.pre_execution_errors = [problem]  # validation is then skipped
        yield

    def on_execute(self):
        """A read on PostgreSQL runs every statement under ``statement_timeout`` set to the budget, so PostgreSQL cancels
        one that runs past it (``_ReadBound``), on the database the router gives this request's reads of the domain's
        models (Organization stands for them). Nothing outlives a statement's own transaction (SET LOCAL). Each
        statement is its own transaction, as Django's autocommit runs it (isolation READ COMMITTED: a page and its
        count are one statement); a write a read makes (the audit of a clear read) runs in the transaction its code
        opens, bounded the same way."""
        if self.execution_context.operation_type != OperationType.QUERY:
            yield
            return
        connection = connections[router.db_for_read(Organization)]
        if connection.vendor != "postgresql":
            yield
            return
        bound = _ReadBound(connection)
        with bound.transaction, connection.execute_wrapper(bound):
            yield
            result = self.execution_context.result
            if bound.opened and any(_cancelled(error.original_error) for error in getattr(result, "errors", None) or ()):
                transaction.set_rollback(True, using=connection.alias)  # aborted: end it without a COMMIT


class _ReadBound:
    """A read's statements with their bound, each in the same round trip: ``SET LOCAL statement_timeout = …;
    <statement>`` as one simple-protocol query (psycopg's client-side cursor, Django's default), which PostgreSQL runs
    as one transaction (or within the one open); the cursor then reads the statement's result. A read used to open a
    transaction with the bound and COMMIT it: two round trips more and Django's transaction machinery, 9% of a
    10-row page's CPU and wall time (county, in-process, alternating). Where one query cannot carry two statements
    (a batch, a server-side cursor, whose later FETCHes are no statements of Django's, or server-side binding), the
    read goes on from there in one transaction opened with its bound (``_open_bounded``), as every read used to:
    ``transaction`` is entered then, and ends with the read."""

    def __init__(self, connection):
        self.connection = connection
        self.transaction = ExitStack()
        self.opened = False

    def __call__(self, execute, sql, params, many, context):
        if self.opened:
            return execute(sql, params, many, context)
        cursor = context["cursor"].cursor
        if many or not isinstance(cursor, psycopg.ClientCursor) or isinstance(cursor, psycopg.ServerCursor):
            if not self.connection.in_atomic_block:
                self.transaction.enter_context(transaction.atomic(using=self.connection.alias, savepoint=False))
                self.opened = True
            _open_bounded(self.connection)  # (within a transaction of the read's own code: until that one ends)
            return execute(sql, params, many, context)
        result = execute(f"{_bound()}; {sql}", params, many, context)
        cursor.nextset()
        return result


def _bound() -> str:
    return f"SET LOCAL statement_timeout = {int(settings.GRAPHQL_TIME_BUDGET_SECONDS * 1000)}"


_SENT_BOUND = re.compile(r"^SET LOCAL statement_timeout = \d+; ")


def statement(sql: str) -> str:
    """A read's statement as logged (CaptureQueriesContext, ``connection.queries``), without the bound it was sent
    with, and the first of the statements sent together (a page's, before its nested lists': shells.read): what
    EXPLAIN takes."""
    return shells.statements(_SENT_BOUND.sub("", sql, count=1))[0]


def _open_bounded(connection) -> None:
    """Opens a transaction with the read's statement_timeout in one round trip: ``BEGIN; SET LOCAL …`` as one
    simple-protocol query (no parameters: the value is an int formatted here) on psycopg's connection. psycopg then
    finds the transaction open and sends no BEGIN of its own; through Django's cursor it would have, and the SET
    after it, one round trip more. Inside a transaction already open only the SET LOCAL is sent. Logged as Django
    logs its BEGIN and COMMIT (CaptureQueriesContext, ``connection.queries`` with DEBUG); execute wrappers do not
    see it."""
    connection.ensure_connection()
    raw = connection.connection
    sql = _bound()
    if raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
        sql = f"BEGIN; {sql}"
    with debug_transaction(connection, sql), connection.wrap_database_errors:
        result = raw.pgconn.exec_(sql.encode())
        if result.status != psycopg.pq.ExecStatus.COMMAND_OK:
            raise psycopg.OperationalError(result.error_message.decode(errors="replace"))


class Deadline:
    """An abort signal for graphql-core's executor that fires when the request's time budget is spent."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    @cached_property
    def reason(self) -> GraphQLError:
        """The TIMEOUT error, built only for the request that runs out of time (graphql-core reads it then)."""
        return request_error(RequestErrorCode.TIMEOUT, seconds=f"{self.seconds:g}")

    @property
    def aborted(self) -> bool:
        return time.monotonic() > self.ends


class BudgetedExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor with a deadline, and a page's plain rows completed in one pass.

    graphql-core checks the signal between root fields of a mutation and at the end; checking it before each
    field it resolves, and before each row it completes (graphql_api/fastpath.py: a row's fields are not resolved
    one by one), stops a long query in the middle. An expired budget answers the whole operation with the one
    TIMEOUT error (the signal's reason), not a partial result.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.abort_signal is None:
            self.abort_signal = Deadline(settings.GRAPHQL_TIME_BUDGET_SECONDS)
        self.selections: dict[tuple, tuple] = {}  # the rows' compiled selections met so far (fastpath.selection)

    def check_deadline(self) -> None:
        if self.abort_signal.aborted:
            raise self.abort_error()

    def execute_field(self, *args, **kwargs):
        self.check_deadline()
        return super().execute_field(*args, **kwargs)

    def complete_list_value(self, return_type, field_details_list, info, path, result, position_context):
        if (result.__class__ is list and result and fastpath.entry(fastpath.bare(return_type.of_type), result[0])
                and self.get_stream_usage(field_details_list, path) is None):
            return fastpath.complete_entries(self, return_type.of_type, field_details_list, info, path, result)
        return super().complete_list_value(return_type, field_details_list, info, path, result, position_context)

    def complete_object_value(self, return_type, field_details_list, info, path, result, position_context):
        if fastpath.entry(return_type, result):
            selection = fastpath.selection(self, return_type, field_details_list, result)
            if selection is not None:
                self.check_deadline()
                return selection.complete(self, result, path)
        return super().complete_object_value(return_type, field_details_list, info, path, result, position_context)

    def create_aborted_execution_error(self, result):
        return self.abort_error()


def _cancelled(error: BaseException | None) -> bool:
    """A statement PostgreSQL cancelled past the read's statement_timeout."""
    return isinstance(error, OperationalError) and "statement timeout" in str(error)


def connection_lost(error: BaseException | None) -> bool:
    """A database error of the connection, not of the statement: psycopg's OperationalError (connection refused,
    server closed the connection, pgbouncer's lost server) or InterfaceError (the connection is closed), as Django
    wraps them; a cancelled statement (a TIMEOUT) is not one."""
    return isinstance(error, (OperationalError, InterfaceError)) and not _cancelled(error)


def unavailable(response) -> None:
    """What the answer to a request that met a lost connection says besides UNAVAILABLE: HTTP 503, retry shortly."""
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)


RETRY_AFTER_SECONDS = 5


class ShapeErrors(MaskErrors):
    """Masks unexpected errors (logged in full) as INTERNAL_ERROR; a cancelled statement becomes TIMEOUT, a lost
    database connection UNAVAILABLE (HTTP 503)."""

    def __init__(self):
        super().__init__(should_mask_error=lambda error: error.original_error is not None
                         and not isinstance(error.original_error, GraphQLError))

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        if _cancelled(error.original_error):
            code, params = RequestErrorCode.TIMEOUT, {"seconds": f"{settings.GRAPHQL_TIME_BUDGET_SECONDS:g}"}
        elif connection_lost(error.original_error):
            code, params = RequestErrorCode.UNAVAILABLE, {}
            unavailable(self.execution_context.context.response)
        else:  # strawberry has logged it in full (Schema.process_errors)
            code, params = RequestErrorCode.INTERNAL_ERROR, {}
        return GraphQLError(code.render(**params), nodes=error.nodes, source=error.source, positions=error.positions,
                            path=error.path, extensions={"code": code.name})
