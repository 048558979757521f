"""Reads for the public site. Never writes.

Every list of posts (listings, feeds, search, sitemap, latest and related posts, the home page)
goes through `hide_members_only`, the one place that decides what a visitor may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractYear
from taggit.models import Tag
from wagtail.images.models import Filter
from wagtail.models import Page, Site

from blog.models import (
    BlogIndexPage,
    BlogPostPage,
    BlogPostTag,
    Category,
    HomePageFeaturedPost,
    SiteRendition,
    SocialMediaSettings,
    StandardPage,
)
from portal.selectors import user_is_approved_member

if TYPE_CHECKING:
    from portal.models import User

    Visitor = User | AnonymousUser | None

# The renditions a post card shows (components/post_card.html uses the same spec string), so that
# listings fetch every card's renditions in one query.
CARD_IMAGE_SPEC = "fill-{480x270,960x540} format-{webp,jpeg}"
CARD_IMAGE_FILTERS: tuple[str, ...] = tuple(Filter.expand_spec(CARD_IMAGE_SPEC.split()))

# The cache key of the "content version": a value that changes whenever published content
# changes (see blog.services.content_version_bump). Fragment caches include it in their keys.
CONTENT_VERSION_KEY = "blog:content-version"


def visitor_is_member(user: Visitor) -> bool:
    """True when the visitor may read members-only posts."""
    return user is not None and user_is_approved_member(user)


def hide_members_only(queryset: QuerySet, *, user: Visitor) -> QuerySet:
    """Leave out members-only posts unless the visitor is an approved member (or staff).

    Works on querysets of posts and on querysets of pages of any type. `user=None` means a public
    context with nobody logged in (feeds, the sitemap).
    """
    if visitor_is_member(user):
        return queryset
    if issubclass(queryset.model, BlogPostPage):
        return queryset.filter(members_only=False)
    return queryset.exclude(
        id__in=BlogPostPage.objects.filter(members_only=True).values("id"),
    )


def post_is_readable_by(*, post: BlogPostPage, user: Visitor) -> bool:
    """Whether this visitor may open the post itself (its direct URL)."""
    return not post.members_only or visitor_is_member(user)


def visible_posts(*, user: Visitor) -> QuerySet[BlogPostPage]:
    """Live, public posts that this visitor may read."""
    return hide_members_only(BlogPostPage.objects.live().public(), user=user)


def with_card_data(posts: QuerySet[BlogPostPage]) -> QuerySet[BlogPostPage]:
    """What a post card needs, in a constant number of queries: the post (without its body),
    its featured image and that image's card renditions."""
    specs = list(CARD_IMAGE_FILTERS)
    return (
        posts.defer_streamfields()
        .select_related("featured_image")
        .prefetch_related(
            Prefetch(
                "featured_image__renditions",
                queryset=SiteRendition.objects.filter(filter_spec__in=specs),
            )
        )
        .order_by("-date_published", "-pk")
    )


def post_list(
    *,
    user: Visitor,
    category: Category | None = None,
    tag: Tag | None = None,
    year: int | None = None,
) -> QuerySet[BlogPostPage]:
    """The blog's listing, newest first, optionally filtered by category, tag or year."""
    posts = visible_posts(user=user)
    if category is not None:
        posts = posts.filter(categories=category)
    if tag is not None:
        posts = posts.filter(tagged_items__tag=tag)
    if year is not None:
        posts = posts.filter(date_published__year=year)
    return with_card_data(posts)


def latest_posts(
    *, user: Visitor, limit: int = 3, exclude_ids: Iterable[int] | QuerySet = ()
) -> QuerySet[BlogPostPage]:
    """The most recent posts, leaving out `exclude_ids` (a list or a subquery of ids)."""
    posts = visible_posts(user=user)
    if exclude_ids is not None:
        posts = posts.exclude(pk__in=exclude_ids)
    return with_card_data(posts)[:limit]


def related_posts(
    *, post: BlogPostPage, user: Visitor, limit: int = 3, skip_latest: int = 3
) -> QuerySet[BlogPostPage]:
    """Up to `limit` posts sharing a category with `post`, most shared categories first.

    Leaves out the post itself and the `skip_latest` most recent posts, which the post page
    already lists as "Latest posts".
    """
    category_ids = post.categories.values("pk")
    latest_ids = (
        visible_posts(user=user)
        .exclude(pk=post.pk)
        .order_by("-date_published", "-pk")
        .values("pk")[:skip_latest]
    )
    posts = (
        visible_posts(user=user)
        .filter(categories__in=category_ids)
        .exclude(pk=post.pk)
        .exclude(pk__in=latest_ids)
        .annotate(shared_categories=Count("categories", distinct=True))
    )
    return with_card_data(posts).order_by("-shared_categories", "-date_published", "-pk")[:limit]


def featured_posts(*, home: Page, user: Visitor) -> QuerySet[BlogPostPage]:
    """The home page's chosen posts, in the editors' order, that this visitor may read."""
    featured = HomePageFeaturedPost.objects.filter(page=home)
    posts = visible_posts(user=user).filter(pk__in=featured.values("post_id"))
    order = featured.filter(post_id=OuterRef("pk")).values("sort_order")[:1]
    return with_card_data(posts).annotate(feature_order=order).order_by("feature_order")


def archive_years(*, user: Visitor) -> list[int]:
    """The years that have posts, newest first."""
    years = (
        visible_posts(user=user)
        .annotate(year=ExtractYear("date_published"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    return list(years)


def categories_in_use(*, user: Visitor) -> QuerySet[Category]:
    """Categories with at least one post this visitor may read, with their post counts."""
    posts = visible_posts(user=user)
    return (
        Category.objects.annotate(
            post_count=Count("posts", filter=Q(posts__in=posts.values("pk")), distinct=True)
        )
        .filter(post_count__gt=0)
        .order_by("name")
    )


def tag_by_slug(*, slug: str) -> Tag | None:
    """A tag used by at least one post, or None."""
    return (
        Tag.objects.filter(slug=slug, pk__in=BlogPostTag.objects.values("tag_id"))
        .order_by("pk")
        .first()
    )


def post_tags(*, post: BlogPostPage) -> list[Tag]:
    return list(post.tags.order_by("name"))


def feed_posts(*, category_slug: str | None = None, limit: int = 20) -> QuerySet[BlogPostPage]:
    """The newest public posts for the RSS and Atom feeds (never members-only ones)."""
    posts = visible_posts(user=None)
    if category_slug is not None:
        posts = posts.filter(categories__slug=category_slug)
    return (
        posts.select_related("featured_image")
        .prefetch_related("authors", "categories")
        .defer_streamfields()
        .order_by("-date_published", "-first_published_at", "-pk")[:limit]
    )


def search_pages(*, query: str, user: Visitor):
    """Posts and standard pages matching `query`, best first (Wagtail search on PostgreSQL)."""
    searchable_types = ContentType.objects.get_for_models(BlogPostPage, StandardPage).values()
    pages = hide_members_only(
        Page.objects.live().public().filter(content_type__in=list(searchable_types)),
        user=user,
    )
    return pages.search(query, operator="and")


def search_results_specific(results: Iterable[Page]) -> list[Page]:
    """The specific pages for one page of search results, in two or three queries."""
    pages = list(results)
    if not pages:
        return []
    ids = [page.pk for page in pages]
    posts = {
        post.pk: post for post in with_card_data(BlogPostPage.objects.filter(pk__in=ids)).order_by()
    }
    standard = {
        page.pk: page for page in StandardPage.objects.filter(pk__in=ids).defer_streamfields()
    }
    found = {**posts, **standard}
    return [found[page.pk] for page in pages if page.pk in found]


def sitemap_pages(*, site: Site) -> QuerySet[Page]:
    """Every live, public page of the site that anyone may read, for sitemap.xml."""
    pages = site.root_page.get_descendants(inclusive=True).live().public()
    return hide_members_only(pages, user=None).order_by("path").defer_streamfields().specific()


def blog_index(*, site: Site | None) -> BlogIndexPage | None:
    """The site's blog (there is one)."""
    if site is None:
        return None
    return BlogIndexPage.objects.live().descendant_of(site.root_page, inclusive=True).first()


def content_version() -> str:
    """The current content version (see CONTENT_VERSION_KEY)."""
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        version = "1"
        cache.add(CONTENT_VERSION_KEY, version, timeout=None)
    return str(version)


def site_chrome(*, site: Site | None) -> dict[str, Any]:
    """The links every page shows: main navigation, footer links and the blog's feeds.

    One query, then cached until published content changes.
    """
    if site is None:
        return {
            "nav": [],
            "footer": [],
            "blog_url": "",
            "blog_title": "",
            "rss_url": "",
            "atom_url": "",
            "social": [],
            "contact_email": "",
        }
    key = f"blog:site-chrome:{site.pk}:{content_version()}"
    chrome = cache.get(key)
    if chrome is not None:
        return chrome
    blog_type = ContentType.objects.get_for_model(BlogIndexPage)
    children = (
        site.root_page.get_children()
        .live()
        .public()
        .filter(
            Q(show_in_menus=True) | Q(standardpage__show_in_footer=True) | Q(content_type=blog_type)
        )
        .values(
            "title", "url_path", "show_in_menus", "content_type_id", "standardpage__show_in_footer"
        )
    )
    root_path = site.root_page.url_path
    nav, footer, blog_url, blog_title = [], [], "", ""
    for child in children:
        url = "/" + child["url_path"][len(root_path) :]
        link = {"title": child["title"], "url": url, "url_path": child["url_path"]}
        if child["show_in_menus"]:
            nav.append(link)
        if child["standardpage__show_in_footer"]:
            footer.append(link)
        if child["content_type_id"] == blog_type.pk:
            blog_url, blog_title = url, child["title"]
    social = SocialMediaSettings.for_site(site)
    chrome = {
        "nav": nav,
        "footer": footer,
        "blog_url": blog_url,
        "blog_title": blog_title,
        "social": social.links(),
        "contact_email": social.contact_email,
        "rss_url": f"{blog_url}feed/rss/" if blog_url else "",
        "atom_url": f"{blog_url}feed/atom/" if blog_url else "",
    }
    cache.set(key, chrome, timeout=60 * 60)
    return chrome
