"""What an account may open, read once per request: its groups and whether it can open the admin.

`portal.selectors.user_is_approved_member` (members' content) and `portal.mfa` (who must pass a
second factor) both need it on nearly every request of a signed-in person. Django's `has_perm`
would cost two queries (the user's and the groups' permissions); this is one, kept on the user
object for the rest of the request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Exists, OuterRef, Q

ADMIN_APP_LABEL, ADMIN_CODENAME = "wagtailadmin", "access_admin"
ADMIN_PERMISSION = f"{ADMIN_APP_LABEL}.{ADMIN_CODENAME}"


@dataclass(frozen=True)
class Access:
    groups: frozenset[str]
    admin_permission: bool  # Wagtail's "can access the admin", given directly or by a group


def access_of(user) -> Access:
    """The account's group names and whether it holds the admin access permission."""
    cached = getattr(user, "_portal_access_cache", None)
    if cached is not None:
        return cached
    from portal.models import User

    permission = Permission.objects.filter(
        content_type__app_label=ADMIN_APP_LABEL, codename=ADMIN_CODENAME
    )
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            group_names=ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name")),
            admin=Exists(permission.filter(Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")))),
        )
        .values_list("group_names", "admin")
        .first()
    )
    names, admin = row if row is not None else ([], False)
    user._portal_access_cache = Access(frozenset(names or ()), bool(admin))
    return user._portal_access_cache


def can_open_admin(user) -> bool:
    """Whether the account can open Wagtail's admin, or is meant to be staff: `is_staff`,
    a superuser, or Wagtail's admin access permission (what `user.has_perm` would say)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_staff or user.is_superuser or access_of(user).admin_permission)
