"""Connections and connection requests between members."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Q, QuerySet

from portal import access
from portal.models import Connection, ConnectionRequest, User

# After a decline, the same member may ask the same person again only this much later.
DECLINE_COOLDOWN = timedelta(days=30)


def are_connected(user: User, other: User) -> bool:
    return Connection.objects.filter(user=user, peer=other).exists()


def _person_fields(relation: str) -> tuple[str, ...]:
    """What a list row shows of the member at the other end of `relation`: the name and the
    avatar, job and organisation (not the bio, nor the profile's search vector)."""
    return tuple(
        f"{relation}__{field}"
        for field in (
            "first_name",
            "last_name",
            "email",
            "profile__user",
            "profile__public_id",
            "profile__photo_key",
            "profile__job_title",
            "profile__organisation",
        )
    )


def connections_of(user: User) -> QuerySet[Connection]:
    """The user's connections to approved members (suspended members drop out of the list), in
    the directory's order."""
    return (
        Connection.objects.filter(user=user, peer__profile__listed=True)
        .select_related("peer__profile")
        .only("created_at", *_person_fields("peer"))
        .order_by("peer__profile__sort_name", "peer_id")
    )


def incoming_requests(user: User) -> QuerySet[ConnectionRequest]:
    requests = ConnectionRequest.objects.filter(
        recipient=user, status=ConnectionRequest.Status.PENDING, sender__profile__listed=True
    )
    blocked = sorted(access.access_of(user).blocks)
    if blocked:
        requests = requests.exclude(sender_id__in=blocked)
    return (
        requests.select_related("sender__profile")
        .only("note", "created_at", "recipient_id", *_person_fields("sender"))
        .order_by("-created_at")
    )


def outgoing_requests(user: User) -> QuerySet[ConnectionRequest]:
    return (
        ConnectionRequest.objects.filter(sender=user, status=ConnectionRequest.Status.PENDING)
        .select_related("recipient__profile")
        .only("created_at", "sender_id", *_person_fields("recipient"))
        .order_by("-created_at")
    )


def pending_request_for_recipient(*, user: User, request_id: int) -> ConnectionRequest | None:
    return incoming_requests(user).filter(pk=request_id).first()


def pending_request_for_sender(*, user: User, request_id: int) -> ConnectionRequest | None:
    return outgoing_requests(user).filter(pk=request_id).first()


def requests_sent_since(*, sender: User, since: datetime) -> int:
    """How many connection requests `sender` made since then, whatever became of them."""
    return ConnectionRequest.objects.filter(sender=sender, created_at__gte=since).count()


def pair_request_emailed_since(*, request: ConnectionRequest, since: datetime) -> bool:
    """Whether another request between the same two members, either way, was emailed since."""
    a, b = request.sender_id, request.recipient_id
    return (
        ConnectionRequest.objects.filter(
            Q(sender_id=a, recipient_id=b) | Q(sender_id=b, recipient_id=a),
            request_email_sent_at__gte=since,
        )
        .exclude(pk=request.pk)
        .exists()
    )


def last_declined_at(*, sender: User, recipient: User) -> datetime | None:
    return (
        ConnectionRequest.objects.filter(
            sender=sender, recipient=recipient, status=ConnectionRequest.Status.DECLINED
        )
        .order_by("-responded_at")
        .values_list("responded_at", flat=True)
        .first()
    )
