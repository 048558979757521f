"""The public site's middleware: its pages are served from the site's in-process caches.

(The Cache-Control headers of every app's pages are `icmec.caching.http`'s.)
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from blog.wagtail_internals import request_site_prime
from icmec.caching.scope import request_scope
from icmec.caching.version import content_version


class SiteCacheMiddleware:
    """Serves the public site's pages from in-process caches of the site and its routes.

    Every request gets its own cache scope (icmec.caching.scope). For the views of the public site
    (Wagtail's page serving and the blog's own views) the content version is read once for the
    whole request, and Wagtail is handed the request's site and the sites' root paths from memory
    (`blog.wagtail_internals.request_site_prime`), saving a query and a cache read on every page.
    Other views (the admin, the portal, the health check) are left to Wagtail's own lookups: a
    health check must not depend on this. Runs after CommonMiddleware, so the host has been
    checked against ALLOWED_HOSTS.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_scope():
            return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        from wagtail import views as wagtail_views

        if view_func is not wagtail_views.serve and not getattr(
            view_func, "__module__", ""
        ).startswith("blog."):
            return  # Django goes on to the view
        content_version(request)  # fixed for the rest of the request
        request_site_prime(request)
