"""The emails of an event's life that nobody clicks for: the reminders a day and an hour before
(each once, only to places held before its window opened, never late), the change of time or
place (one per change, with the updated .ics), and the follow-up (to those who attended, or to
everyone with a place when attendance was not taken, with the recording's link)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from events.models import Booking, BookingEmail, EventPage
from events.services import booking_create, follow_ups_queue, reminders_queue
from events.tasks import send_booking_email
from tests.events.helpers import attached_vevent, book

Status = Booking.Status
Kind = BookingEmail.Kind


def later(**delta) -> timezone.datetime:
    return timezone.now() + timedelta(**delta)


def starting_in(make_event, **delta) -> EventPage:
    start = later(**delta)
    return make_event(start_at=start, end_at=start + timedelta(hours=1))


def recipients() -> list[str]:
    return sorted(message.to[0] for message in mail.outbox)


def publish(event: EventPage, **changes) -> EventPage:
    for name, value in changes.items():
        setattr(event, name, value)
    event.save_revision().publish()
    return EventPage.objects.get(pk=event.pk)


# --- Reminders ---


def test_the_day_reminder_goes_once_to_each_place_held_before_its_window_opened(run, make_event):
    event = starting_in(make_event, hours=20)
    early = book(event, 2, seated_at=later(days=-3))
    # Seated two hours ago, after the window opened (four hours ago): no stale reminder.
    book(event, 1, prefix="late", seated_at=later(hours=-2))
    book(event, 1, status=Status.WAITING)
    book(event, 1, status=Status.CANCELLED)

    assert run(reminders_queue) == 2
    assert recipients() == sorted(b.email for b in early)
    reminder = mail.outbox[0]
    assert reminder.subject.startswith(f"Reminder: {event.title}, ")
    assert "starts in a day" in reminder.body
    assert event.joining_link in reminder.body
    assert "/events/bookings/" in reminder.body  # the booking's own links
    # Beat runs again five minutes later, or twice: nothing more is written or sent.
    assert run(reminders_queue) == 0
    assert run(reminders_queue, now=later(minutes=5)) == 0
    assert len(mail.outbox) == 2


def test_someone_booking_ten_minutes_before_the_start_gets_no_reminder(run, make_event, member):
    event = starting_in(make_event, minutes=10)
    run(booking_create, event_id=event.pk, user=member)
    mail.outbox.clear()
    assert run(reminders_queue) == 0
    assert run(reminders_queue, now=later(minutes=5)) == 0
    assert mail.outbox == []


def test_within_the_last_hour_only_the_hour_reminder_goes(run, make_event):
    """A day reminder whose moment passed while beat was down is not sent late."""
    event = starting_in(make_event, minutes=50)
    seated = book(event, 2, seated_at=later(days=-3))
    assert run(reminders_queue) == 2
    assert set(BookingEmail.objects.values_list("kind", flat=True)) == {Kind.REMINDER_HOUR}
    assert recipients() == sorted(b.email for b in seated)
    assert mail.outbox[0].subject.startswith(f"Starting soon: {event.title} at ")


def test_a_booking_gets_both_reminders_in_their_turn(run, make_event):
    event = starting_in(make_event, hours=23)
    (seated,) = book(event, 1, seated_at=later(days=-3))
    assert run(reminders_queue) == 1
    assert run(reminders_queue, now=later(hours=22, minutes=10)) == 1
    assert [e.kind for e in seated.emails.order_by("pk")] == [Kind.REMINDER_DAY, Kind.REMINDER_HOUR]


@pytest.mark.parametrize("state", ["cancelled", "unpublished", "started"])
def test_no_reminder_for_an_event_cancelled_unpublished_or_under_way(run, make_event, state):
    event = starting_in(make_event, minutes=-10 if state == "started" else 30)
    book(event, 2)
    if state == "cancelled":
        EventPage.objects.filter(pk=event.pk).update(cancelled=True)
    if state == "unpublished":
        event.unpublish()
    assert run(reminders_queue) == 0
    assert mail.outbox == []


def test_a_reminder_not_sent_before_the_start_is_not_sent_at_all(make_event):
    event = starting_in(make_event, minutes=30)
    book(event, 1)
    with transaction.atomic():  # written, but its task has not run (the test never commits)
        reminders_queue()
    entry = BookingEmail.objects.get()
    EventPage.objects.filter(pk=event.pk).update(start_at=later(minutes=-1))
    assert send_booking_email(entry.pk) is False
    assert mail.outbox == []


def test_the_database_refuses_a_second_reminder_of_a_kind(make_event):
    (booking,) = book(starting_in(make_event, hours=5), 1)
    BookingEmail.objects.create(booking=booking, kind=Kind.REMINDER_DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingEmail.objects.create(booking=booking, kind=Kind.REMINDER_DAY)
    BookingEmail.objects.create(booking=booking, kind=Kind.REMINDER_HOUR)


# --- Change of time or place ---


def test_moving_an_event_emails_each_place_holder_once_with_the_updated_ics(
    run, make_event, member, django_capture_on_commit_callbacks
):
    event = publish(make_event(capacity=3))
    seated = [run(booking_create, event_id=event.pk, user=member)] + book(event, 2)
    book(event, 1, status=Status.WAITING)
    mail.outbox.clear()

    new_start = event.start_at + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        event = publish(event, start_at=new_start, end_at=new_start + timedelta(hours=2))
    assert recipients() == sorted(b.email for b in seated)
    for sent in mail.outbox:
        assert sent.subject == f"New time or place: {event.title}"
        assert "in place of the one we sent before" in sent.body
        vevent = attached_vevent(sent)
        assert int(vevent["SEQUENCE"]) == 1
        assert vevent.decoded("DTSTART") == new_start.replace(microsecond=0)
        assert event.joining_link in str(vevent["DESCRIPTION"])

    # New words, same time and place: nobody is emailed; a new place: each attendee once more.
    with django_capture_on_commit_callbacks(execute=True):
        publish(event, title="A clearer title", summary="Reworded.")
    with django_capture_on_commit_callbacks(execute=True):
        publish(event, venue="Level 3, 1 Example St", format="hybrid")
    assert len(mail.outbox) == 6
    assert BookingEmail.objects.filter(kind=Kind.CHANGED).count() == 6


def test_of_two_changes_made_before_the_worker_ran_only_the_latest_is_sent(make_event):
    event = publish(make_event())
    book(event, 1)
    with transaction.atomic():  # the tasks wait (the test never commits)
        for _ in range(2):
            hour = timedelta(hours=1)
            event = publish(event, start_at=event.start_at + hour, end_at=event.end_at + hour)
    first, second = BookingEmail.objects.filter(kind=Kind.CHANGED).order_by("sequence")
    assert (first.sequence, second.sequence) == (1, 2)
    assert send_booking_email(first.pk) is False
    assert send_booking_email(second.pk) is True
    assert int(attached_vevent(mail.outbox[0])["SEQUENCE"]) == 2


def test_editing_an_event_that_is_over_emails_nobody(run, make_event):
    start = later(days=-3)
    event = publish(make_event(start_at=start, end_at=start + timedelta(hours=1)))
    book(event, 2)
    publish(event, venue="Somewhere else", format="in_person")
    assert not BookingEmail.objects.exists()


# --- Follow-up ---


def ended(make_event, hours_ago: float, **fields) -> EventPage:
    end = later(hours=-hours_ago)
    return make_event(start_at=end - timedelta(hours=2), end_at=end, **fields)


def test_the_follow_up_thanks_those_who_attended_with_the_recordings_link(run, make_event):
    event = ended(make_event, 2, resources_url="https://example.org/recording")
    attended = book(event, 2, status=Status.ATTENDED)
    book(event, 1)  # did not come: attendance was taken
    assert run(follow_ups_queue) == 2
    assert recipients() == sorted(b.email for b in attended)
    sent = mail.outbox[0]
    assert sent.subject == f"Thank you for joining us: {event.title}"
    assert "https://example.org/recording" in sent.body
    assert 'href="https://example.org/recording"' in sent.alternatives[0][0]
    assert run(follow_ups_queue) == 0
    assert len(mail.outbox) == 2


def test_without_attendance_everyone_who_held_a_place_is_thanked(run, make_event):
    event = ended(make_event, 2)
    seated = book(event, 2)
    book(event, 1, status=Status.WAITING)
    book(event, 1, status=Status.CANCELLED)
    assert run(follow_ups_queue) == 2
    assert recipients() == sorted(b.email for b in seated)
    assert "recording" not in mail.outbox[0].body.lower()


@pytest.mark.parametrize("hours_ago", [0.25, 24 * 5])
def test_the_follow_up_waits_an_hour_and_never_reaches_old_events(run, make_event, hours_ago):
    book(ended(make_event, hours_ago), 2)
    assert run(follow_ups_queue) == 0


# --- Beat ---


def test_beat_runs_the_reminders_every_five_minutes_and_the_follow_ups_every_fifteen(
    run, make_event
):
    from icmec.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    reminders = schedule["events-queue-reminders"]
    follow_ups = schedule["events-queue-follow-ups"]
    assert reminders["task"] == "events.tasks.queue_reminders"
    assert follow_ups["task"] == "events.tasks.queue_follow_ups"
    assert sorted(reminders["schedule"].minute) == list(range(0, 60, 5))
    assert sorted(follow_ups["schedule"].minute) == list(range(0, 60, 15))
    book(starting_in(make_event, minutes=30), 1)
    book(ended(make_event, 2), 1)
    assert app.tasks[reminders["task"]].delay().get() == 1
    assert app.tasks[follow_ups["task"]].delay().get() == 1
