"""What an account may open, read once per request: its groups, its permissions, whether it
has a member profile and whom it blocked or was blocked by.

Nearly every request of a signed-in person needs them: `portal.selectors.user_is_approved_member`
(members' content), `portal.mfa` (who must pass a second factor), the header (whether to show a
member's counts) and Wagtail's user bar (`has_perm("wagtailadmin.access_admin")` on every page).
Django's `ModelBackend` would read the permissions in two queries and the rest would take two
more; this is one fixed SQL statement, kept on the user object for the rest of the request (as
Django keeps its own permission cache there; `icmec.caching.memo.kept_on`), never across requests.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from icmec.caching.memo import forget_kept, kept_on

ADMIN_APP_LABEL, ADMIN_CODENAME = "wagtailadmin", "access_admin"
ADMIN_PERMISSION = f"{ADMIN_APP_LABEL}.{ADMIN_CODENAME}"


@dataclass(frozen=True)
class Access:
    groups: frozenset[str]
    # "app_label.codename" of every permission given to the account or to one of its groups:
    # what `ModelBackend.get_all_permissions` gives an active account that is not a superuser.
    permissions: frozenset[str]
    has_profile: bool
    blocks: frozenset[int]  # the accounts this one blocked
    blocked_by: frozenset[int]  # the accounts that blocked this one

    @property
    def blocked_either_way(self) -> frozenset[int]:
        """Accounts this one blocked or was blocked by: neither sees the other's profile."""
        return self.blocks | self.blocked_by

    @property
    def admin_permission(self) -> bool:
        """Wagtail's "can access the admin", given directly or by a group."""
        return ADMIN_PERMISSION in self.permissions


# The account's groups, its own and its groups' permissions (as ModelBackend reads them),
# whether it has a member profile, and whom it blocked or was blocked by.
ACCESS_SQL = """
    SELECT
        ARRAY(
            SELECT g.name FROM auth_group g
            JOIN portal_user_groups ug ON ug.group_id = g.id
            WHERE ug.user_id = %(user)s
        ),
        ARRAY(
            SELECT ct.app_label || '.' || p.codename
            FROM auth_permission p
            JOIN django_content_type ct ON ct.id = p.content_type_id
            WHERE p.id IN (
                SELECT up.permission_id FROM portal_user_user_permissions up
                WHERE up.user_id = %(user)s
                UNION
                SELECT gp.permission_id FROM auth_group_permissions gp
                JOIN portal_user_groups ug ON ug.group_id = gp.group_id
                WHERE ug.user_id = %(user)s
            )
        ),
        EXISTS(SELECT 1 FROM portal_memberprofile WHERE user_id = %(user)s),
        ARRAY(SELECT blocked_id FROM portal_block WHERE blocker_id = %(user)s),
        ARRAY(SELECT blocker_id FROM portal_block WHERE blocked_id = %(user)s)
"""


# The name `access_of` keeps its answer under, on the user object.
_KEPT_AS = "portal_access"


def access_of(user) -> Access:
    """The account's group names, permissions and whether it has a member profile."""
    return kept_on(user, _KEPT_AS, lambda: _read_access(user))


def _read_access(user) -> Access:
    with connection.cursor() as cursor:
        cursor.execute(ACCESS_SQL, {"user": user.pk})
        groups, permissions, has_profile, blocks, blocked_by = cursor.fetchone()
    return Access(
        frozenset(groups),
        frozenset(permissions),
        has_profile,
        frozenset(blocks),
        frozenset(blocked_by),
    )


def forget_access(*users) -> None:
    """Read these accounts' access afresh next time (after a block between them, say, later
    reads in the same request see it)."""
    for user in users:
        forget_kept(user, _KEPT_AS)


def can_open_admin(user) -> bool:
    """Whether the account can open Wagtail's admin, or is meant to be staff: `is_staff`,
    a superuser, or Wagtail's admin access permission (what `user.has_perm` would say)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_staff or user.is_superuser or access_of(user).admin_permission)
