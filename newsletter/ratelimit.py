"""Fixed-window rate limits kept in the cache (Redis in production, shared by every process)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 3600)


def hit(scope: str, key: str, rate: str) -> bool:
    """Count one attempt; False once the limit for this window is exceeded."""
    limit, window = parse_rate(rate)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"newsletter:rl:{scope}:{digest}"
    if cache.add(cache_key, 1, timeout=window):
        return True
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=window)
        return True
    return count <= limit
