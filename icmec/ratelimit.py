"""Fixed-window rate limits kept in the cache (Redis in production, shared by every process):
the newsletter's sign-up and the events' public booking form count their attempts here."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

# The prefix the keys had when the newsletter alone kept them: a deploy keeps the counters.
KEY_PREFIX = "newsletter:rl"


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 3600)


def hit(scope: str, key: str, rate: str) -> bool:
    """Count one attempt; False once the limit for this window is exceeded."""
    limit, window = parse_rate(rate)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"{KEY_PREFIX}:{scope}:{digest}"
    if cache.add(cache_key, 1, timeout=window):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=window)
        return True
    return count <= limit
