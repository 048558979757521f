"""The profiles a member may see, and what a card or a profile page shows of each: the viewer's
connection state and the member's areas of expertise."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from portal import access
from portal.models import MemberProfile, TaggedExpertise, User
from portal.selectors.connections import DECLINE_COOLDOWN, are_connected


def approved_profiles() -> QuerySet[MemberProfile]:
    """Profiles of approved, active members: the only people the portal ever shows.

    That is `MemberProfile.listed`, the rule of `user_is_approved_member` (an active account in
    the Members group) kept on the profile, in the same transaction, by whatever changes it
    (`services.profile_listing_refresh`).
    """
    return MemberProfile.objects.filter(listed=True).select_related("user")


def not_blocked(profiles: QuerySet[MemberProfile], viewer: User) -> QuerySet[MemberProfile]:
    """Without the members the viewer blocked or was blocked by (read with what the viewer may
    open, `access.access_of`: a short list, most often empty, so no subquery)."""
    blocked = access.access_of(viewer).blocked_either_way
    return profiles.exclude(user_id__in=sorted(blocked)) if blocked else profiles


# The viewer's connection state with each of a page's members, in one statement: connected,
# the viewer's pending request to them, theirs to the viewer, and their declines of the viewer's
# requests still within `DECLINE_COOLDOWN`.
CONNECTION_STATE_SQL = """
    SELECT c.peer_id, 'connected', NULL::bigint, NULL::timestamptz
    FROM portal_connection c
    WHERE c.user_id = %(viewer)s AND c.peer_id = ANY(%(people)s::bigint[])
    UNION ALL
    SELECT r.recipient_id, 'sent', r.id, NULL
    FROM portal_connectionrequest r
    WHERE r.sender_id = %(viewer)s AND r.recipient_id = ANY(%(people)s::bigint[])
      AND r.status = 'pending'
    UNION ALL
    SELECT r.sender_id, 'received', r.id, NULL
    FROM portal_connectionrequest r
    WHERE r.recipient_id = %(viewer)s AND r.sender_id = ANY(%(people)s::bigint[])
      AND r.status = 'pending'
    UNION ALL
    SELECT r.recipient_id, 'declined', NULL, r.responded_at
    FROM portal_connectionrequest r
    WHERE r.sender_id = %(viewer)s AND r.recipient_id = ANY(%(people)s::bigint[])
      AND r.status = 'declined' AND r.responded_at > %(since)s
"""


def attach_connection_state(profiles: list[MemberProfile], viewer: User) -> list[MemberProfile]:
    """Set the viewer's connection state on each profile: `is_connected`, `sent_request_id`
    (the viewer's pending request to that person), `received_request_id` (theirs) and
    `ask_again_from` (when that person declined the viewer's last request less than
    `DECLINE_COOLDOWN` ago: from when the viewer may ask again; else None). One query for the
    whole list (none for an empty one)."""
    for profile in profiles:
        profile.is_connected = False
        profile.sent_request_id = profile.received_request_id = profile.ask_again_from = None
    if not profiles:
        return profiles
    by_user = {profile.user_id: profile for profile in profiles}
    with connection.cursor() as cursor:
        cursor.execute(
            CONNECTION_STATE_SQL,
            {
                "viewer": viewer.pk,
                "people": list(by_user),
                "since": timezone.now() - DECLINE_COOLDOWN,
            },
        )
        rows = cursor.fetchall()
    for user_id, kind, request_id, responded_at in rows:
        profile = by_user[user_id]
        if kind == "connected":
            profile.is_connected = True
        elif kind == "sent":
            profile.sent_request_id = request_id
        elif kind == "received":
            profile.received_request_id = request_id
        else:
            again = responded_at + DECLINE_COOLDOWN
            if profile.ask_again_from is None or again > profile.ask_again_from:
                profile.ask_again_from = again
    return profiles


@dataclass(frozen=True)
class Expertise:
    slug: str
    name: str


def attach_expertise(profiles: list[MemberProfile]) -> list[MemberProfile]:
    """Set `expertise_list` on each profile: its areas of expertise by name, as `Expertise`
    (slug, name). One short query for the whole list (the tags' own prefetch builds a heavier
    one)."""
    by_pk = {profile.pk: profile for profile in profiles}
    for profile in profiles:
        profile.expertise_list = []
    if not profiles:
        return profiles
    rows = (
        TaggedExpertise.objects.filter(content_object_id__in=list(by_pk))
        .order_by("tag__name", "tag_id")
        .values_list("content_object_id", "tag__slug", "tag__name")
    )
    for profile_id, slug, name in rows:
        by_pk[profile_id].expertise_list.append(Expertise(slug, name))
    return profiles


def visible_profiles(viewer: User) -> QuerySet[MemberProfile]:
    """Approved profiles the viewer may see (blocks hide people from each other)."""
    return not_blocked(approved_profiles(), viewer)


def profile_for_viewer(*, viewer: User, public_id: uuid.UUID | str) -> MemberProfile | None:
    """A profile the viewer may open, or None (unapproved, suspended, blocked or unknown), with
    the viewer's connection state and the member's areas of expertise (see `directory_rows`)."""
    profile = visible_profiles(viewer).filter(public_id=public_id).first()
    if profile is None:
        return None
    return attach_expertise(attach_connection_state([profile], viewer))[0]


def photo_visible(*, viewer: User, key: str) -> bool:
    """Whether the photo with this key belongs to a member the viewer may see."""
    return not_blocked(approved_profiles(), viewer).filter(photo_key=key).exists()


def contact_details_visible(*, viewer: User, profile: MemberProfile) -> bool:
    if profile.user_id == viewer.pk:
        return True
    if profile.contact_visibility == MemberProfile.ContactVisibility.MEMBERS:
        return True
    return bool(getattr(profile, "is_connected", False)) or are_connected(viewer, profile.user)
