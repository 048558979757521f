"""The checks that every service between two members makes first."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from portal import selectors
from portal.models import User


def require_participant(user: User) -> None:
    if not selectors.user_has_member_profile(user):
        raise PermissionDenied("Only approved members can do this.")


def require_visible_peer(user: User, other: User) -> None:
    if other.pk == user.pk:
        raise ValidationError("You cannot do this with yourself.")
    visible = selectors.approved_profiles().filter(user=other).exists()
    if not visible or selectors.is_blocked_either_way(user, other):
        raise ValidationError("This member is not available.")
