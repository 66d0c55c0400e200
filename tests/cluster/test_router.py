"""Issue 21, item 2, without the cluster: which database each read of a request goes to (config/replica.py).

The normal suite has no standby: "replica" is the test database (on PostgreSQL through a connection of its own),
the router's answers are recorded, the standby's replay position is a switch, and the pin of a write is the cache
entry the middleware leaves. The real standby, its lag and pgbouncer are tested by tests/cluster/live
(`make cluster-test`).
"""

import json

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from config import replica
from config.settings import dramatiq_broker
from tests.jobs.helpers import EXPORT

CHILDREN = "{ children(first: 5) { totalCount edges { node { id grade } } } }"
SET_GRADE = "mutation($id: ID!) { updateChild(input: {id: $id, grade: \"七年级\"}) { child { grade } errors { code } } }"


def graphql(method="post", body=None, path="/graphql", content_type="application/json", **params):
    factory = RequestFactory()
    if method == "get":
        return factory.get(path, params)
    return factory.post(path, json.dumps(body) if isinstance(body, dict) else body, content_type=content_type)


@pytest.mark.parametrize(("request_", "read_only"), [
    (lambda: graphql(body={"query": "{ me { username } }"}), True),
    (lambda: graphql(body={"query": "query Page { me { username } }", "operationName": "Page"}), True),
    (lambda: graphql("get", query="{ me { username } }"), True),
    (lambda: graphql(body={"query": "mutation { logout { ok } }"}), False),
    # a document with both: the named operation decides; unnamed, it is ambiguous and goes to the primary
    (lambda: graphql(body={"query": "query A { me { username } } mutation B { logout { ok } }", "operationName": "B"}), False),
    (lambda: graphql(body={"query": "query A { me { username } } mutation B { logout { ok } }", "operationName": "A"}), True),
    (lambda: graphql(body={"query": "query A { me { username } } mutation B { logout { ok } }"}), False),
    (lambda: graphql(body={"query": "subscription { x }"}), False),
    (lambda: graphql(body={"query": "{ me { "}), False),  # a syntax error: the view reports it
    (lambda: graphql(body="not json"), False),
    (lambda: graphql(body=["batched"]), False),
    (lambda: graphql(body="--x\r\n", content_type="multipart/form-data; boundary=x"), False),  # an upload
    (lambda: graphql(body={"query": "{ me { username } }"}, path="/auth/csrf/"), False),
])
def test_only_a_graphql_query_operation_is_read_only(request_, read_only):
    assert replica.is_read_only(request_()) is read_only


class Model:
    class _meta:  # noqa: N801
        app_label = "children"


class SessionModel:
    class _meta:  # noqa: N801
        app_label = "sessions"


def test_the_router_reads_the_standby_only_inside_a_read_only_request_and_outside_its_own_transactions(db):
    router = replica.PrimaryReplicaRouter()
    assert router.db_for_read(Model) == DEFAULT_DB_ALIAS  # no read-only request
    token = replica._reading.set(replica.ReadOnly(depth=len(connection.atomic_blocks)))
    try:
        assert router.db_for_read(Model) == replica.REPLICA
        assert router.db_for_read(SessionModel) == DEFAULT_DB_ALIAS  # sessions: the primary always
        with transaction.atomic():  # a transaction a resolver opens on the primary: it reads what it writes
            assert router.db_for_read(Model) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Model) == replica.REPLICA
        assert router.db_for_write(Model) == DEFAULT_DB_ALIAS
    finally:
        replica._reading.reset(token)
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "children") and not router.allow_migrate(replica.REPLICA, "children")


def install_replica(settings, monkeypatch, standby=None) -> None:
    """The middleware and router as DATABASE_REPLICA_URL installs them; ``standby``, if given (a connection of
    this thread only, not in DATABASES), is the standby."""
    settings.DATABASE_ROUTERS = ["config.replica.PrimaryReplicaRouter"]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE]
    settings.MIDDLEWARE.insert(settings.MIDDLEWARE.index("permissions.middleware.ActorMiddleware") + 1,
                               "config.replica.ReplicaMiddleware")
    if standby is not None:
        connections[standby.alias] = standby
        monkeypatch.setattr(replica, "REPLICA", standby.alias)


def second_connection(alias: str, **changes):
    """A connection of its own to the primary's server (``changes``: to its settings), closed and removed by
    ``drop_connection``."""
    primary = connections[DEFAULT_DB_ALIAS]
    return type(primary)({**primary.settings_dict, **changes}, alias=alias)


def drop_connection(standby) -> None:
    standby.close()
    delattr(connections._connections, standby.alias)


@pytest.fixture
def routed(settings, monkeypatch):
    """The standby is the test database: on PostgreSQL through a connection of its own (it sees the demo data,
    committed before the tests, not a test's uncommitted rows: those are a pinned session's, read on the
    primary); on SQLite, which opens no read transaction, the test's own connection (a second one could not read
    tables the test's transaction has written). The router's answers are recorded, the standby's replay position
    is a switch."""
    standby = second_connection("replica_under_test") if connection.vendor == "postgresql" else None
    install_replica(settings, monkeypatch, standby)
    seen = []
    original = replica.PrimaryReplicaRouter.db_for_read

    def db_for_read(self, model, **hints):
        alias = original(self, model, **hints)
        seen.append((model._meta.label, alias))
        return alias if standby is not None else DEFAULT_DB_ALIAS

    state = {"replayed": True, "pins": [], "seen": seen}
    monkeypatch.setattr(replica.PrimaryReplicaRouter, "db_for_read", db_for_read)
    monkeypatch.setattr(replica, "standby_replayed", lambda lsn: state["replayed"] or lsn == replica.NO_WRITE)
    monkeypatch.setattr(replica, "primary_position", lambda: "0/1")  # past NO_WRITE: the switch decides
    monkeypatch.setattr(replica, "pin_writes", lambda pin: (state["pins"].append(pin), cache.set(pin, "0/1")))
    yield state
    if standby is not None:
        drop_connection(standby)


def child_of(client) -> str:
    return client(CHILDREN)["children"]["edges"][0]["node"]["id"]


def test_a_query_reads_the_standby_and_a_mutation_only_the_primary(routed, as_user):
    staff = as_user("maliang_league_staff")
    child = child_of(staff)
    assert ("children.Child", replica.REPLICA) in routed["seen"]
    assert not routed["pins"]  # nothing written: no pin
    routed["seen"].clear()
    assert not staff(SET_GRADE, {"id": child})["updateChild"]["errors"]
    assert routed["seen"] and {alias for _, alias in routed["seen"]} == {DEFAULT_DB_ALIAS}
    assert len(routed["pins"]) == 1  # the session's write is pinned


def statements(request) -> tuple[list[str], list[str]]:
    """The SQL a request ran on the primary and on the standby."""
    with (CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
          CaptureQueriesContext(connections[replica.REPLICA]) as standby):
        request()
    return [q["sql"] for q in primary.captured_queries], [q["sql"] for q in standby.captured_queries]


@pytest.mark.postgres
def test_a_read_the_standby_serves_is_bounded_there_and_costs_the_primary_nothing(routed, as_user):
    """graphql_api/guards.py bounds the read's statements (statement_timeout) on the connection the router gives
    the reads: through pgbouncer the primary then holds no server connection for the read."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: only there is a read bounded in time")
    staff = as_user("maliang_league_staff")
    child = child_of(staff)  # the session's scope cached
    on_primary, on_standby = statements(lambda: child_of(staff))
    assert any("statement_timeout" in sql for sql in on_standby)
    assert any('FROM "children_child"' in sql for sql in on_standby)
    assert all("django_session" in sql for sql in on_primary), on_primary  # the session only: it lives there
    # and its neighbour: once the session has written, its reads and their bound are the primary's again
    routed["replayed"] = False
    staff(SET_GRADE, {"id": child})
    on_primary, on_standby = statements(lambda: child_of(staff))
    assert any("statement_timeout" in sql for sql in on_primary)
    assert any('FROM "children_child"' in sql for sql in on_primary)
    assert on_standby == []  # (the replay position is this test's switch, not a query)


def test_after_a_write_the_session_reads_the_primary_until_the_standby_has_replayed_it(routed, as_user):
    staff = as_user("maliang_league_staff")
    other = as_user("huangbao_league_staff")  # a neighbour town's session is not pinned by staff's writes
    child = child_of(staff)
    child_of(other)
    routed["replayed"] = False  # the standby lags from here on
    staff(SET_GRADE, {"id": child})
    routed["seen"].clear()
    child_of(staff)
    assert {alias for _, alias in routed["seen"]} == {DEFAULT_DB_ALIAS}
    routed["seen"].clear()
    child_of(other)
    assert ("children.Child", replica.REPLICA) in routed["seen"]
    # once the standby has replayed the write, the session reads it again
    routed["replayed"] = True
    routed["seen"].clear()
    child_of(staff)
    assert ("children.Child", replica.REPLICA) in routed["seen"]


def test_an_export_job_reads_the_standby_once_it_has_replayed_and_the_primary_while_it_lags(routed, settings,
                                                                                            monkeypatch, as_user):
    settings.JOBS_EAGER = True  # the job runs in the request, as a worker would run it
    settings.JOBS_READ_ONLY_RUN = "config.replica.standby_reads"  # as DATABASE_REPLICA_URL sets it
    monkeypatch.setattr(replica, "STANDBY_WAIT_SECONDS", 0)
    staff = as_user("maliang_league_staff")

    def export() -> set[str]:
        routed["seen"].clear()
        assert staff(EXPORT, {"input": {}})["exportChildren"]["job"]["state"] == "SUCCEEDED"
        return {alias for label, alias in routed["seen"] if label == "children.Child"}

    assert export() == {replica.REPLICA}
    assert {alias for label, alias in routed["seen"] if label == "jobs.Job"} == {DEFAULT_DB_ALIAS}  # its own row
    routed["replayed"] = False  # the standby has not replayed what was committed before the run
    assert export() == {DEFAULT_DB_ALIAS}


def test_a_read_that_writes_pins_its_session(routed, as_user):
    """A clear read of personal data writes its audit entry on the primary: that session is pinned."""
    staff = as_user("maliang_league_staff")
    staff("{ children(first: 1) { edges { node { id name } } } }")
    assert len(routed["pins"]) == 1


def test_an_api_token_is_pinned_by_its_own_mutations(routed, as_token, as_user):
    partner = as_token(pytest.demo["partner_token"])
    staff = as_user("maliang_league_staff")
    partner("{ organizations(first: 1) { totalCount } }")
    assert ("orgs.Organization", replica.REPLICA) in routed["seen"]
    routed["replayed"] = False
    partner.post(SET_GRADE, {"id": child_of(staff)})  # any mutation pins, whatever it was allowed to do
    assert len(routed["pins"]) == 1
    routed["seen"].clear()
    partner("{ organizations(first: 1) { totalCount } }")
    assert {alias for _, alias in routed["seen"]} == {DEFAULT_DB_ALIAS}
    routed["seen"].clear()
    child_of(staff)  # the staff session is not pinned by the token's mutation
    assert ("children.Child", replica.REPLICA) in routed["seen"]


def test_pin_keys_differ_per_session_and_per_token():
    factory = RequestFactory()
    one, two = factory.get("/graphql"), factory.get("/graphql")
    one.COOKIES[django_settings.SESSION_COOKIE_NAME] = "a"
    two.COOKIES[django_settings.SESSION_COOKIE_NAME] = "b"
    assert replica._pin_key(one) != replica._pin_key(two)
    assert replica._pin_key(factory.get("/graphql")) is None  # anonymous: nothing to pin, the standby serves it
    session_key = replica._pin_key(two)
    two.api_token = type("Token", (), {"pk": 7})()  # a token request is pinned by the token, not a cookie
    assert replica._pin_key(two) not in (session_key, replica._pin_key(one))


def test_writes_are_recognised_in_the_sql_the_primary_runs():
    for sql in ('INSERT INTO "x" VALUES (1)', ' update "x" set a = 1', "DELETE FROM x", "COPY x FROM STDIN",
                "WITH moved AS (SELECT 1) UPDATE x SET a = 1"):
        assert replica.WRITE_SQL.match(sql), sql
    for sql in ('SELECT "x"."id" FROM "x"', "BEGIN; SET LOCAL statement_timeout = 15000",
                'SELECT 1 FROM "x" FOR UPDATE', "WITH t AS (SELECT 1) SELECT * FROM t"):
        assert not replica.WRITE_SQL.match(sql), sql


@pytest.mark.postgres
def test_on_postgresql_a_pin_is_the_primary_wal_position_and_a_primary_has_replayed_everything(db, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    monkeypatch.setattr(replica, "REPLICA", DEFAULT_DB_ALIAS)  # the test database plays the (promoted) standby
    replica.pin_writes("replica-pin:test")
    lsn = cache.get("replica-pin:test")
    assert "/" in lsn and lsn != replica.NO_WRITE
    assert replica.standby_serves("replica-pin:test")


def test_without_a_replica_nothing_changes():
    assert not django_settings.DATABASE_REPLICA_URL and not django_settings.JOBS_READ_ONLY_RUN
    assert set(django_settings.DATABASES) == {DEFAULT_DB_ALIAS}
    assert "config.replica.ReplicaMiddleware" not in django_settings.MIDDLEWARE
    assert not getattr(django_settings, "DATABASE_ROUTERS", [])


def test_jobs_broker_rabbitmq_picks_rabbitmq_beside_a_redis_cache():
    both = {"REDIS_URL": "redis://h:6379/8", "RABBITMQ_URL": "amqp://guest:guest@h:5672/platform_cluster"}
    assert dramatiq_broker(both)["BROKER"] == "dramatiq.brokers.redis.RedisBroker"
    chosen = dramatiq_broker({**both, "JOBS_BROKER": "rabbitmq"})
    assert chosen["BROKER"] == "dramatiq.brokers.rabbitmq.RabbitmqBroker" and chosen["OPTIONS"]["url"] == both["RABBITMQ_URL"]


@pytest.fixture
def unreachable_standby(settings, monkeypatch):
    """The middleware and router installed, with a standby whose address answers nothing (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    standby = second_connection("unreachable", HOST="127.0.0.1", PORT="1")
    install_replica(settings, monkeypatch, standby)
    yield
    drop_connection(standby)


def test_an_unreachable_standby_leaves_the_reads_to_the_primary(unreachable_standby, as_user):
    assert not replica.standby_serves(None)  # not even an unpinned session reads it
    staff = as_user("maliang_league_staff")
    assert staff(CHILDREN)["children"]["totalCount"] > 0  # answered, from the primary
