"""What several events tests make: bookings in bulk, the staff screens' addresses, and the
calendar file of an email."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from icalendar import Calendar

from events.models import Booking, EventPage

Status = Booking.Status


def book(
    event: EventPage,
    count: int,
    *,
    status: str = Status.CONFIRMED,
    prefix: str = "",
    seated_at: datetime | None = None,
) -> list[Booking]:
    """`count` bookings of `event` in `status`, made without emails (as if long ago)."""
    prefix = prefix or status
    moment = seated_at or timezone.now() - timezone.timedelta(days=3)
    return Booking.objects.bulk_create(
        Booking(
            event=event,
            name=f"{prefix.title()} Person {n:03}",
            email=f"{prefix}{n}@example.org",
            status=status,
            created_at=moment,
            confirmed_at=moment if status in Booking.SEATED else None,
        )
        for n in range(count)
    )


def admin_url(event: EventPage, action: str = "") -> str:
    """The event's screen in the admin, or one of its actions."""
    return f"/admin/events/{event.pk}/" + (f"{action}/" if action else "")


def attached_vevent(message):
    """The VEVENT of the calendar file attached to a sent email (Django's or a received one)."""
    if hasattr(message, "iter_attachments"):
        content = next(message.iter_attachments()).get_content()
    else:
        (attachment,) = message.attachments
        content = attachment[1]
    (vevent,) = Calendar.from_ical(content).walk("VEVENT")
    return vevent
