"""When an event can be booked: the one statement of it, read by the page (what it says) and
by the booking services (what they refuse)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from events.models import EventPage

NOT_AVAILABLE = "not_available"
CANCELLED = "cancelled"
NOT_OPEN = "not_open"
CLOSED = "closed"
MEMBERS_ONLY = "members_only"
FULL = "full"

MESSAGES = {
    NOT_AVAILABLE: "This event cannot be booked.",
    CANCELLED: "This event has been cancelled.",
    NOT_OPEN: "Registration for this event has not opened yet.",
    CLOSED: "Registration is closed.",
    MEMBERS_ONLY: "This event is for approved members of the portal.",
    FULL: "This event is full.",
}


def registration_refusal(event: EventPage, now: datetime | None = None) -> str | None:
    """Why nobody can book this event now (one of the reasons above), or None if they can."""
    now = now or timezone.now()
    if not event.live:
        return NOT_AVAILABLE
    if event.cancelled:
        return CANCELLED
    if event.registration_closed:  # by staff, until they reopen it
        return CLOSED
    if event.registration_opens_at and now < event.registration_opens_at:
        return NOT_OPEN
    if now >= event.registration_closes:
        return CLOSED
    return None
