"""Cache-Control for the public site.

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
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

PUBLIC_CACHE_ATTRIBUTE = "public_cache_candidate"


def mark_public(response: HttpResponse) -> HttpResponse:
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
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    # Messages loaded for this request (shown, or waiting to be shown) or added during it.
    return bool(storage._loaded_messages or storage._queued_messages)


class CacheHeadersMiddleware:
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


class SiteCacheMiddleware:
    """Serves the public site's pages from in-process caches of the site and its routes.

    Wagtail keeps the site it finds on `request._wagtail_site`, and the sites' root paths on
    `request._wagtail_cached_site_root_paths`; for the views of the public site (Wagtail's page
    serving and the blog's own views) these are filled in from memory first, saving a query and a
    cache read on every page, and the content version is read once for the whole request. Other
    views (the admin, the portal, the health check) are left to Wagtail's own lookups: a health
    check must not depend on this. Runs after CommonMiddleware, so the host has been checked
    against ALLOWED_HOSTS.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from blog import selectors

        token = selectors.request_content_version.set(None)
        memo_token = selectors.request_memo.set({})
        try:
            return self.get_response(request)
        finally:
            selectors.request_memo.reset(memo_token)
            selectors.request_content_version.reset(token)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        from wagtail import views as wagtail_views

        from blog import selectors

        if view_func is not wagtail_views.serve and not getattr(
            view_func, "__module__", ""
        ).startswith("blog."):
            return None
        selectors.request_content_version.set(selectors.content_version(request))
        request._wagtail_site = selectors.site_for_request(request)
        request._wagtail_cached_site_root_paths = selectors.site_root_paths(request)
        return None
