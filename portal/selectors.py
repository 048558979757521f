"""Reads about members. Never writes."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from portal.models import User

MEMBERS_GROUP = "Members"


def user_is_approved_member(user: User | AnonymousUser) -> bool:
    """True for an active account in the Members group (staff approved it and it is not suspended).

    Staff who can enter Wagtail's admin also count: they review members-only content.
    The group list is cached on the user object, so repeated calls in one request cost one query.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not hasattr(user, "_group_names_cache"):
        user._group_names_cache = set(user.groups.values_list("name", flat=True))
    return MEMBERS_GROUP in user._group_names_cache or user.has_perm("wagtailadmin.access_admin")
