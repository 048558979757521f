"""What the site's views share about a request: whether a POST came from this site.

The public forms on cacheable pages (the newsletter's sign-up, the events' booking form) carry
no CSRF token, so that one cached copy of a page fits every anonymous reader; they refuse a POST
that the browser says came from another site instead.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest


def request_is_same_origin(request: HttpRequest) -> bool:
    """True unless the browser says the POST came from another site."""
    origin = request.headers.get("Origin")
    if origin is not None:
        if origin == "null":
            return False
        trusted = {urlsplit(o).netloc for o in settings.CSRF_TRUSTED_ORIGINS}
        trusted.add(urlsplit(settings.SITE_URL).netloc)
        host = urlsplit(origin).netloc
        return host == request.get_host() or host in trusted
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site in ("same-origin", "none")
    # Neither header (old browsers, scripts): the other defences still apply.
    return True
