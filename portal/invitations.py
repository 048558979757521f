"""Invitation links for staff accounts made in Wagtail's admin.

A link is signed (Django's signing with the site's key and its own salt), expires after
`PORTAL_STAFF_INVITATION_DAYS`, and works once: it carries a fingerprint of the account's
password hash, which accepting the invitation replaces (and which a new invitation replaces
too, so only the latest link works). Nothing is stored.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.utils.crypto import constant_time_compare, salted_hmac

from portal.models import User

SALT = "portal.staff-invitation"


def _fingerprint(user: User) -> str:
    state = f"{user.pk}|{user.email}|{user.password}|{user.is_active}|{user.last_login}"
    return salted_hmac(SALT, state).hexdigest()[:32]


def invitation_token(user: User) -> str:
    """A token for the invitation link of `user`, valid until the account's password changes."""
    return signing.dumps([user.pk, _fingerprint(user)], salt=SALT)


def invitation_max_age() -> timedelta:
    return timedelta(days=settings.PORTAL_STAFF_INVITATION_DAYS)


def user_for_invitation(token: str) -> User | None:
    """The account a token invites, or None (forged, expired, already used or superseded)."""
    try:
        user_id, fingerprint = signing.loads(token, salt=SALT, max_age=invitation_max_age())
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or not isinstance(fingerprint, str):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not constant_time_compare(fingerprint, _fingerprint(user)):
        return None
    return user
