"""Issue 14, item 1 on PostgreSQL: reads run under statement_timeout, so one slow statement cannot hold a worker."""

import time

import pytest
from django.db import connection

from tests.graphql_api.test_hardening import error_codes

@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_transactional")
@pytest.mark.django_db(transaction=True)  # autocommit, as in production: a cancelled statement aborts no test transaction
def test_a_slow_statement_is_cancelled_on_postgresql(as_user, settings, monkeypatch):
    from graphql_api.access import queries

    settings.GRAPHQL_TIME_BUDGET_SECONDS = 0.3
    fast = queries.unexpired

    def slow(*args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(5)")
        return fast(*args, **kwargs)

    monkeypatch.setattr(queries, "unexpired", slow)
    started = time.monotonic()
    response = as_user("baokang_league_admin").post("{ me { username } }")
    assert time.monotonic() - started < 3
    assert error_codes(response) == ["TIMEOUT"]
    with connection.cursor() as cursor:  # the bound ended with the read's transaction
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
        cursor.execute("SELECT pg_sleep(0.5)")
