"""The emails of an event's life that no one clicks for: the reminders a day and an hour before
it starts, and the follow-up once it has ended. Celery beat runs these every few minutes.

Each run writes the ledger rows of what has become due and queues their tasks; each booking
gets each of them at most once (a unique constraint per booking and kind, and the event's row
locked while its rows are written, so runs that overlap or repeat write nothing twice). A
reminder goes only to a place held before its window opened: someone booking ten minutes
before the start is sent neither reminder, and a reminder whose moment passed while beat was
down is not sent late once the next one is due.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.models import Booking, BookingEmail, EventPage
from events.services.bookings import locked_event
from events.services.ledger import booking_emails_queue

logger = logging.getLogger(__name__)

Kind = BookingEmail.Kind
Status = Booking.Status

# How long before the start each reminder goes, the longest first.
REMINDERS: tuple[tuple[str, timedelta], ...] = (
    (Kind.REMINDER_DAY, timedelta(hours=24)),
    (Kind.REMINDER_HOUR, timedelta(hours=1)),
)
# The follow-up goes this long after the end (time for staff to take attendance and add the
# recording's link), and no longer once the event ended this long ago (turning the emails on
# never writes to the attendees of old events).
FOLLOW_UP_AFTER = timedelta(hours=1)
FOLLOW_UP_WITHIN = timedelta(days=3)


def _events_between(*, field: str, after: datetime, until: datetime) -> list[int]:
    return list(
        EventPage.objects.live()
        .filter(cancelled=False, **{f"{field}__gt": after, f"{field}__lte": until})
        .values_list("pk", flat=True)
    )


def _not_yet_sent(bookings: QuerySet[Booking], kind: str) -> QuerySet[Booking]:
    already = BookingEmail.objects.filter(booking=OuterRef("pk"), kind=kind)
    return bookings.exclude(Exists(already))


def _write_for_event(event_id: int, kind: str, recipients) -> int:
    """In one transaction with the event's row locked: the rows of `kind` for the bookings
    `recipients(event)` selects that have none yet."""
    try:
        with transaction.atomic():
            event = locked_event(event_id)
            if event is None or event.cancelled:
                return 0
            booking_ids = list(_not_yet_sent(recipients(event), kind).values_list("pk", flat=True))
            return booking_emails_queue(booking_ids=booking_ids, kind=kind)
    except IntegrityError:  # a run that did not take the lock wrote them first
        logger.info("Emails %s of event %s were written by another run.", kind, event_id)
        return 0


def reminders_queue(*, now: datetime | None = None) -> int:
    """Write the reminders that are due: for each event starting within a reminder's window
    (and not yet within the next, shorter one), to each booking that held its place before the
    window opened. Returns how many were written."""
    now = now or timezone.now()
    written = 0
    for position, (kind, ahead) in enumerate(REMINDERS):
        shorter = REMINDERS[position + 1][1] if position + 1 < len(REMINDERS) else timedelta(0)
        events = _events_between(field="start_at", after=now + shorter, until=now + ahead)

        def seated_in_time(event: EventPage, ahead: timedelta = ahead) -> QuerySet[Booking]:
            return (
                Booking.objects.filter(event=event, status__in=Booking.SEATED)
                .annotate(seated_at=Coalesce("confirmed_at", "created_at"))
                .filter(seated_at__lt=event.start_at - ahead)
            )

        for event_id in events:
            written += _write_for_event(event_id, kind, seated_in_time)
    return written


def follow_up_recipients(event: EventPage) -> QuerySet[Booking]:
    """Who is thanked after the event: those marked as attended, or, when attendance was not
    taken, everyone who held a place."""
    seated = Booking.objects.filter(event=event, status__in=Booking.SEATED)
    attended = seated.filter(status=Status.ATTENDED)
    return attended if attended.exists() else seated


def follow_ups_queue(*, now: datetime | None = None) -> int:
    """Write the follow-ups of the events that ended a while ago (with the recording's link
    when staff added one). Returns how many were written."""
    now = now or timezone.now()
    events = _events_between(
        field="end_at", after=now - FOLLOW_UP_WITHIN, until=now - FOLLOW_UP_AFTER
    )
    return sum(
        _write_for_event(event_id, Kind.FOLLOW_UP, follow_up_recipients) for event_id in events
    )
