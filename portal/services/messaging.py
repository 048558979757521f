"""Private messages between connections, and who is due an email about unread ones."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal import selectors
from portal.models import Conversation, Message, User
from portal.services.guards import require_participant, require_visible_peer


@transaction.atomic
def message_send(*, sender: User, recipient: User, body: str) -> Message:
    """Send a private message to a connection. Emails are batched (see `message_digest_send`)."""
    require_participant(sender)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write a message first."})
    if len(body) > 5000:
        raise ValidationError({"body": "Messages are limited to 5,000 characters."})
    if selectors.is_blocked_either_way(sender, recipient):
        raise ValidationError("You cannot message this member.")
    if not selectors.are_connected(sender, recipient):
        raise ValidationError("You can only message your connections.")
    require_visible_peer(sender, recipient)
    low, high = sorted([sender.pk, recipient.pk])
    conversation, _ = Conversation.objects.get_or_create(user_low_id=low, user_high_id=high)
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation, sender=sender, recipient=recipient, body=body, created_at=now
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    return message


def conversation_mark_read(*, conversation: Conversation, user: User) -> int:
    """Mark every message to `user` in the conversation as read; returns how many changed."""
    return Message.objects.filter(
        conversation=conversation, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())


def message_digest_recipients(*, older_than: timedelta) -> list[int]:
    """Ids of members with unread messages not yet emailed, the newest older than the grace
    period (so a conversation in full flow is not interrupted by email)."""
    cutoff = timezone.now() - older_than
    return list(
        Message.objects.filter(
            read_at__isnull=True,
            email_sent_at__isnull=True,
            recipient__isnull=False,
            created_at__lte=cutoff,
            recipient__profile__email_on_message=True,
        )
        .order_by()
        .values_list("recipient", flat=True)
        .distinct()
    )
