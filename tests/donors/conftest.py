import pytest

from tests.donors.helpers import SENT, Phones


@pytest.fixture
def phones(settings, django_capture_on_commit_callbacks):
    """Codes by SMS through the tests' outbox (tests.donors.helpers.Outbox); the rate-limit windows are fresh in
    each test's own cache namespace (tests/conftest.py isolated_cache: never cache.clear(), which would flush the
    Redis database that the other test workers share)."""
    settings.SMS_BACKEND = "tests.donors.helpers.Outbox"
    SENT.clear()
    return Phones(django_capture_on_commit_callbacks)
