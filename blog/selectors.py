"""Reads for the public site. Never writes.

Every list of posts (listings, feeds, search, sitemap, latest and related posts, the home page)
goes through `hide_members_only`, the one place that decides what a visitor may see.
"""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchHeadline, SearchQuery
from django.core.cache import cache
from django.db.models import (
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, ExtractYear, NullIf
from django.http import HttpRequest
from django.http.request import split_domain_port
from taggit.models import Tag
from wagtail.images.models import Filter
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.models.sites import SiteRootPath

from blog.models import (
    BlogIndexPage,
    BlogPostPage,
    BlogPostTag,
    Category,
    SiteRendition,
    SocialMediaSettings,
    StandardPage,
)
from icmec.pagination import page_number as page_number_of
from icmec.pagination import window_counted_page
from portal.selectors import user_is_approved_member

if TYPE_CHECKING:
    from portal.models import User

    Visitor = User | AnonymousUser | None

# The renditions a post card shows (components/post_card.html uses the same spec string), so that
# listings fetch every card's renditions in one query.
CARD_IMAGE_SPEC = "fill-{480x270,960x540} format-{webp,jpeg}"
CARD_IMAGE_FILTERS: tuple[str, ...] = tuple(Filter.expand_spec(CARD_IMAGE_SPEC.split()))

# The columns of a post that a card or a list of posts shows (components/post_card.html, the
# post page's latest posts): the page's URL comes from `url_path`. Listings read only these.
CARD_FIELDS = (
    "title",
    "url_path",
    "date_published",
    "summary",
    "members_only",
    "featured_image",
    "featured_image_alt",
)

# The cache key of the "content version": a value that changes whenever published content
# changes (see blog.services.content_version_bump). Fragment caches include it in their keys.
CONTENT_VERSION_KEY = "blog:content-version"


def page_free_slug(*, parent: Page, slug: str) -> str:
    """`slug` if no child of `parent` has it, else the first of `slug-2`, `slug-3`... that is free
    (cut to fit the 255 characters of a slug)."""
    taken = set(
        parent.get_children().filter(slug__startswith=slug[:200]).values_list("slug", flat=True)
    )
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = f"{slug[: 255 - len(suffix)]}{suffix}"
    return candidate


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


def restricted_page_ids() -> QuerySet[Page]:
    """A subquery: the ids of pages under a Wagtail view restriction (password, login, groups).

    Wagtail's `.public()` reads every restriction with a query of its own each time it is called;
    this stays a subquery of the listing's single query.
    """
    restriction_above = PageViewRestriction.objects.annotate(
        restricted_path=ExpressionWrapper(OuterRef("path"), output_field=CharField())
    ).filter(restricted_path__startswith=F("page__path"))
    return Page.objects.filter(Exists(restriction_above)).values("id")


def public_pages(queryset: QuerySet) -> QuerySet:
    """Live pages that anyone may see (no view restriction on them or above them)."""
    if not any_view_restrictions():
        return queryset.live()  # the usual case: no page is restricted, nothing to leave out
    return queryset.live().exclude(id__in=restricted_page_ids())


def visible_posts(*, user: Visitor) -> QuerySet[BlogPostPage]:
    """Live, public posts that this visitor may read."""
    return hide_members_only(public_pages(BlogPostPage.objects.all()), user=user)


def with_card_data(
    posts: QuerySet[BlogPostPage], *, prefetch_renditions: bool = True
) -> QuerySet[BlogPostPage]:
    """What a post card needs, in a constant number of queries: the post (without its body),
    its featured image and that image's card renditions.

    `prefetch_renditions=False` leaves the renditions to `card_renditions_prefetch`, which reads
    those of several lists in one query."""
    posts = posts.only(*CARD_FIELDS).select_related("featured_image")
    if prefetch_renditions:
        posts = posts.prefetch_related(
            Prefetch(
                "featured_image__renditions",
                queryset=SiteRendition.objects.filter(filter_spec__in=CARD_IMAGE_FILTERS),
            )
        )
    return posts.order_by("-date_published", "-pk")


def card_renditions_prefetch(posts: Iterable[BlogPostPage]) -> None:
    """Read the card renditions of all these posts' featured images in one query."""
    images = [post.featured_image for post in posts if post.featured_image_id]
    renditions = SiteRendition.objects.filter(filter_spec__in=CARD_IMAGE_FILTERS)
    prefetch_related_objects(images, Prefetch("renditions", queryset=renditions))


def _filtered_posts(
    *, user: Visitor, category: Category | None, tag: Tag | None, year: int | None
) -> QuerySet[BlogPostPage]:
    posts = visible_posts(user=user)
    if category is not None:
        posts = posts.filter(categories=category)
    if tag is not None:
        posts = posts.filter(tagged_items__tag=tag)
    if year is not None:
        posts = posts.filter(date_published__year=year)
    return posts


def post_list(
    *,
    user: Visitor,
    category: Category | None = None,
    tag: Tag | None = None,
    year: int | None = None,
) -> QuerySet[BlogPostPage]:
    """The blog's listing, newest first, optionally filtered by category, tag or year."""
    return with_card_data(_filtered_posts(user=user, category=category, tag=tag, year=year))


def post_count(
    *,
    user: Visitor,
    category: Category | None = None,
    tag: Tag | None = None,
    year: int | None = None,
) -> int:
    """How many posts `post_list` holds (counted once per process and content version)."""
    key = ":".join(
        [
            "post-count",
            "member" if visitor_is_member(user) else "public",
            str(category.pk if category else ""),
            str(tag.pk if tag else ""),
            str(year or ""),
        ]
    )
    return cached_for_version(
        key,
        lambda: _filtered_posts(user=user, category=category, tag=tag, year=year).count(),
    )


def latest_posts(
    *,
    user: Visitor,
    limit: int = 3,
    exclude_ids: Iterable[int] | QuerySet = (),
    with_images: bool = True,
    prefetch_renditions: bool = True,
) -> QuerySet[BlogPostPage]:
    """The most recent posts, leaving out `exclude_ids` (a list or a subquery of ids).

    `with_images=False` for lists that show no picture (date, title and excerpt only).
    """
    posts = visible_posts(user=user)
    if exclude_ids is not None:
        posts = posts.exclude(pk__in=exclude_ids)
    if with_images:
        return with_card_data(posts, prefetch_renditions=prefetch_renditions)[:limit]
    return posts.only(*CARD_FIELDS).order_by("-date_published", "-pk")[:limit]


def related_posts(
    *, post: BlogPostPage, user: Visitor, limit: int = 3, skip_latest: int = 3
) -> QuerySet[BlogPostPage]:
    """Up to `limit` posts sharing a category with `post`, most shared categories first.

    Leaves out the post itself and the `skip_latest` most recent posts, which the post page
    already lists as "Latest posts".
    """
    # The post's own category list (loaded once, and also right in a preview, where the post's
    # categories are still only in memory).
    category_ids = [category.pk for category in post.category_list]
    if not category_ids:
        return BlogPostPage.objects.none()
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


def featured_post_ids(*, home: Page) -> list[int]:
    """The ids of the home page's chosen posts, in the editors' order (also right in a preview,
    where the choice is still only in memory)."""
    return [item.post_id for item in home.featured_posts.all() if item.post_id]


def featured_posts(
    *, post_ids: list[int], user: Visitor, prefetch_renditions: bool = True
) -> list[BlogPostPage]:
    """The chosen posts (`featured_post_ids`), in that order, that this visitor may read."""
    ids = list(post_ids)
    if not ids:
        return []
    found = with_card_data(
        visible_posts(user=user).filter(pk__in=ids), prefetch_renditions=prefetch_renditions
    )
    posts = {post.pk: post for post in found}
    return [posts[pk] for pk in ids if pk in posts]


def archive_years(*, user: Visitor) -> QuerySet:
    """The years that have posts, newest first (a lazy queryset of ints)."""
    return (
        visible_posts(user=user)
        .annotate(year=ExtractYear("date_published"))
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def categories_in_use(*, user: Visitor) -> QuerySet[Category]:
    """Categories with at least one post this visitor may read, with their post counts."""
    posts = visible_posts(user=user)
    # Filtering before annotating counts only the visible posts, and leaves out the categories
    # without any, in one pass over the join (a filtered aggregate over every category's posts
    # took seven times longer).
    return (
        Category.objects.filter(posts__in=posts.values("pk"))
        .annotate(post_count=Count("posts", distinct=True))
        .order_by("name")
    )


def tag_by_slug(*, slug: str) -> Tag | None:
    """A tag used by at least one post, or None."""
    return cached_for_version(
        f"tag:{slug}",
        lambda: (
            Tag.objects.filter(slug=slug, pk__in=BlogPostTag.objects.values("tag_id"))
            .order_by("pk")
            .first()
        ),
        keep_none=False,
    )


def category_by_slug(*, slug: str) -> Category | None:
    return cached_for_version(
        f"category:{slug}",
        lambda: Category.objects.filter(slug=slug).first(),
        keep_none=False,
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


# Around a match in the body, ts_headline marks the words with these (characters no text of
# the site contains); `search_snippet` escapes the rest and turns them into <mark> elements.
SNIPPET_START, SNIPPET_STOP = "\ue000", "\ue001"


class StreamText(Func):
    """The plain text of a body StreamField (paragraphs, headings, quotes, key figures), tags
    removed, computed by PostgreSQL from the stored JSON."""

    # Block-level tags separate words, inline ones (<b>, <a>) do not: "<b>tools</b>:" is
    # "tools:".
    template = (
        "regexp_replace(regexp_replace(coalesce((SELECT string_agg(CASE block->>'type'"
        " WHEN 'paragraph' THEN block->>'value'"
        " WHEN 'heading' THEN block->'value'->>'text'"
        " WHEN 'quote' THEN block->'value'->>'quote'"
        " WHEN 'statistic' THEN concat_ws(' ', block->'value'->>'figure',"
        " block->'value'->>'label')"
        " END, ' ') FROM jsonb_array_elements(%(expressions)s) AS block), ''),"
        " '</?(p|br|li|ul|ol|h[1-6]|blockquote|div|hr)\\M[^>]*>', ' ', 'gi'),"
        " '<[^>]*>', '', 'g')"
    )
    output_field = TextField()


def _search_config() -> str:
    """The text search configuration Wagtail's index uses (its stemming, its stop words)."""
    return settings.WAGTAILSEARCH_BACKENDS["default"].get("SEARCH_CONFIG", "english")


def search_pages(*, query: str, user: Visitor):
    """Posts and standard pages matching `query`, best first (Wagtail search on PostgreSQL).

    Results are base `Page` objects carrying what a result shows (`excerpt`, `body_snippet`: the
    body's words around the match, and for posts `date_published` and `members_only`) and
    `total_matches`, so a page of results takes one query (see `search_results`).
    """
    searchable_types = ContentType.objects.get_for_models(BlogPostPage, StandardPage).values()
    pages = hide_members_only(
        public_pages(Page.objects.filter(content_type__in=list(searchable_types))),
        user=user,
    ).annotate(
        excerpt=Coalesce(
            NullIf("blogpostpage__summary", Value("")),
            NullIf("search_description", Value("")),
            NullIf("standardpage__introduction", Value("")),
            Value(""),
            output_field=TextField(),
        ),
        # Computed for the rows of the requested page only (PostgreSQL evaluates an expensive
        # column after the sort and the limit).
        body_snippet=SearchHeadline(
            Coalesce(StreamText("blogpostpage__body"), StreamText("standardpage__body")),
            SearchQuery(query, config=_search_config(), search_type="plain"),
            config=_search_config(),
            start_sel=SNIPPET_START,
            stop_sel=SNIPPET_STOP,
            max_words=30,
            min_words=15,
            max_fragments=2,
            fragment_delimiter=" … ",
        ),
        date_published=F("blogpostpage__date_published"),
        members_only=F("blogpostpage__members_only"),
        # Every result carries the number of matches, so that a page of results and the total
        # take one query instead of two.
        total_matches=Window(Count("id")),
    )
    # A result shows its title and links to its URL (made from `url_path`): the other columns of
    # a page are left in the database.
    return pages.only("id", "title", "url_path").search(query, operator="and")


@dataclass(frozen=True)
class SearchHit:
    """One search result, as the results page shows it."""

    title: str
    url: str
    excerpt: str
    date_published: datetime.date | None
    members_only: bool
    # Words of the body around the match, the matched words between SNIPPET_START and
    # SNIPPET_STOP; empty when the body does not match.
    body_snippet: str = ""


SEARCH_CACHE_TIMEOUT = 10 * 60


def search_results(
    *, query: str, page_number: Any, user: Visitor, request: HttpRequest
) -> tuple[list[SearchHit], int, int]:
    """One page of results for `query`, the number of results in all and the page's number.

    Any `page_number` gives a page: it is clamped to the pages that exist (see
    `icmec.pagination`). Results are cached per query, page and audience (members see
    members-only posts) until published content changes: repeated searches cost no query.
    """
    number = page_number_of(page_number)
    site = Site.find_for_request(request)
    audience = "members" if visitor_is_member(user) else "public"
    digest = hashlib.sha256(query.lower().encode()).hexdigest()[:32]
    key = ":".join(
        ["blog:search", content_version(request), audience, str(site.pk if site else 0)]
        + [str(number), digest]
    )
    cached = cache.get(key) if settings.SITE_CACHES_ENABLED else None
    if cached is None:
        results = search_pages(query=query, user=user)
        per_page = settings.SEARCH_RESULTS_PER_PAGE
        page = window_counted_page(
            rows_for=lambda n: list(results[(n - 1) * per_page : n * per_page]),
            count_all=lambda: search_pages(query=query, user=user).count(),
            value=number,
            per_page=per_page,
        )
        hits = [
            SearchHit(
                title=result.title,
                url=result.get_url(request) or "",
                excerpt=result.excerpt,
                date_published=result.date_published,
                members_only=bool(result.members_only),
                body_snippet=(
                    result.body_snippet if SNIPPET_START in (result.body_snippet or "") else ""
                ),
            )
            for result in page.object_list
        ]
        cached = (hits, page.paginator.count, page.number)
        if settings.SITE_CACHES_ENABLED:
            cache.set(key, cached, SEARCH_CACHE_TIMEOUT)
    return cached


def sitemap_pages(*, site: Site) -> QuerySet[Page]:
    """Every live, public page of the site that anyone may read, for sitemap.xml."""
    pages = public_pages(site.root_page.get_descendants(inclusive=True))
    return hide_members_only(pages, user=None).order_by("path").defer_streamfields().specific()


def blog_index(*, site: Site | None) -> BlogIndexPage | None:
    """The site's blog (there is one)."""
    if site is None:
        return None
    return BlogIndexPage.objects.live().descendant_of(site.root_page, inclusive=True).first()


# The content version read at the start of the current request (see SiteCacheMiddleware).
request_content_version: ContextVar[str | None] = ContextVar("content_version", default=None)


def content_version(request: HttpRequest | None = None) -> str:
    """The current content version (see CONTENT_VERSION_KEY), read once per request."""
    if request is not None and hasattr(request, "_content_version"):
        return request._content_version
    if request is None and (current := request_content_version.get()) is not None:
        return current
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        # A new value, never "1" again: values cached in processes under an older version (before
        # the cache was cleared) must not come back.
        cache.add(CONTENT_VERSION_KEY, str(time.time_ns()), timeout=None)
        version = cache.get(CONTENT_VERSION_KEY)
    version = str(version)
    if request is not None:
        request._content_version = version
    return version


# Values computed once in the current request when SITE_CACHES_ENABLED is off (a new dict for
# every request, see SiteCacheMiddleware; None outside requests).
request_memo: ContextVar[dict[str, Any] | None] = ContextVar("request_memo", default=None)

# Values that change only when the content version does, kept in this process's memory: the
# site of a host, the site chrome, the sites' root paths. A new version empties it.
_process_cache: dict[str, Any] = {"version": None, "values": {}}


PROCESS_CACHE_MAX_ENTRIES = 5000


def cached_for_version(
    key: str, build: Callable[[], Any], *, request=None, keep_none: bool = True
) -> Any:
    """`build()`, computed once per process and content version.

    With `keep_none=False` a None is not kept (a 404 must not fill memory with junk addresses).
    With `SITE_CACHES_ENABLED` off, a value is kept for the current request only (the site, say,
    is needed by the middleware, the navigation and every page URL): nothing outlives a request.
    """
    if not settings.SITE_CACHES_ENABLED:
        memo = request_memo.get()
        if memo is None:
            return build()
        if key not in memo:
            memo[key] = build()
        return memo[key]
    version = content_version(request)
    if _process_cache["version"] != version:
        _process_cache["version"] = version
        _process_cache["values"] = {}
    values = _process_cache["values"]
    if key in values:
        return values[key]
    value = build()
    if value is not None or keep_none:
        if len(values) >= PROCESS_CACHE_MAX_ENTRIES:
            values.clear()
        values[key] = value
    return value


def deepest_page_for_path(*, home: Page, path_components: list[str]) -> tuple[Page, int] | None:
    """The deepest live-or-not page below `home` whose URL is a prefix of the path, and how many
    path components its URL takes; None when not even the first component is a page.

    Two queries (the match, then the specific page with what it is served with), then kept in
    this process until the content version changes. What it returns is what Wagtail's
    level-by-level routing reaches: `url_path` is the chain of slugs from the root.
    """

    def find() -> tuple[Page, int] | None:
        prefixes = [
            home.url_path + "/".join(path_components[:length]) + "/"
            for length in range(1, len(path_components) + 1)
        ]
        match = (
            Page.objects.filter(
                url_path__in=prefixes, path__startswith=home.path, depth__gt=home.depth
            )
            .order_by("-depth")
            .only("id", "content_type_id", "depth")
            .first()
        )
        if match is None:
            return None
        page_class = match.specific_class
        select_related = getattr(page_class, "route_select_related", None)
        if select_related is None:
            page = match.specific
        else:
            page = (
                page_class._default_manager.select_related(*select_related)
                .prefetch_related(*getattr(page_class, "route_prefetch_related", ()))
                .get(pk=match.pk)
            )
        return page, match.depth - home.depth

    key = f"route:{home.pk}:{'/'.join(path_components)}"
    return cached_for_version(key, find, keep_none=False)


def _site_for_host(sites: list[Site], hostname: str, port: int) -> Site | None:
    """Wagtail's rules for which site answers a host: an exact host and port match; else the
    default site if it has this host; else the only site with this host; else the default."""
    for site in sites:
        if site.hostname == hostname and site.port == port:
            return site
    default = next((site for site in sites if site.is_default_site), None)
    if default is not None and default.hostname == hostname:
        return default
    same_host = [site for site in sites if site.hostname == hostname]
    if len(same_host) == 1:
        return same_host[0]
    return default


def site_for_request(request: HttpRequest) -> Site | None:
    """The Wagtail site that serves this request, with its home page and its social links.

    Same answer as `Site.find_for_request`, which runs a query on every request; here one query
    (every site, with what pages show of it) is kept in memory until published content or the
    sites change (the content version). The host has been checked against ALLOWED_HOSTS first.
    """
    hostname = split_domain_port(request.get_host())[0]
    port = request.get_port()

    sites = cached_for_version("sites", _all_sites, request=request)
    return _site_for_host(sites, hostname, int(port) if str(port).isdigit() else 80)


def _all_sites() -> list[Site]:
    """Every site with its home page (specific, with its hero image and call-to-action page) and
    its social links, in one query."""
    sites = list(
        Site.objects.select_related(
            "root_page",
            "root_page__locale",
            "root_page__homepage",
            "root_page__homepage__hero_image",
            "root_page__homepage__hero_cta_page",
            "socialmediasettings",
        ).order_by("pk")
    )
    for site in sites:
        site.root_language_code = site.root_page.locale.language_code
        home = getattr(site.root_page, "homepage", None)
        site.root_page = home if home is not None else site.root_page.specific
    return sites


def site_root_paths(request: HttpRequest | None = None) -> list:
    """Wagtail's list of site root paths (used to build every page URL).

    Made from the sites `site_for_request` loads, in Wagtail's order (most specific path first),
    rather than with a query of its own. With translations on, Wagtail's own list.
    """

    def build() -> list[SiteRootPath]:
        if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
            return Site.get_site_root_paths()
        sites = sorted(cached_for_version("sites", _all_sites), key=lambda site: site.hostname)
        sites.sort(key=lambda site: site.is_default_site, reverse=True)
        sites.sort(key=lambda site: site.root_page.url_path, reverse=True)
        return [
            SiteRootPath(site.id, site.root_page.url_path, site.root_url, site.root_language_code)
            for site in sites
        ]

    return cached_for_version("site-root-paths", build, request=request)


def any_view_restrictions(request: HttpRequest | None = None) -> bool:
    """Whether any page has a Wagtail view restriction (usually none does)."""
    return cached_for_version(
        "any-view-restrictions", PageViewRestriction.objects.exists, request=request
    )


def site_chrome(*, site: Site | None) -> dict[str, Any]:
    """The links every page shows: main navigation, footer links and the blog's feeds.

    One query (the social links come with the site), then kept until published content changes.
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
    return cached_for_version(f"site-chrome:{site.pk}", lambda: _build_site_chrome(site))


def _build_site_chrome(site: Site) -> dict[str, Any]:
    blog_type = ContentType.objects.get_for_model(BlogIndexPage)
    children = (
        public_pages(site.root_page.get_children())
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
    try:
        social = site.socialmediasettings  # loaded with the site (see site_for_request)
    except SocialMediaSettings.DoesNotExist:
        social = SocialMediaSettings(site=site)  # nothing set yet (a selector never writes)
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
    return chrome
