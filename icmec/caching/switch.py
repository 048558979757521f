"""The one reader of `SITE_CACHES_ENABLED`.

With the switch off, nothing the site computes outlives the request that computed it: every
fragment is rendered, every query runs. Pages must look the same either way; the switch exists to
measure or debug the uncached site.
"""

from __future__ import annotations

from django.conf import settings


def enabled() -> bool:
    """Whether the site's own caches (fragments, in-process memos, shared-cache memos) are on."""
    return bool(settings.SITE_CACHES_ENABLED)
