"""Lists of posts and what they are filtered by: the blog's listing and its counts, the latest,
related and featured posts, archives, categories, tags, feeds, the sitemap and the blog itself.

Each starts from `visible_posts` (see `blog.selectors.visibility`); a post card's data comes with
it in a constant number of queries (`with_card_data`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects
from django.db.models.functions import ExtractYear
from taggit.models import Tag
from wagtail.images.models import Filter
from wagtail.models import Page, Site

from blog.models import BlogIndexPage, BlogPostPage, BlogPostTag, Category, SiteRendition
from blog.models.querysets import BlogPostPageQuerySet
from blog.selectors.visibility import (
    Visitor,
    hide_members_only,
    public_pages,
    visible_posts,
    visitor_is_member,
)
from icmec.caching.memo import cached_for_version

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


def with_card_data(
    posts: QuerySet[BlogPostPage], *, prefetch_renditions: bool = True
) -> QuerySet[BlogPostPage]:
    """What a post card needs, in a constant number of queries: the post (without its body),
    its featured image and that image's card renditions.

    `prefetch_renditions=False` leaves the renditions to `card_renditions_prefetch`, which reads
    those of several lists in one query."""
    posts = posts.only(*CARD_FIELDS).select_related("featured_image")
    if prefetch_renditions:
        posts = posts.prefetch_related(card_renditions("featured_image"))
    return posts.order_by("-date_published", "-pk")


def card_renditions(image_field: str) -> Prefetch:
    """The card renditions of the image in `image_field`, for `prefetch_related`: one query for
    a whole list of cards (a post's or an event's), whatever its length."""
    return Prefetch(
        f"{image_field}__renditions",
        queryset=SiteRendition.objects.filter(filter_spec__in=CARD_IMAGE_FILTERS),
    )


def card_renditions_prefetch(posts: Iterable[BlogPostPage]) -> None:
    """Read the card renditions of all these posts' featured images in one query."""
    images = [post.featured_image for post in posts if post.featured_image is not None]
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
    """A category, or None (kept in memory until published content changes)."""
    return cached_for_version(
        f"category:{slug}",
        lambda: Category.objects.filter(slug=slug).first(),
        keep_none=False,
    )


def feed_posts(*, category_slug: str | None = None, limit: int = 20) -> BlogPostPageQuerySet:
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


def sitemap_pages(*, site: Site) -> QuerySet[Page]:
    """Every live, public page of the site that anyone may read, for sitemap.xml."""
    pages = public_pages(site.root_page.get_descendants(inclusive=True))
    return hide_members_only(pages, user=None).order_by("path").defer_streamfields().specific()


def blog_index(*, site: Site | None) -> BlogIndexPage | None:
    """The site's blog (there is one)."""
    if site is None:
        return None
    return BlogIndexPage.objects.live().descendant_of(site.root_page, inclusive=True).first()
