"""Connection requests (send, accept, decline, withdraw) and removing a connection."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from portal import selectors
from portal.models import Connection, ConnectionRequest, User
from portal.services.guards import require_participant, require_visible_peer
from portal.services.queueing import enqueue_unless_suppressed
from portal.tasks import send_connection_accepted_email as send_connection_accepted_email_task
from portal.tasks import send_connection_request_email as send_connection_request_email_task

DECLINE_COOLDOWN = selectors.DECLINE_COOLDOWN


@transaction.atomic
def connection_request_send(*, sender: User, recipient: User, note: str = "") -> ConnectionRequest:
    """Ask another member to connect. One open request per pair; none to or from a blocked
    member; after a decline, the same sender may ask again only after 30 days; at most
    `PORTAL_CONNECTION_REQUESTS_PER_DAY` requests (withdrawn ones included) in 24 hours. The
    recipient is emailed at most once per pair in `PORTAL_REQUEST_EMAIL_INTERVAL_DAYS` (see
    `notifications.connection_request_email_send`)."""
    require_participant(sender)
    require_visible_peer(sender, recipient)
    # One sender's requests one at a time, so two at once cannot both slip under the cap.
    User.objects.select_for_update().filter(pk=sender.pk).first()
    cap = settings.PORTAL_CONNECTION_REQUESTS_PER_DAY
    day_ago = timezone.now() - timedelta(days=1)
    if selectors.requests_sent_since(sender=sender, since=day_ago) >= cap:
        raise ValidationError(
            f"You have sent {cap} connection requests in the last 24 hours, the most a member "
            "can send in a day. Please try again tomorrow."
        )
    if selectors.are_connected(sender, recipient):
        raise ValidationError("You are already connected.")
    pending = ConnectionRequest.objects.filter(
        Q(sender=sender, recipient=recipient) | Q(sender=recipient, recipient=sender),
        status=ConnectionRequest.Status.PENDING,
    ).first()
    if pending is not None:
        if pending.sender_id == sender.pk:
            raise ValidationError("Your request is already waiting for an answer.")
        raise ValidationError("This member has already asked to connect with you: answer it.")
    declined_at = selectors.last_declined_at(sender=sender, recipient=recipient)
    if declined_at and timezone.now() - declined_at < DECLINE_COOLDOWN:
        again = timezone.localdate(declined_at + DECLINE_COOLDOWN)
        raise ValidationError(
            f"This member declined your last request. You can ask again from {again:%-d %B %Y}."
        )
    try:
        with transaction.atomic():
            request = ConnectionRequest.objects.create(
                sender=sender, recipient=recipient, note=note.strip()[:1000]
            )
    except IntegrityError as exc:  # a request crossed ours
        raise ValidationError("A request between you is already waiting for an answer.") from exc

    enqueue_unless_suppressed(send_connection_request_email_task, request.pk)
    return request


def _respond(*, user: User, request_id: int, as_recipient: bool) -> ConnectionRequest:
    filters = {"recipient": user} if as_recipient else {"sender": user}
    request = (
        ConnectionRequest.objects.select_for_update()
        .filter(pk=request_id, status=ConnectionRequest.Status.PENDING, **filters)
        .first()
    )
    if request is None:
        raise ValidationError("This request is no longer waiting for an answer.")
    return request


def _answer(request: ConnectionRequest, status: str) -> ConnectionRequest:
    """Record the answer to a waiting request (accepted, declined or withdrawn), and when."""
    request.status = status
    request.responded_at = timezone.now()
    request.save(update_fields=["status", "responded_at"])
    return request


@transaction.atomic
def connection_request_accept(*, user: User, request_id: int) -> Connection:
    """Accept a request made to `user`: the two become connected and the sender is told."""
    require_participant(user)
    request = _respond(user=user, request_id=request_id, as_recipient=True)
    require_visible_peer(user, request.sender)
    _answer(request, ConnectionRequest.Status.ACCEPTED)
    connection, _ = Connection.objects.get_or_create(user=user, peer=request.sender)
    Connection.objects.get_or_create(user=request.sender, peer=user)

    enqueue_unless_suppressed(send_connection_accepted_email_task, request.pk)
    return connection


@transaction.atomic
def connection_request_decline(*, user: User, request_id: int) -> ConnectionRequest:
    """Decline a request made to `user`. The sender is not emailed."""
    request = _respond(user=user, request_id=request_id, as_recipient=True)
    return _answer(request, ConnectionRequest.Status.DECLINED)


@transaction.atomic
def connection_request_withdraw(*, user: User, request_id: int) -> ConnectionRequest:
    """Withdraw a request that `user` sent and that is still waiting."""
    request = _respond(user=user, request_id=request_id, as_recipient=False)
    return _answer(request, ConnectionRequest.Status.WITHDRAWN)


@transaction.atomic
def connection_remove(*, user: User, peer: User) -> None:
    """End a connection, from either side. Their conversation stays, read-only."""
    deleted, _ = Connection.objects.filter(
        Q(user=user, peer=peer) | Q(user=peer, peer=user)
    ).delete()
    if not deleted:
        raise ValidationError("You are not connected with this member.")
