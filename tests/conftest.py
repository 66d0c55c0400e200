"""Shared fixtures: the demo data loaded once per test database, GraphQL over HTTP, users by name."""

import importlib.util
import json
import os
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, tmp_path_factory):
    """Every test database starts with the demo forest, accounts and partner token (tests roll back).

    Files the code writes under var/ go to a temporary folder, never to the developer's var/.
    """
    from django.conf import settings

    from demo.loader import load

    settings.VAR_DIR = tmp_path_factory.mktemp("var")
    with django_db_blocker.unblock():
        pytest.demo = load()


@pytest.fixture(scope="module")
def postgres_transactional(django_db_blocker):
    """For a module of transactional tests that need PostgreSQL (committed rows, autocommit as in production):
    skips on anything else (before the transactional database is set up, so nothing is flushed), and after the
    module loads the demo data again, which pytest-django's flush after each transactional test removed."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    yield
    from demo.loader import load

    with django_db_blocker.unblock():
        pytest.demo = load()


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """A fresh cache namespace per test: scope versions roll back with the database, cached scopes must not. Set in
    the settings, not on this thread's cache object: a race test's threads build their own cache objects from the
    settings, and with the bare prefix they shared cached scopes with other tests and other xdist workers, whose
    databases hand out the same user ids (a CI run's 1+N race found its donors' scopes wrong: NOT_FOUND)."""
    prefix = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex}"
    settings.CACHES = {alias: {**config, "KEY_PREFIX": prefix} for alias, config in settings.CACHES.items()}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_token(db) -> str:
    return pytest.demo["partner_token"]


def user(username: str):
    return get_user_model().objects.get(username=username)


def _file_upload_client():
    """graphene-file-upload's multipart test helper, an independent client of the GraphQL multipart spec.

    Loaded by file path: importing ``graphene_file_upload.django.testing`` pulls in graphene_django.
    """
    import graphene_file_upload

    path = Path(graphene_file_upload.__file__).parent / "django" / "testing.py"
    spec = importlib.util.spec_from_file_location("graphene_file_upload_testing", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.file_graphql_query


file_graphql_query = _file_upload_client()


class GraphQLClient:
    """Posts GraphQL over HTTP through Django's test client, the way the web client and partners do."""

    def __init__(self, client: Client | None = None, token: str | None = None):
        self.client = client or Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

    def login(self, username: str) -> "GraphQLClient":
        self.client.force_login(user(username))
        return self

    def post(self, query: str, variables: dict | None = None, **extra):
        body = json.dumps({"query": query, "variables": variables or {}})
        return self.client.post("/graphql", body, content_type="application/json", **self.headers, **extra)

    def upload(self, query: str, files: dict, variables: dict | None = None, **extra):
        """A multipart request: each key of ``files`` becomes the top-level variable of that name."""
        return file_graphql_query(query, variables=dict(variables or {}), files=files, client=self.client,
                                  graphql_url="/graphql", headers={**self.headers, **extra})

    def __call__(self, query: str, variables: dict | None = None) -> dict:
        """The ``data`` of a successful response; fails the test on HTTP or GraphQL errors."""
        response = self.post(query, variables)
        assert response.status_code == 200, response.content
        payload = response.json()
        assert not payload.get("errors"), payload["errors"]
        return payload["data"]


@pytest.fixture
def gql(db):
    """An anonymous GraphQL client; ``gql.login(username)`` signs it in."""
    return GraphQLClient()


@pytest.fixture
def as_user(db):
    """``as_user("maliang_league_staff")``: a signed-in GraphQL client."""
    return lambda username: GraphQLClient().login(username)


@pytest.fixture
def as_token(db):
    return lambda token: GraphQLClient(token=token)
