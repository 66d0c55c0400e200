"""Fixed-window counters in the cache (shared through Redis in production): API tokens, the public board, codes."""

from django.core.cache import cache
from django.utils import timezone


def over(name: str, limit: int, window_seconds: int = 60) -> bool:
    """Counts one hit of ``name`` in the current window; True once the window holds more than ``limit``."""
    window = int(timezone.now().timestamp() // window_seconds)
    key = f"rate:{name}:{window}"
    if cache.add(key, 1, window_seconds + 30):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window_seconds + 30)
            count = 1
    return count > limit
