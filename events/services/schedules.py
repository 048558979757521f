"""What an event's calendar entry says, and its SEQUENCE (RFC 5545 §3.8.7.4).

Calendar programs keep an entry's time and place until a newer version of it arrives: an `.ics`
that moves the event must carry a higher SEQUENCE than the one imported before, under the same
UID. The page's revisions cannot hold that counter (an older draft published again would bring
an older value back), so it lives in `EventSchedule`, updated on every publication and when
staff cancel the event.

When a publication moves an event still to come, everyone holding a place is emailed the new
time and place with their updated calendar file, once per change (the ledger's row names the
SEQUENCE it announces).
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from events.models import Booking, BookingEmail, EventPage, EventSchedule
from events.services.ledger import booking_emails_queue


def schedule_signature(event: EventPage) -> str:
    """A digest of what a calendar entry shows of the event's time and place."""
    parts = [
        # To the second, as calendar files say it (a revision keeps times to the millisecond:
        # publishing one must not look like a move). Times staff type have no fraction anyway.
        event.start_at.replace(microsecond=0).isoformat(),
        event.end_at.replace(microsecond=0).isoformat(),
        event.time_zone,
        event.format,
        event.venue,
        event.address,
        event.joining_link,
        "cancelled" if event.cancelled else "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _schedule_update(event: EventPage, *, first_sequence: int) -> tuple[EventSchedule, bool]:
    """Record the event's calendar entry as it is now; a new SEQUENCE if it changed. Returns the
    schedule and whether it moved on. An event without a schedule yet starts at
    `first_sequence`."""
    signature = schedule_signature(event)
    schedule, created = EventSchedule.objects.select_for_update().get_or_create(
        event_id=event.pk, defaults={"signature": signature, "sequence": first_sequence}
    )
    if created:
        return schedule, first_sequence > 0
    if schedule.signature == signature:
        return schedule, False
    schedule.sequence += 1
    schedule.signature = signature
    schedule.changed_at = timezone.now()
    schedule.save(update_fields=["sequence", "signature", "changed_at"])
    return schedule, True


def event_schedule_record(*, event_id: int) -> EventSchedule | None:
    """After a publication: bump the event's SEQUENCE if its time or place changed, and email
    each attendee holding a place of an event still to come its new time and place."""
    event = EventPage.objects.filter(pk=event_id).first()
    if event is None:
        return None
    with transaction.atomic():
        # The first publication sets the entry that attendees will import: nothing changed.
        schedule, changed = _schedule_update(event, first_sequence=0)
        if changed and not event.cancelled and not event.is_past():
            seated = Booking.objects.filter(event=event, status__in=Booking.SEATED)
            booking_emails_queue(
                booking_ids=seated.values_list("pk", flat=True),
                kind=BookingEmail.Kind.CHANGED,
                sequence=schedule.sequence,
            )
    return schedule


def event_schedule_cancel(*, event: EventPage) -> EventSchedule:
    """The event was cancelled (`event.cancelled` is set): its calendar entry says so, in a
    newer version than any file sent before (called by the cancellation, in its transaction)."""
    schedule, _ = _schedule_update(event, first_sequence=1)
    return schedule
