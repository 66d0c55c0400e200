import pytest
from django.core.cache import cache

from tests.donors.helpers import SENT, Phones


@pytest.fixture
def phones(settings, django_capture_on_commit_callbacks):
    """Codes by SMS through the tests' outbox (tests.donors.helpers.Outbox), the rate-limit windows fresh."""
    settings.SMS_BACKEND = "tests.donors.helpers.Outbox"
    SENT.clear()
    cache.clear()
    return Phones(django_capture_on_commit_callbacks)
