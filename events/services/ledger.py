"""Writing the ledger of booking emails: the one way an email about a booking is asked for.

A row is written in the transaction that decided the email, and its task is queued through the
outbox for after the commit; `events.services.emails` sends it, once.
"""

from __future__ import annotations

from collections.abc import Iterable

from events.models import Booking, BookingEmail, EventMessage
from events.tasks import send_booking_email as send_booking_email_task
from events.tasks import send_booking_emails as send_booking_emails_task
from outbox.services import enqueue


def booking_email_queue(*, booking: Booking, kind: str) -> BookingEmail:
    """Ask for one email about `booking`."""
    entry = BookingEmail.objects.create(booking=booking, kind=kind)
    enqueue(send_booking_email_task, entry.pk)
    return entry


def booking_emails_queue(
    *,
    booking_ids: Iterable[int],
    kind: str,
    message: EventMessage | None = None,
    sequence: int | None = None,
) -> int:
    """Ask for the same kind of email to many bookings: one INSERT, and one task that hands each
    row to a task of its own from the worker (so the request does not wait for a broker round trip
    per attendee). Returns how many were asked for."""
    entries = BookingEmail.objects.bulk_create(
        BookingEmail(booking_id=booking_id, kind=kind, message=message, sequence=sequence)
        for booking_id in booking_ids
    )
    if entries:
        enqueue(send_booking_emails_task, [entry.pk for entry in entries])
    return len(entries)
