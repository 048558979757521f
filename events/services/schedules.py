"""What an event's calendar entry says, and its SEQUENCE (RFC 5545 §3.8.7.4).

Calendar programs keep an entry's time and place until a newer version of it arrives: an `.ics`
that moves the event must carry a higher SEQUENCE than the one imported before, under the same
UID. The page's revisions cannot hold that counter (an older draft published again would bring
an older value back), so it lives in `EventSchedule`, updated on every publication.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import timezone

from events.models import EventPage, EventSchedule


def schedule_signature(event: EventPage) -> str:
    """A digest of what a calendar entry shows of the event's time and place."""
    parts = [
        event.start_at.isoformat(),
        event.end_at.isoformat(),
        event.time_zone,
        event.format,
        event.venue,
        event.address,
        event.joining_link,
        "cancelled" if event.cancelled else "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def event_schedule_record(*, event_id: int) -> EventSchedule | None:
    """After a publication: bump the event's SEQUENCE if its time or place changed."""
    event = EventPage.objects.filter(pk=event_id).first()
    if event is None:
        return None
    signature = schedule_signature(event)
    with transaction.atomic():
        schedule, created = EventSchedule.objects.select_for_update().get_or_create(
            event_id=event_id, defaults={"signature": signature}
        )
        if not created and schedule.signature != signature:
            schedule.sequence += 1
            schedule.signature = signature
            schedule.changed_at = timezone.now()
            schedule.save(update_fields=["sequence", "signature", "changed_at"])
    return schedule
