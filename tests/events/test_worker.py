"""Every booking email goes out once through a real Celery worker: the booking's confirmation
(with its calendar file), the waiting-list place and the promotion, even when the outbox hands
the same tasks to the broker again."""

import pytest
from icalendar import Calendar

from events.models import Booking, BookingEmail
from events.services import booking_cancel, booking_create
from events.tasks import send_booking_email
from tests.factories.portal import MemberFactory
from tests.newsletter.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def wait_until_sent(count: int) -> None:
    """Wait for the worker, so that each email is still true when it goes (one about a place
    cancelled before its task ran is rightly never sent)."""
    wait_for(
        lambda: BookingEmail.objects.filter(sent_at__isnull=False).count() == count,
        timeout=60,
        message=f"{count} booking emails were not sent",
    )


def test_each_booking_email_is_sent_once_by_a_real_worker(smtp_server, start_worker, make_event):
    event = make_event(capacity=1)
    first, second = (MemberFactory(email=f"m{n}@example.org") for n in range(2))
    worker = start_worker(concurrency=2)

    held = booking_create(event_id=event.pk, user=first)
    wait_until_sent(1)
    booking_create(event_id=event.pk, user=second)
    wait_until_sent(2)
    booking_cancel(booking_id=held.pk)
    wait_until_sent(3)
    # Every task delivered again (as after a lost acknowledgement): nothing more goes out.
    for entry_id in BookingEmail.objects.values_list("pk", flat=True):
        send_booking_email.delay(entry_id)
    wait_for(
        lambda: worker.log_text().count("succeeded") == 6,
        timeout=60,
        message="The tasks delivered again did not run",
    )

    received = [(r.message["To"], r.message["Subject"]) for r in smtp_server.handler.messages]
    assert sorted(received) == sorted(
        [
            ("m0@example.org", f"Your place is booked: {event.title}"),
            ("m1@example.org", f"You are on the waiting list: {event.title}"),
            ("m1@example.org", f"A place is yours: {event.title}"),
        ]
    )
    promoted = next(
        r.message
        for r in smtp_server.handler.messages
        if "A place is yours" in r.message["Subject"]
    )
    attachment = next(p for p in promoted.iter_attachments())
    (vevent,) = Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert event.joining_link in str(vevent["DESCRIPTION"])
    assert Booking.objects.get(user=second).status == Booking.Status.CONFIRMED
