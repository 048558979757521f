"""What staff do to an event from the admin: close or reopen registration, take attendance,
write to the attendees, cancel the event.

Closing registration and cancelling act on the live event at once, outside the page's
revisions (`EventPage.STAFF_CONTROLLED_FIELDS`: a draft published later keeps them), and purge
the pages that show the event. Each action is recorded in the page's history (Wagtail's log,
with who did it); what staff wrote is kept as an `EventMessage`, and each attendee's copy is a
ledger row sent once (`events.services.emails`).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from events.models import Booking, BookingEmail, EventMessage, EventPage
from events.services.bookings import locked_event
from events.services.ledger import booking_emails_queue
from events.services.purge import frontend_cache_purge_event
from events.services.schedules import event_schedule_cancel
from icmec.caching.version import content_version_bump
from icmec.text import clean_text

if TYPE_CHECKING:
    from portal.models import User

Status = Booking.Status
Kind = BookingEmail.Kind

SUBJECT_MAX_LENGTH = 150
BODY_MAX_LENGTH = 5000


class StaffActionRefused(Exception):
    """What staff asked cannot be done to this event now; the message says why."""


def _event(event_id: int) -> EventPage:
    event = locked_event(event_id)
    if event is None:
        raise StaffActionRefused("This event no longer exists.")
    return event


def _event_changed(event_id: int) -> None:
    """What shows the event is rendered anew: the site's own caches (now, so that this process
    sees the change at once, and after the commit, so that nothing read in between stays
    cached), and the proxy's copies of the pages that show it (after the commit)."""

    def refresh() -> None:
        content_version_bump()
        frontend_cache_purge_event(page_id=event_id)

    content_version_bump()
    transaction.on_commit(refresh)


def event_registration_set(*, event_id: int, closed: bool, user: User | None) -> EventPage:
    """Close registration (`closed`), whatever its times say, or reopen it. Doing what is done
    already changes nothing. Refused for a cancelled event."""
    with transaction.atomic():
        event = _event(event_id)
        if event.cancelled:
            raise StaffActionRefused("This event was cancelled: nobody can book it.")
        if event.registration_closed == closed:
            return event
        EventPage.objects.filter(pk=event.pk).update(registration_closed=closed)
        event.registration_closed = closed
        action = "events.registration_close" if closed else "events.registration_reopen"
        log(instance=event, action=action, user=user)
        _event_changed(event.pk)
    return event


def attendance_open(event: EventPage, now: datetime | None = None) -> bool:
    """Attendance is taken from the day the event starts (in its own time zone)."""
    today = event.local(now or timezone.now())
    start = event.local_start
    return bool(today and start and today.date() >= start.date())


def attendance_mark(
    *,
    event_id: int,
    shown_ids: Collection[int],
    attended_ids: Collection[int],
    user: User | None,
) -> tuple[int, int]:
    """Of the bookings with a place that staff were shown (`shown_ids`), those ticked
    (`attended_ids`) attended and the others did not (unticking undoes a mistake). Bookings
    not shown, or without a place, are left as they are. Returns how many changed each way."""
    with transaction.atomic():
        event = _event(event_id)
        if not attendance_open(event):
            raise StaffActionRefused("Attendance can be taken from the day of the event.")
        shown = Booking.objects.filter(event=event, pk__in=shown_ids)
        came = shown.filter(status=Status.CONFIRMED, pk__in=attended_ids).update(
            status=Status.ATTENDED
        )
        undone = (
            shown.filter(status=Status.ATTENDED)
            .exclude(pk__in=attended_ids)
            .update(status=Status.CONFIRMED)
        )
        if came or undone:
            log(
                instance=event,
                action="events.attendance",
                user=user,
                data={"attended": came, "undone": undone},
            )
    return came, undone


def _message_text(subject: str, body: str) -> tuple[str, str]:
    subject = clean_text(subject or "", max_length=SUBJECT_MAX_LENGTH + 1).strip()
    body = (body or "").strip()
    errors = {}
    if not subject:
        errors["subject"] = "Write a subject."
    elif len(subject) > SUBJECT_MAX_LENGTH:
        errors["subject"] = f"Keep the subject under {SUBJECT_MAX_LENGTH} characters."
    if not body:
        errors["body"] = "Write the message."
    elif len(body) > BODY_MAX_LENGTH or "\x00" in body:
        errors["body"] = f"Keep the message under {BODY_MAX_LENGTH} characters of text."
    if errors:
        raise ValidationError(errors)
    return subject, body


def event_message_send(
    *, event_id: int, subject: str, body: str, user: User | None, token: uuid.UUID
) -> EventMessage:
    """Write to everyone holding a place (confirmed or attended): the message is recorded and
    each attendee is emailed it once, with their booking's links. `token` is the form's: the
    same form sent again returns the message it wrote. Raises `ValidationError` for an empty
    or overlong text, or when nobody holds a place."""
    subject, body = _message_text(subject, body)
    with transaction.atomic():
        event = _event(event_id)
        existing = EventMessage.objects.filter(uuid=token, event=event).first()
        if existing is not None:
            return existing
        recipients = list(
            Booking.objects.filter(event=event, status__in=Booking.SEATED).values_list(
                "pk", flat=True
            )
        )
        if not recipients:
            raise ValidationError(
                "Nobody holds a place at this event: there is nobody to write to."
            )
        message = EventMessage.objects.create(
            uuid=token,
            event=event,
            subject=subject,
            body=body,
            sent_by=user,
            recipient_count=len(recipients),
        )
        booking_emails_queue(booking_ids=recipients, kind=Kind.MESSAGE, message=message)
        log(
            instance=event,
            action="events.message",
            user=user,
            data={"subject": subject, "recipients": len(recipients)},
        )
    return message


def event_cancel(*, event_id: int, note: str, user: User | None) -> EventMessage:
    """Cancel an event that has not ended: every active booking is cancelled, and each
    confirmed, attended or waiting one is emailed once, with `note` (optional) and a calendar
    file that removes the event (STATUS:CANCELLED, a higher SEQUENCE). A booking whose address
    was never confirmed is cancelled without an email: whoever owns that address never asked
    for one, and the email would tell them the booker's name (as the confirmation request does
    not). The page says the event was cancelled; nobody can book it. Final."""
    note = (note or "").strip()
    if len(note) > BODY_MAX_LENGTH or "\x00" in note:
        raise ValidationError({"note": f"Keep the note under {BODY_MAX_LENGTH} characters."})
    with transaction.atomic():
        event = _event(event_id)
        if event.cancelled:
            raise StaffActionRefused("This event is cancelled already.")
        if event.is_past():
            raise StaffActionRefused("This event is over: it cannot be cancelled.")
        # The event's row is locked: no booking of it changes meanwhile.
        active = Booking.objects.filter(event=event).exclude(status=Status.CANCELLED)
        booking_ids = list(active.values_list("pk", flat=True))
        emailed = list(active.exclude(status=Status.PENDING).values_list("pk", flat=True))
        Booking.objects.filter(pk__in=booking_ids).update(
            status=Status.CANCELLED, cancelled_at=timezone.now()
        )
        EventPage.objects.filter(pk=event.pk).update(cancelled=True)
        event.cancelled = True
        event_schedule_cancel(event=event)
        message = EventMessage.objects.create(
            event=event,
            kind=EventMessage.Kind.CANCELLATION,
            subject=f"Cancelled: {event.title}"[:SUBJECT_MAX_LENGTH],
            body=note,
            sent_by=user,
            recipient_count=len(emailed),
        )
        booking_emails_queue(booking_ids=emailed, kind=Kind.CANCELLED, message=message)
        log(instance=event, action="events.cancel", user=user, data={"emailed": len(emailed)})
        _event_changed(event.pk)
    return message
