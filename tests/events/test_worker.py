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


def sent_tasks_succeeded(worker) -> int:
    """How many `send_booking_email` tasks the worker has finished (the tasks that hand many
    ledger rows to them, `send_booking_emails`, not counted)."""
    return sum(
        "events.tasks.send_booking_email[" in line and "succeeded" in line
        for line in worker.log_text().splitlines()
    )


def test_reminders_a_staff_message_and_the_cancellation_go_once_each_by_a_real_worker(
    smtp_server, start_worker, make_event
):
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    from events.services import event_cancel, event_message_send, reminders_queue
    from tests.events.helpers import attached_vevent, book

    start = timezone.now() + timedelta(minutes=30)
    event = make_event(start_at=start, end_at=start + timedelta(hours=1))
    seated = book(event, 3)
    (waiting,) = book(event, 1, status=Booking.Status.WAITING)
    worker = start_worker(concurrency=2)

    assert reminders_queue() == 3
    wait_until_sent(3)
    event_message_send(
        event_id=event.pk, subject="The slides", body="Here.", user=None, token=uuid.uuid4()
    )
    wait_until_sent(6)
    event_cancel(event_id=event.pk, note="The speaker is ill.", user=None)
    wait_until_sent(10)
    # Every task delivered again, and beat running again: nothing more goes out.
    assert reminders_queue() == 0
    for entry_id in BookingEmail.objects.values_list("pk", flat=True):
        send_booking_email.delay(entry_id)
    wait_for(
        lambda: sent_tasks_succeeded(worker) == 20,
        timeout=60,
        message="The tasks delivered again did not run",
    )

    received = sorted((r.message["To"], r.message["Subject"]) for r in smtp_server.handler.messages)
    expected = [(b.email, f"Starting soon: {event.title} at ") for b in seated]
    expected += [(b.email, f"{event.title}: The slides") for b in seated]
    expected += [(b.email, f"Cancelled: {event.title}") for b in [*seated, waiting]]
    assert len(received) == len(expected) == 10
    for (to, subject), (expected_to, expected_subject) in zip(
        received, sorted(expected), strict=True
    ):
        assert to == expected_to
        assert subject.startswith(expected_subject)
    cancellation = next(
        r.message for r in smtp_server.handler.messages if r.message["Subject"].startswith("Canc")
    )
    vevent = attached_vevent(cancellation)
    assert (str(vevent["STATUS"]), int(vevent["SEQUENCE"])) == ("CANCELLED", 1)
