"""Read-only GraphQL operations on a streaming standby, with read-your-writes (issue 21).

Active only when DATABASE_REPLICA_URL is set: the settings then add the ``replica`` database, this router and
this middleware; without it nothing here runs.

- ``ReplicaMiddleware`` decides per request. A GraphQL operation that is a ``query`` (GET, or a JSON POST; a
  multipart POST is an upload, so a mutation) reads the standby, in one read-only transaction (one snapshot
  for a page and its count) bounded by statement_timeout like graphql_api/guards.py bounds reads on the
  primary. Everything else (mutations, logins, file links, the admin) uses the primary only.
- Read-your-writes: a request that wrote (a mutation, or any INSERT/UPDATE/DELETE… on the primary, such as
  the audit of a clear personal-data read) leaves its session's (or API token's) pin in the cache, shared by
  every app node: the primary's ``pg_current_wal_lsn()`` after the commit. Until the standby has replayed past
  it (``pg_last_wal_replay_lsn()``), that session's reads go to the primary. A standby that cannot be reached
  sends reads to the primary as well.
- ``PrimaryReplicaRouter``: writes always go to the primary; reads to the standby only inside such a request
  and outside any transaction a resolver opens on the primary (past the read's own bounding transaction), and
  never for sessions or login throttling (``PRIMARY_ONLY_APPS``).
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import re
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.urls import reverse
from graphql import GraphQLError, OperationDefinitionNode, parse

REPLICA = "replica"
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes"})
PIN_SECONDS = 300  # a pin outlives any replay lag worth reading from the standby
MAX_QUERY_CHARS = 100_000  # a longer document is left to the view's own bounds (and the primary)
WRITE_SQL = re.compile(r"\s*(?:INSERT|UPDATE|DELETE|MERGE|COPY|CREATE|ALTER|DROP|TRUNCATE)\b"
                       r"|\s*WITH\b.*\b(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class ReadOnly:
    """A request reading the standby; ``depth``: atomic blocks on the primary that are still the read's own."""

    depth: int


_reading = contextvars.ContextVar("replica_reading", default=None)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _reading.get()
        if state is None or model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        if len(connections[DEFAULT_DB_ALIAS].atomic_blocks) > state.depth:
            return DEFAULT_DB_ALIAS  # a transaction of the resolver's own: it reads what it is about to write
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the standby holds the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


@lru_cache(maxsize=512)
def _operation_types(query: str) -> dict:
    document = parse(query, no_location=True)
    return {d.name.value if d.name else None: d.operation.value
            for d in document.definitions if isinstance(d, OperationDefinitionNode)}


def _graphql_request(request) -> tuple[str, str | None] | None:
    """The request's GraphQL document and operation name, when it is one the middleware may read without
    consuming an upload (GET, JSON POST)."""
    if request.method == "GET":
        data = request.GET
    elif request.method == "POST" and request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError, RequestDataTooBig):  # the view answers these itself
            return None
    else:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("query"), str):
        return None
    name = data.get("operationName")
    return data["query"], name if isinstance(name, str) and name else None


def is_read_only(request) -> bool:
    """Whether the request is a GraphQL ``query`` operation (never a mutation or subscription)."""
    if request.path != reverse("graphql"):
        return False
    found = _graphql_request(request)
    if found is None or len(found[0]) > MAX_QUERY_CHARS:
        return False
    query, name = found
    try:
        types = _operation_types(query)
    except (GraphQLError, RecursionError):
        return False
    if name is None:
        return len(types) == 1 and next(iter(types.values())) == "query"
    return types.get(name) == "query"


def _pin_key(request, after: bool = False) -> str | None:
    """Whose writes a read must see: the API token, else the session (its new key after a login)."""
    token = getattr(request, "api_token", None)
    if token is not None:
        who = f"token:{token.pk}"
    else:
        session = getattr(request, "session", None)
        key = session.session_key if after and session is not None else None
        key = key or request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not key:
            return None
        who = f"session:{key}"
    return "replica-pin:" + hashlib.sha256(who.encode()).hexdigest()[:32]


def replica_caught_up(pin: str | None) -> bool:
    """True when the standby has replayed the pinned session's last write (or there is none)."""
    lsn = cache.get(pin) if pin else None
    return lsn is None or standby_replayed(lsn)


def standby_replayed(lsn: str) -> bool:
    """Whether the standby has replayed the WAL up to ``lsn`` (a promoted standby has everything)."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            return bool(cursor.fetchone()[0])
    except DatabaseError:
        return False


def pin_writes(pin: str) -> None:
    """Remember the primary's WAL position after this request's commits for the session's next reads."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        cache.set(pin, cursor.fetchone()[0], PIN_SECONDS)


class _WriteWatch:
    def __init__(self):
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        if not self.wrote and WRITE_SQL.match(sql):
            self.wrote = True
        return execute(sql, params, many, context)


def _open_replica_read() -> ExitStack | None:
    """One read-only transaction on the standby, bounded in time; None (nothing open) when it cannot be reached."""
    stack = ExitStack()
    try:
        stack.enter_context(transaction.atomic(using=REPLICA))
    except DatabaseError:
        connections[REPLICA].close()
        return None
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)",
                           [f"{int(settings.GRAPHQL_TIME_BUDGET_SECONDS * 1000)}ms"])
    except DatabaseError:
        transaction.set_rollback(True, using=REPLICA)
        try:
            stack.close()
        except DatabaseError:
            pass
        connections[REPLICA].close()
        return None
    stack.callback(transaction.set_rollback, True, using=REPLICA)  # nothing to commit on a standby
    return stack


class ReplicaMiddleware:
    """Place after BearerTokenMiddleware and AuthenticationMiddleware (it reads the request's API token)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        read_only = is_read_only(request)
        watch = _WriteWatch()
        with ExitStack() as stack:
            stack.enter_context(connections[DEFAULT_DB_ALIAS].execute_wrapper(watch))
            replica_read = _open_replica_read() if read_only and replica_caught_up(_pin_key(request)) else None
            if replica_read is not None:
                stack.enter_context(replica_read)
                # +1: graphql_api/guards.py's bounding transaction of a read on the primary
                token = _reading.set(ReadOnly(depth=len(connections[DEFAULT_DB_ALIAS].atomic_blocks) + 1))
                stack.callback(_reading.reset, token)
            response = self.get_response(request)
        if watch.wrote or (not read_only and request.method not in ("GET", "HEAD", "OPTIONS")):
            pin = _pin_key(request, after=True)
            if pin is not None:
                pin_writes(pin)
        return response
