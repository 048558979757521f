"""Who may see which pages, as queryset filters (the one place that decides it).

`BlogPostPage.objects.visible_to(user)` is what every list of posts starts from (through
`blog.selectors.visible_posts`): live posts under no view restriction, and members-only posts only
for approved members and staff.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

from django.core.exceptions import ImproperlyConfigured
from django.db.models import CharField, Exists, ExpressionWrapper, F, OuterRef, QuerySet
from wagtail.models import Page, PageViewRestriction
from wagtail.query import PageQuerySet

from blog.wagtail_internals import any_view_restrictions

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from portal.models import User

    # Explicit aliases: mypy may meet them before portal's models, in one cycle of imports.
    Visitor: TypeAlias = User | AnonymousUser | None
    MembershipRule: TypeAlias = Callable[[User | AnonymousUser], bool]
else:
    Visitor = Any
    MembershipRule = Callable[[Any], bool]

_membership_rule: list[MembershipRule] = []


def register_membership_rule(rule: MembershipRule) -> None:
    """Make `rule` the one that says who may read members-only posts."""
    _membership_rule[:] = [rule]


def visitor_is_member(user: Visitor) -> bool:
    """True when the visitor may read members-only posts. `None` is nobody logged in (a public
    context: feeds, the sitemap)."""
    if user is None:
        return False
    if not _membership_rule:
        raise ImproperlyConfigured("No membership rule registered (BlogConfig.ready()).")
    return _membership_rule[0](user)


def restricted_page_ids() -> QuerySet[Page]:
    """A subquery: the ids of pages under a Wagtail view restriction (password, login, groups).

    Wagtail's `.public()` reads every restriction with a query of its own each time it is called;
    this stays a subquery of the listing's single query.
    """
    restriction_above = PageViewRestriction.objects.annotate(
        restricted_path=ExpressionWrapper(OuterRef("path"), output_field=CharField())
    ).filter(restricted_path__startswith=F("page__path"))
    return Page.objects.filter(Exists(restriction_above)).values("id")


def public_pages(queryset: PageQuerySet) -> PageQuerySet:
    """Live pages that anyone may see (no view restriction on them or above them)."""
    if not any_view_restrictions():
        return queryset.live()  # the usual case: no page is restricted, nothing to leave out
    return queryset.live().exclude(id__in=restricted_page_ids())


class BlogPostPageQuerySet(PageQuerySet):
    def members_only_hidden(self, *, user: Visitor) -> BlogPostPageQuerySet:
        """Without the members-only posts, unless the visitor is an approved member (or staff)."""
        return self if visitor_is_member(user) else self.filter(members_only=False)

    def visible_to(self, user: Visitor) -> BlogPostPageQuerySet:
        """Live, public posts that this visitor may read."""
        return public_pages(self).members_only_hidden(user=user)
