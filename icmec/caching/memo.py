"""Values computed once and kept: in this process until the content version changes
(`cached_for_version`), or in the shared cache for a while (`cached_shared`).

With the caches switched off (`icmec.caching.enabled()`), `cached_for_version` keeps a value for
the current request only (the site, say, is needed by the middleware, the navigation and every
page URL) and `cached_shared` keeps nothing: nothing outlives a request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.http import HttpRequest

from icmec.caching import scope
from icmec.caching.switch import enabled
from icmec.caching.version import content_version

T = TypeVar("T")

# Values that change only when the content version does, kept in this process's memory (the
# sites, routes, navigation, counts). A new version empties it; so does reaching the bound.
_process_cache: dict[str, Any] = {"version": None, "values": {}}

PROCESS_CACHE_MAX_ENTRIES = 5000


def cached_for_version(
    key: str,
    build: Callable[[], T],
    *,
    request: HttpRequest | None = None,
    keep_none: bool = True,
) -> T:
    """`build()`, computed once per process and content version.

    With `keep_none=False` a None is not kept (a 404 must not fill memory with junk addresses).
    `request` fixes the content version for the rest of that request (see `content_version`).
    """
    if not enabled():
        current = scope.current()
        if current is None:
            return build()
        if key not in current.values:
            current.values[key] = build()
        return current.values[key]
    version = content_version(request)
    if _process_cache["version"] != version:
        _process_cache["version"] = version
        _process_cache["values"] = {}
    values = _process_cache["values"]
    if key in values:
        return values[key]
    value = build()
    if value is not None or keep_none:
        if len(values) >= PROCESS_CACHE_MAX_ENTRIES:
            values.clear()
        values[key] = value
    return value


def cached_shared(key: str, build: Callable[[], T], *, timeout: int) -> T:
    """`build()`, kept in the shared cache (every process) for `timeout` seconds.

    For values that may be a little stale but not wrong for long (put the content version in the
    key when published content decides them). A None is computed again every time.
    """
    if not enabled():
        return build()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value
