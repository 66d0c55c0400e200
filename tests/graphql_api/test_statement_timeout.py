"""Issue 14, item 1 on PostgreSQL: reads run under statement_timeout, so one slow statement cannot hold a worker."""

import time

import pytest
from django.db import connection

from tests.graphql_api.test_hardening import error_codes

@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_transactional")
@pytest.mark.django_db(transaction=True)  # autocommit, as in production: a cancelled statement aborts no test transaction
def test_a_slow_statement_is_cancelled_on_postgresql(as_user, settings, monkeypatch):
    from graphql_api.access import types

    settings.GRAPHQL_TIME_BUDGET_SECONDS = 0.3
    fast = types.unexpired

    def slow(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")
        return fast(*args, **kwargs)

    monkeypatch.setattr(types, "unexpired", slow)
    started = time.monotonic()
    response = as_user("baokang_league_admin").post("{ me { memberships { subtree } } }")
    assert time.monotonic() - started < 3
    assert error_codes(response) == ["TIMEOUT"]
    with connection.cursor() as cursor:  # the bound ended with the read's transaction
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
        cursor.execute("SELECT pg_sleep(0.5)")


def round_trips(trace) -> list[str]:
    """What psycopg sent, one entry per round trip: libpq's trace has a line per protocol message, "F" for the
    client's; a simple query is one Query message, an extended one ends with a Sync."""
    sent = [line.split("\t") for line in trace.read_text().splitlines()]
    return [fields[4].strip() for fields in sent if len(fields) > 4 and fields[1] == "F" and fields[3] in ("Query", "Sync")]


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_transactional")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("cursor_kind", ["batch", "server-side"])
def test_a_statement_that_cannot_carry_its_bound_runs_in_a_bounded_transaction(as_user, settings, monkeypatch,
                                                                                cursor_kind):
    """A batch (executemany) or a server-side cursor sends no second statement with its own: it runs in a
    transaction opened with the bound, and is cancelled past the budget all the same."""
    from graphql_api.access import types
    from tests.permissions.helpers import new_user

    settings.GRAPHQL_TIME_BUDGET_SECONDS = 0.3
    fast = types.unexpired

    def slow(*args, **kwargs):
        if cursor_kind == "batch":
            with connection.cursor() as cursor:
                cursor.executemany("SELECT pg_sleep(%s)", [(5,)])
        else:
            with connection.chunked_cursor() as cursor:
                cursor.execute("SELECT pg_sleep(5)")
                cursor.fetchall()
        return fast(*args, **kwargs)

    new_user(f"bounded_{cursor_kind}")  # (the demo's users may have gone with the flush after another test)
    client = as_user(f"bounded_{cursor_kind}")
    monkeypatch.setattr(types, "unexpired", slow)
    started = time.monotonic()
    response = client.post("{ me { memberships { subtree } } }")
    assert time.monotonic() - started < 3
    assert error_codes(response) == ["TIMEOUT"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_transactional")
@pytest.mark.django_db(transaction=True)
def test_each_statement_of_a_read_carries_its_bound_in_its_own_round_trip(as_user, settings, tmp_path):
    """SET LOCAL statement_timeout goes with each statement, in one query: a read costs its statements' round trips
    and nothing more (no BEGIN, no COMMIT), and the answer is the statements' own."""
    from django.test.utils import CaptureQueriesContext

    from tests.permissions.helpers import new_user

    settings.GRAPHQL_TIME_BUDGET_SECONDS = 0.3
    new_user("round_trips")  # (the demo's users went with the flush after the test above)
    client = as_user("round_trips")
    client("{ me { username } }")  # the session and scope cached
    connection.ensure_connection()
    trace = tmp_path / "trace"
    with open(trace, "w") as sink, CaptureQueriesContext(connection) as captured:
        connection.connection.pgconn.trace(sink.fileno())
        try:
            assert client("{ me { username memberships { subtree } } }")["me"]["username"] == "round_trips"
        finally:
            connection.connection.pgconn.untrace()
    sent = round_trips(trace)
    statements = [q["sql"] for q in captured]
    assert statements and all(sql.startswith("SET LOCAL statement_timeout = 300; SELECT ") for sql in statements), statements
    assert sent == [f'"{sql}"' for sql in statements]
