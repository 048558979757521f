"""Who may read what: the one place that decides what a visitor sees.

Every list of posts (listings, feeds, search, the sitemap, latest and related posts, the home
page, the newsletter's latest posts) starts from `visible_posts` or goes through
`hide_members_only`. The rules themselves are queryset filters (`blog.models.querysets`), so that
the page types can apply them too.
"""

from __future__ import annotations

from wagtail.query import PageQuerySet

from blog.models import BlogPostPage
from blog.models.querysets import (
    BlogPostPageQuerySet,
    Visitor,
    public_pages,
    restricted_page_ids,
    visitor_is_member,
)

__all__ = [
    "Visitor",
    "hide_members_only",
    "post_is_readable_by",
    "public_pages",
    "restricted_page_ids",
    "visible_posts",
    "visitor_is_member",
]


def hide_members_only(queryset: PageQuerySet, *, user: Visitor) -> PageQuerySet:
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


def visible_posts(*, user: Visitor) -> BlogPostPageQuerySet:
    """Live, public posts that this visitor may read."""
    return BlogPostPage.objects.visible_to(user)
