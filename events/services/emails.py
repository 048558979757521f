"""Sending the booking emails, each once.

The services write a `BookingEmail` row in the transaction that decided it; the task sends it
here. The row is locked while the message goes out and `sent_at` is written in the same
transaction, so a task that runs twice (a redelivery, the outbox relaying it again) finds it
sent and does nothing; an SMTP failure rolls back and the task retries. An email whose news is
stale (a confirmation for a booking cancelled since, a reminder of an event that has started, a
change that a later change replaced) is not sent.
"""

from __future__ import annotations

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from events import calendars, tokens
from events.models import Booking, BookingEmail, EventPage

Kind = BookingEmail.Kind
Status = Booking.Status

# Which bookings each email still fits when its task runs.
STILL_TRUE: dict[str, tuple[str, ...]] = {
    Kind.CONFIRM_ADDRESS: (Status.PENDING,),
    Kind.CONFIRMED: Booking.SEATED,
    Kind.PROMOTED: Booking.SEATED,
    Kind.WAITING: (Status.WAITING,),
    Kind.REMINDER_DAY: Booking.SEATED,
    Kind.REMINDER_HOUR: Booking.SEATED,
    Kind.CHANGED: Booking.SEATED,
    Kind.FOLLOW_UP: Booking.SEATED,
    Kind.MESSAGE: Booking.SEATED,
    Kind.CANCELLED: (Status.CANCELLED,),
}
# Emails that carry the attendee's own calendar file (the event's latest version of it).
WITH_CALENDAR = (Kind.CONFIRMED, Kind.PROMOTED, Kind.CHANGED, Kind.CANCELLED)
REMINDERS = (Kind.REMINDER_DAY, Kind.REMINDER_HOUR)

_inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def booking_links(booking: Booking) -> dict[str, str]:
    """The signed links of a booking's emails (they need no login)."""
    token = tokens.booking_token(booking_uuid=booking.uuid)
    links = {
        "booking_url": _absolute(reverse("events:booking", kwargs={"token": token})),
        "cancel_url": _absolute(reverse("events:cancel", kwargs={"token": token})),
        "calendar_url": _absolute(reverse("events:booking_calendar", kwargs={"token": token})),
    }
    if booking.status == Status.PENDING:
        confirm = tokens.confirmation_token(booking_uuid=booking.uuid)
        links["confirm_url"] = _absolute(reverse("events:confirm", kwargs={"token": confirm}))
    return links


def _still_true(entry: BookingEmail, booking: Booking, event: EventPage) -> bool:
    if booking.status not in STILL_TRUE[entry.kind]:
        return False
    if entry.kind in REMINDERS:
        return not event.cancelled and event.start_at > timezone.now()
    if entry.kind == Kind.CHANGED:
        # Only the latest change of an event to come: its file says it all.
        return not event.is_past() and entry.sequence == calendars.event_sequence(event)
    if entry.kind == Kind.CANCELLED:
        return event.cancelled
    return True


def booking_email_send(*, email_id: int) -> bool:
    """Send one booking email (the task behind every one). Returns False when there was
    nothing to send: sent already, or no longer true."""
    from events import selectors

    with transaction.atomic():
        entry = (
            BookingEmail.objects.select_for_update(of=("self",))
            .select_related("booking__event", "message")
            .filter(pk=email_id)
            .first()
        )
        if entry is None or entry.sent_at is not None:
            return False
        booking = entry.booking
        event = booking.event
        if not _still_true(entry, booking, event):
            return False
        context = {
            "booking": booking,
            "event": event,
            "message": entry.message,
            "with_calendar": entry.kind in WITH_CALENDAR,
            "event_changed": entry.kind == Kind.CHANGED,
            "event_url": event.get_full_url(),
            "waiting_position": selectors.waiting_position(booking=booking),
            "site_url": settings.SITE_URL,
            "organisation_name": settings.ORGANISATION_NAME,
            "postal_address": settings.ORGANISATION_POSTAL_ADDRESS,
            **booking_links(booking),
        }
        template = f"events/email/{entry.kind}"
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"{template}.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[booking.email],
        )
        message.attach_alternative(
            _inliner.inline(render_to_string(f"{template}.html", context)), "text/html"
        )
        if entry.kind in WITH_CALENDAR:
            message.attach(
                f"{event.slug}.ics",
                calendars.attendee_calendar(booking=booking),
                "text/calendar; method=PUBLISH; charset=utf-8",
            )
        message.send()
        entry.sent_at = timezone.now()
        entry.save(update_fields=["sent_at"])
    return True
