"""Issue 15, the fixed cost of a request: what depends on the document alone is worked out once per document,
the Redis cache keeps its client, and the refusals and errors stay what they were on every request."""

import pytest

from graphql_api import guards
from graphql_api import schema as assembled
from tests.graphql_api.test_hardening import _python, error_codes, fragment_chain

pytestmark = pytest.mark.django_db


def counting(monkeypatch, module, name) -> list:
    """Calls of ``module.name`` from now on (each call appends its first argument)."""
    calls, real = [], getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(args[0] if args else None)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_an_oversized_document_is_measured_once_and_refused_every_time(gql, monkeypatch):
    measured = counting(monkeypatch, guards, "expanded_size")
    bomb = fragment_chain(28, leaf="measuredOnce: __typename")  # a text no other test sends: not cached yet
    for _ in range(3):
        response = gql.post(bomb)
        assert error_codes(response) == ["QUERY_TOO_COMPLEX"]
        assert "2000" in response.json()["errors"][0]["message"]
    assert len(measured) == 1


def test_a_cached_introspecting_document_is_still_refused_to_anonymous_requests(gql, as_user, settings):
    """The cache knows that the document introspects; who may is decided per request."""
    settings.GRAPHQL_ANONYMOUS_INTROSPECTION = False
    document = "{ __schema { mutationType { name } } }"
    signed_in = as_user("maliang_league_staff")
    for _ in range(2):
        assert signed_in(document)["__schema"]["mutationType"]["name"] == "Mutation"
        assert error_codes(gql.post(document)) == ["INTROSPECTION_DISABLED"]


def test_a_document_is_validated_once_and_its_errors_answered_every_time(gql, monkeypatch):
    validated = counting(monkeypatch, assembled, "validate_document")
    for _ in range(3):
        errors = gql.post("{ validatedOnce: noSuchField }").json()["errors"]
        assert [e["message"] for e in errors] == ["Cannot query field 'noSuchField' on type 'Query'."]
    assert len(validated) == 1
    for _ in range(2):
        assert gql("{ validatedOnceToo: __typename }") == {"validatedOnceToo": "Query"}
    assert len(validated) == 2


def test_documents_are_cache_keys_by_identity_not_by_content():
    from graphql import parse

    text = "{ a: __typename }"
    one, two = parse(text), parse(text)
    assert guards.SameDocument(one) == guards.SameDocument(one)
    assert guards.SameDocument(one) != guards.SameDocument(two)  # equal content, another parse
    assert hash(guards.SameDocument(one)) == id(one)


def test_the_redis_cache_keeps_one_client_for_every_operation():
    from config.cache import ReusingRedisCache

    cache = ReusingRedisCache("redis://127.0.0.1:6379/0", {})  # redis-py connects on the first command only
    client = cache._cache.get_client()
    assert cache._cache.get_client("key") is client
    assert cache._cache.get_client("key", write=True) is client


def test_with_redis_the_settings_use_the_cache_that_keeps_its_client(tmp_path):
    done = _python("from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
                   {"DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": "redis://127.0.0.1:6379/0",
                    "VAR_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "config.cache.ReusingRedisCache"


def test_me_with_its_names_only_runs_no_sql(as_user):
    """The roles, the password flag, the donor and the units cost a statement each, only when selected."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user("maliang_league_staff")
    everything = client("{ me { username mustChangePassword memberships { subtree } isDonor units { name } } }")["me"]
    assert everything["memberships"] and everything["mustChangePassword"] is False
    with CaptureQueriesContext(connection) as captured:
        me = client("{ me { username displayName isSuperuser permissions } }")["me"]
    assert me["username"] == "maliang_league_staff" and me["permissions"]
    assert [q["sql"] for q in captured] == []


def test_a_worker_loads_the_schema_at_start_and_keeps_it_out_of_the_cycle_collector(tmp_path):
    """config/wsgi.py imports every view (the schema with them) before the first request and freezes what it
    loaded: the collector's full passes no longer walk the ~200,000 objects a worker keeps for its life; and the
    youngest generation waits for 50,000 new objects, more than a page builds (config/collector.py)."""
    done = _python("import gc, sys, config.wsgi; "
                   "print(gc.get_freeze_count(), 'graphql_api.schema' in sys.modules, *gc.get_threshold())",
                   {"DEBUG": "1", "VAR_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    frozen, schema_loaded, young, middle, old = done.stdout.split()[:5]
    assert int(frozen) > 100_000 and schema_loaded == "True"
    assert (int(young), int(middle), int(old)) == (50_000, 10, 10)
