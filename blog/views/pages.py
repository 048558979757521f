"""What the page types ask of the view layer when Wagtail serves them: the lists of posts in their
context, the blog index's filtered listings and feeds, and the addresses a frontend cache holds.

The page types keep Wagtail's entry points and find these functions through
`blog.models.rendering`; `register()` (called from `BlogConfig.ready()`) puts them there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from blog import extensions, selectors
from blog.feeds import AtomPostsFeed, RssPostsFeed
from blog.models import BlogIndexPage, BlogPostPage, Category, HomePage, rendering
from icmec.pagination import CountedPaginator, page_of


def lazy(build: Callable[[], Any]) -> SimpleLazyObject:
    """A context value computed when a template first uses it. Listings inside a cached fragment
    cost nothing (not even building their querysets) when the fragment comes from the cache."""
    return SimpleLazyObject(build)


def paginate(request: HttpRequest, paginator: Paginator) -> PaginatorPage:
    """The requested page, clamped to the pages that exist (see `icmec.pagination`)."""
    return page_of(paginator, request.GET.get("page"))


def home_context(page: HomePage, request: HttpRequest, **_kwargs: Any) -> dict[str, Any]:
    user = request.user

    def cards() -> tuple[list[BlogPostPage], list[BlogPostPage]]:
        featured_ids = selectors.featured_post_ids(home=page)
        featured = selectors.featured_posts(
            post_ids=featured_ids, user=user, prefetch_renditions=False
        )
        latest = list(
            selectors.latest_posts(
                user=user, limit=6, exclude_ids=featured_ids, prefetch_renditions=False
            )
        )
        selectors.card_renditions_prefetch([*featured, *latest])  # one query for both
        return featured, latest

    home_cards = lazy(cards)
    return {
        "featured_posts": lazy(lambda: home_cards[0]),
        "latest_posts": lazy(lambda: home_cards[1]),
        "home_sections": [
            HomeSectionShown(
                name=section.name,
                template=section.template,
                cache_variant=section.cache_variant(),
                values=section.context(request),
            )
            for section in extensions.home_sections()
        ],
    }


@dataclass(frozen=True)
class HomeSectionShown:
    """A section other apps add to the home page (`blog.extensions.HomeSection`), for this
    request: the values its template reads are lazy, so a section from the cache costs nothing."""

    name: str
    template: str
    cache_variant: str
    values: Mapping[str, Any]


def blog_index_context(
    page: BlogIndexPage,
    request: HttpRequest,
    *,
    filter_kind: str | None = None,
    filter_value: Any = None,
    **_kwargs: Any,
) -> dict[str, Any]:
    """The listing, one page of it, with what it may be filtered by (set by the routes below)."""
    filters = {filter_kind: filter_value} if filter_kind else {}
    user = request.user
    paginator = CountedPaginator(
        lambda: selectors.post_list(user=user, **filters),
        selectors.post_count(user=user, **filters),
        settings.BLOG_POSTS_PER_PAGE,
    )
    return {
        "posts": paginate(request, paginator),
        "filter_kind": filter_kind,
        "filter_value": filter_value,
        "categories": lazy(lambda: selectors.categories_in_use(user=user)),
        "archive_years": lazy(lambda: selectors.archive_years(user=user)),
    }


def blog_post_context(page: BlogPostPage, request: HttpRequest, **_kwargs: Any) -> dict[str, Any]:
    user = request.user
    return {
        "latest_posts": lazy(
            lambda: selectors.latest_posts(
                user=user, limit=3, exclude_ids=[page.pk], with_images=False
            )
        ),
        # Related posts leave out the post itself and the three already listed as latest.
        "related_posts": lazy(lambda: selectors.related_posts(post=page, user=user, limit=3)),
    }


def category_posts(page: BlogIndexPage, request: HttpRequest, *, slug: str) -> HttpResponse:
    category = selectors.category_by_slug(slug=slug)
    if category is None:
        raise Http404("No such category.")
    return page.render(request, filter_kind="category", filter_value=category)


def tag_posts(page: BlogIndexPage, request: HttpRequest, *, slug: str) -> HttpResponse:
    tag = selectors.tag_by_slug(slug=slug)
    # A tag (or a year, below) is only an address while posts the visitor may read have it.
    if tag is None or not selectors.post_count(user=request.user, tag=tag):
        raise Http404("No such tag.")
    return page.render(request, filter_kind="tag", filter_value=tag)


def year_posts(page: BlogIndexPage, request: HttpRequest, *, year: int) -> HttpResponse:
    if not 1900 <= year <= 2999 or not selectors.post_count(user=request.user, year=year):
        raise Http404("No such year.")
    return page.render(request, filter_kind="year", filter_value=year)


def feed_rss(page: BlogIndexPage, request: HttpRequest, *, slug: str | None = None) -> HttpResponse:
    """All posts' RSS feed, or one category's when the route names it."""
    return RssPostsFeed()(request, index_page=page, category_slug=slug)


def feed_atom(
    page: BlogIndexPage, request: HttpRequest, *, slug: str | None = None
) -> HttpResponse:
    return AtomPostsFeed()(request, index_page=page, category_slug=slug)


def blog_index_cached_paths(page: BlogIndexPage) -> list[str]:
    """The listing, its feeds, every category's listing and feeds, and every year's listing."""
    paths = ["/", "/feed/rss/", "/feed/atom/"]
    for slug in Category.objects.values_list("slug", flat=True):
        paths += [f"/category/{slug}/", f"/category/{slug}/feed/rss/"]
        paths.append(f"/category/{slug}/feed/atom/")
    paths += [f"/{year}/" for year in selectors.archive_years(user=None)]
    return paths


BLOG_INDEX_ROUTES: dict[str, rendering.RouteHandler] = {
    "category_posts": category_posts,
    "tag_posts": tag_posts,
    "year_posts": year_posts,
    "feed_rss": feed_rss,
    "feed_atom": feed_atom,
    "category_feed_rss": feed_rss,
    "category_feed_atom": feed_atom,
}


def register() -> None:
    """Hand the page types their view-layer functions (from `BlogConfig.ready()`)."""
    rendering.register_context(HomePage, home_context)
    rendering.register_context(BlogIndexPage, blog_index_context)
    rendering.register_context(BlogPostPage, blog_post_context)
    for name, handler in BLOG_INDEX_ROUTES.items():
        rendering.register_route(BlogIndexPage, name, handler)
    rendering.register_cached_paths(BlogIndexPage, blog_index_cached_paths)
