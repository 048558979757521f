"""Template context of every page: site chrome and the values fragment caches vary on."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from blog import selectors
from blog.wagtail_internals import site_for_request
from icmec.caching.version import content_version


def public_site(request: HttpRequest) -> dict:
    """Everything here is lazy: a page that does not use a value does not pay for it."""
    return {
        "site_name": settings.WAGTAIL_SITE_NAME,
        "fragment_cache_timeout": settings.FRAGMENT_CACHE_TIMEOUT,
        "site_chrome": SimpleLazyObject(
            lambda: selectors.site_chrome(site=site_for_request(request))
        ),
        "content_version": SimpleLazyObject(lambda: content_version(request)),
        "viewer_is_member": SimpleLazyObject(
            lambda: selectors.visitor_is_member(getattr(request, "user", None))
        ),
    }
