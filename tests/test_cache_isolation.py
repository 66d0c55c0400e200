"""The tests' cache namespace (tests/conftest.py isolated_cache) holds in every thread a test starts: a race test's
threads build their own cache objects, and must not share cached scopes with other tests or xdist workers."""

import threading

from django.core.cache import cache


def test_a_thread_of_the_test_reads_and_writes_the_tests_own_namespace():
    cache.set("isolation-probe", "main thread")
    seen = {}

    def other():
        seen["read"] = cache.get("isolation-probe")
        cache.set("isolation-probe-2", "other thread")

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert seen["read"] == "main thread"
    assert cache.get("isolation-probe-2") == "other thread"


def test_the_next_test_starts_from_an_empty_namespace():
    assert cache.get("isolation-probe") is None
    assert cache.get("isolation-probe-2") is None
