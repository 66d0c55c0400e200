"""Read-only GraphQL operations on a streaming standby, with read-your-writes (issue 21).

Active only when DATABASE_REPLICA_URL is set: the settings then add the ``replica`` database, this router and
this middleware; without it nothing here runs.

- ``ReplicaMiddleware`` decides per request. A GraphQL operation that is a ``query`` (GET, or a JSON POST; a
  multipart POST is an upload, so a mutation) reads the standby; graphql_api/guards.py bounds each of the read's
  statements (statement_timeout) on the database this router gives the reads, so the primary sees no statement
  of it. Everything else (mutations, logins, file
  links, the admin) uses the primary only.
- Read-your-writes: a request that wrote (a mutation, or any INSERT/UPDATE/DELETE… on the primary, such as
  the audit of a clear personal-data read) leaves its session's (or API token's) pin in the cache, shared by
  every app node: the primary's ``pg_current_wal_lsn()`` after the commit. Until the standby has replayed past
  it (``pg_last_wal_replay_lsn()``), that session's reads go to the primary. One statement on the standby
  before the read checks both that and that the standby answers: one that cannot be reached sends the reads
  to the primary as well.
- ``standby_reads``: a background job that only reads (an export, jobs/registry.py READ_ONLY) reads the
  standby once it has replayed everything committed when the run started (the request that queued the job
  included); if it has not within ``STANDBY_WAIT_SECONDS``, the primary.
- ``PrimaryReplicaRouter``: writes always go to the primary; reads to the standby only inside such a request
  or job and outside any transaction it opens on the primary, and never for sessions, login throttling or the
  jobs' own rows (``PRIMARY_ONLY_APPS``: a run's claim, progress and heartbeat are read where they are written).
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import re
import time
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.urls import reverse
from graphql import GraphQLError, OperationDefinitionNode, parse

REPLICA = "replica"
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes", "jobs"})
PIN_SECONDS = 300  # a pin outlives any replay lag worth reading from the standby
STANDBY_WAIT_SECONDS = 2.0  # how long a read-only job waits for the standby to replay before reading the primary
MAX_QUERY_CHARS = 100_000  # a longer document is left to the view's own bounds (and the primary)
WRITE_SQL = re.compile(r"\s*(?:INSERT|UPDATE|DELETE|MERGE|COPY|CREATE|ALTER|DROP|TRUNCATE)\b"
                       r"|\s*WITH\b.*\b(?:INSERT|UPDATE|DELETE)\b", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class ReadOnly:
    """A request or job reading the standby; ``depth``: atomic blocks open on the primary when it began."""

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


NO_WRITE = "0/0"  # the WAL position before any write: every standby has replayed it


def standby_serves(pin: str | None) -> bool:
    """Whether the standby may serve the session's reads: it answers, and has replayed the session's last write."""
    return standby_replayed((cache.get(pin) if pin else None) or NO_WRITE)


def standby_replayed(lsn: str) -> bool:
    """Whether the standby answers and has replayed the WAL up to ``lsn`` (a promoted standby has everything)."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            return bool(cursor.fetchone()[0])
    except DatabaseError:
        connections[REPLICA].close()  # reconnect on the next request rather than reuse a broken connection
        return False


def primary_position() -> str:
    """The primary's WAL position now: past every commit made so far."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


def pin_writes(pin: str) -> None:
    """Remember the primary's WAL position after this request's commits for the session's next reads."""
    cache.set(pin, primary_position(), PIN_SECONDS)


@contextmanager
def standby_reads():
    """The reads of a read-only background job on the standby, once it has replayed the primary's position now."""
    lsn = primary_position()
    deadline = time.monotonic() + STANDBY_WAIT_SECONDS
    while not standby_replayed(lsn):
        if time.monotonic() > deadline:
            yield  # the standby lags or is away: the primary serves the run
            return
        time.sleep(0.05)
    token = _reading.set(ReadOnly(depth=len(connections[DEFAULT_DB_ALIAS].atomic_blocks)))
    try:
        yield
    finally:
        _reading.reset(token)


class _WriteWatch:
    def __init__(self):
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        if not self.wrote and WRITE_SQL.match(sql):
            self.wrote = True
        return execute(sql, params, many, context)


class ReplicaMiddleware:
    """Place after BearerTokenMiddleware and AuthenticationMiddleware (it reads the request's API token)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        read_only = is_read_only(request)
        watch = _WriteWatch()
        with ExitStack() as stack:
            stack.enter_context(connections[DEFAULT_DB_ALIAS].execute_wrapper(watch))
            if read_only and standby_serves(_pin_key(request)):
                token = _reading.set(ReadOnly(depth=len(connections[DEFAULT_DB_ALIAS].atomic_blocks)))
                stack.callback(_reading.reset, token)
            response = self.get_response(request)
        if watch.wrote or (not read_only and request.method not in ("GET", "HEAD", "OPTIONS")):
            pin = _pin_key(request, after=True)
            if pin is not None:
                pin_writes(pin)
        return response
