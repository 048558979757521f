"""Cache-Control for public pages, for the caching proxy (and a CDN) in front of the site.

A view or page opts in with `public_cache` (pages through `PublicCacheMixin`). The middleware then
decides, once every other middleware has had its say, whether the response may be stored by a
CDN or caching proxy:

- public (`max-age` short, `s-maxage` longer) when the visitor is anonymous, the request is a GET
  or HEAD, the response is a 200, sets no cookie and shows no flash message;
- `private, no-cache` otherwise (a logged-in visitor's page, a page showing a message);
- responses that already carry Cache-Control (members-only posts, restricted pages) and views
  that did not opt in are left alone.

Public pages render nothing personal for anonymous visitors: the footer's newsletter form carries
no CSRF token (its endpoint checks the request's origin instead), so one cached copy fits all.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

PUBLIC_CACHE_ATTRIBUTE = "public_cache_candidate"


def mark_public(response: HttpResponse) -> HttpResponse:
    """Let the middleware make this response publicly cacheable (subject to the rules above)."""
    setattr(response, PUBLIC_CACHE_ATTRIBUTE, True)
    return response


def public_cache(view: Callable) -> Callable:
    """Let the middleware make this view's anonymous responses publicly cacheable."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return mark_public(view(request, *args, **kwargs))

    return wrapper


class PublicCacheMixin:
    """For page models: their responses may be cached publicly (subject to the rules above)."""

    def serve(self, request, *args, **kwargs):
        return mark_public(super().serve(request, *args, **kwargs))


def _shows_messages(request: HttpRequest) -> bool:
    # Messages loaded for this request (shown, or waiting to be shown) or added during it: the
    # storage's length counts both (and reads the stored ones, as showing them would).
    return len(get_messages(request)) > 0


class CacheHeadersMiddleware:
    """Decides the Cache-Control header of the responses that opted in (see the rules above)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(response, PUBLIC_CACHE_ATTRIBUTE, False):
            return response
        if response.has_header("Cache-Control"):
            return response
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        user = getattr(request, "user", None)
        if response.cookies or _shows_messages(request) or (user and user.is_authenticated):
            patch_cache_control(response, private=True, no_cache=True)
            return response
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PUBLIC_CACHE_MAX_AGE,
            s_maxage=settings.PUBLIC_CACHE_S_MAXAGE,
        )
        # A logged-in visitor's copy of the same address differs (account links, members-only
        # posts): shared caches must key on the cookie, i.e. serve this copy to anonymous only.
        patch_vary_headers(response, ["Cookie"])
        return response
