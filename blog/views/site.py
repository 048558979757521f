"""The public site's views outside the page tree: search, robots.txt and sitemap.xml."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap

from blog import selectors
from blog.sitemaps import SiteSitemap
from icmec.caching.http import public_cache
from icmec.pagination import KnownPagePaginator
from icmec.text import text_param

SEARCH_QUERY_MAX_LENGTH = 200
# Under /newsletter/: the pages of one reader (a token in the address, or their account).
NEWSLETTER_PRIVATE_PATHS = (
    "check-your-inbox/",
    "confirm/",
    "unsubscribe/",
    "account/",
    "webhooks/",
)


@require_safe
@public_cache
def search(request: HttpRequest) -> HttpResponse:
    """Search posts and pages. An empty query shows the form alone; results come 10 a page."""
    query = text_param(request.GET, "q", max_length=SEARCH_QUERY_MAX_LENGTH)
    results_page = None
    if query:
        hits, total, number = selectors.search_results(
            query=query, page_number=request.GET.get("page"), user=request.user, request=request
        )
        paginator = KnownPagePaginator(hits, total, settings.SEARCH_RESULTS_PER_PAGE)
        results_page = paginator.page(number)
    return TemplateResponse(
        request,
        "blog/search.html",
        {
            "search_query": query,
            "results": results_page,
            # The results fragment differs with the query as typed (highlighting) and the page.
            "search_cache_key": hashlib.sha256(
                f"{results_page.number if results_page else 0}:{query}".encode()
            ).hexdigest(),
        },
    )


@require_safe
@public_cache
def robots_txt(request: HttpRequest) -> HttpResponse:
    # The newsletter's forms and personal links (tokens) stay out of search engines; its public
    # archive of issues is for everyone. `$` ends a rule (RFC 9309): the sign-up page alone.
    newsletter = reverse("newsletter:subscribe")
    newsletter_rules = [f"Disallow: {newsletter}$", f"Disallow: {newsletter}?"] + [
        f"Disallow: {newsletter}{private}" for private in NEWSLETTER_PRIVATE_PATHS
    ]
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /portal/",
        *newsletter_rules,
        "Disallow: /search/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('blog:sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@require_safe
@public_cache
def sitemap(request: HttpRequest) -> HttpResponse:
    return wagtail_sitemap(request, sitemaps={"pages": SiteSitemap})
