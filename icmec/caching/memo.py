"""Values computed once and kept:

- `cached_for_version`: in this process until the content version changes;
- `cached_shared`: in the shared cache (every process) for a set time;
- `kept_on`: on one object (a request, the request's user) for as long as it lives;
- `computed_once`: in this process for its whole life, for what follows from the code and the
  settings alone (a translated label, the shape of a reversed URL, a parsed setting).

With the caches switched off (`icmec.caching.enabled()`), `cached_for_version` keeps a value for
the current request only (the site, say, is needed by the middleware, the navigation and every
page URL) and `cached_shared` keeps nothing: nothing outlives a request. `kept_on` already lasts
no longer than a request, and `computed_once` holds no content, so the switch leaves them be.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextlib import suppress
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


# The attribute of an object that `kept_on` keeps a value in, by the value's name.
_KEPT_ATTRIBUTE = "_kept_{}"


def kept_on(obj: Any, name: str, build: Callable[[], T]) -> T:
    """`build()`, computed once for `obj` and kept on it, under `name`, for as long as it lives.

    For what a request reads about itself or its visitor (the header's counts on the request,
    what an account may open on the request's user), as Django keeps its permission cache on the
    user: gone with the request, never shared with another. A None is computed again every time.
    Works through Django's lazy objects (`request.user`).
    """
    attribute = _KEPT_ATTRIBUTE.format(name)
    value = getattr(obj, attribute, None)
    if value is None:
        value = build()
        setattr(obj, attribute, value)
    return value


def keep_on(obj: Any, name: str, value: Any) -> None:
    """Keep `value` on `obj` under `name`, for `kept_on` to return (a view that read it already
    hands it to the templates that would read it again)."""
    setattr(obj, _KEPT_ATTRIBUTE.format(name), value)


def forget_kept(obj: Any, name: str) -> None:
    """Drop what `obj` keeps under `name`: the next `kept_on` computes it afresh."""
    with suppress(AttributeError):
        delattr(obj, _KEPT_ATTRIBUTE.format(name))


# What follows from the code and the settings alone, kept for the life of the process.
_constants: dict[Hashable, Any] = {}


def computed_once(key: Hashable, build: Callable[[], T]) -> T:
    """`build()`, computed once per process and kept for its whole life.

    Only for values that follow from the code and the settings alone (a label translated into a
    language, the pieces of a reversed URL, a parsed setting): nothing read from the database,
    nothing about a person, nothing that publishing changes. The keys must name all that the
    value depends on and be few (a name and a language, not a visitor's input), since nothing is
    ever dropped. The site's caches' switch leaves these alone: they hold no content, and
    computing them again would only make the uncached site slower than it is.
    """
    try:
        return _constants[key]
    except KeyError:
        value = _constants[key] = build()
        return value
