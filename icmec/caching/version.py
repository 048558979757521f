"""The content version: a value in the shared cache that changes whenever published content
changes (a page is published, unpublished, moved or deleted; a snippet or setting that public
pages show is saved).

Fragment caches put it in their keys and in-process memos are emptied when it changes, so that
publishing invalidates every cached copy at once without knowing what depended on what. It lives
in the shared cache (web, worker and beat see the same value), and a request reads it once (its
scope keeps it) so that one page is rendered from one version throughout.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

from icmec.caching import scope

# The name it has had since the public site introduced it: a deploy keeps the caches warm.
CONTENT_VERSION_KEY = "blog:content-version"


def content_version(request: HttpRequest | None = None) -> str:
    """The current content version.

    Given a `request`, the value read is fixed for the rest of that request (the public site's
    middleware does so first, so every memo, fragment and template of a page agree and cost one
    cache read). Without one, and in a request that has not fixed it, the shared cache is read
    each time, so that a process sees its own bump at once (the admin after publishing).
    """
    current = scope.current()
    if current is not None and current.content_version is not None:
        return current.content_version
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        # A new value, never "1" again: values cached in processes under an older version (before
        # the cache was cleared) must not come back.
        cache.add(CONTENT_VERSION_KEY, str(time.time_ns()), timeout=None)
        version = cache.get(CONTENT_VERSION_KEY)
    version = str(version)
    if request is not None and current is not None:
        current.content_version = version
    return version


def content_version_bump() -> str:
    """Mark everything cached for published content as stale (a new content version).

    Called when a page is published, unpublished, moved or deleted, and when a snippet or setting
    shown on public pages changes.
    """
    version = str(time.time_ns())
    cache.set(CONTENT_VERSION_KEY, version, timeout=None)
    return version
