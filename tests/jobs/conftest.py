import pytest


@pytest.fixture(autouse=True)
def eager_jobs(settings):
    settings.JOBS_EAGER = True
