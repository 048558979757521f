"""The newsletter's part of a member's data export and erasure (see portal.privacy)."""

from __future__ import annotations

from typing import Any

from newsletter import selectors
from newsletter.services import subscriptions


def export_for_user(user: Any) -> dict[str, Any] | None:
    """The subscription of the account's address, its consent trail and what we sent it."""
    subscriber = selectors.subscriber_for_user(user=user)
    if subscriber is None:
        return None

    def when(value):
        return value.isoformat() if value else None

    return {
        "email": subscriber.email,
        "first_name": subscriber.first_name,
        "status": subscriber.status,
        "signed_up_through": subscriber.source,
        "added_at": when(subscriber.created_at),
        "confirmed_at": when(subscriber.confirmed_at),
        "confirmed_from": subscriber.confirmed_source,
        "unsubscribed_at": when(subscriber.unsubscribed_at),
        "events": [
            {
                "what": event.kind,
                "at": when(event.at),
                "how": event.source,
                "detail": event.detail,
            }
            for event in subscriber.events.all()
        ],
        "newsletters": [
            {
                "subject": delivery.issue.subject,
                "status": delivery.status,
                "sent_at": when(delivery.sent_at),
            }
            for delivery in subscriber.deliveries.select_related("issue").order_by("pk")
        ],
    }


def erase_for_user(user: Any) -> None:
    subscriptions.subscriber_erase_for_user(user)
