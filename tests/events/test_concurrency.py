"""Parallel bookings for the last place, against PostgreSQL with real transactions: each thread
has its own connection, and they all book at the same instant."""

import threading

import pytest
from django.db import connection

from events.models import Booking
from events.services import BookingRefused, booking_cancel, booking_create
from tests.factories.portal import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)

Status = Booking.Status


def book_at_once(calls):
    """Run every call in its own thread, released together; returns what each returned or
    raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=60)  # a busy machine starts threads slowly
            outcomes[index] = call()
        except Exception as exc:  # the outcome under test
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.mark.parametrize("waiting_list", [False, True])
def test_the_last_place_goes_to_exactly_one_of_many(make_event, waiting_list):
    event = make_event(capacity=3, waiting_list=waiting_list)
    seated = [MemberFactory(email=f"early{n}@example.org") for n in range(2)]
    for user in seated:
        booking_create(event_id=event.pk, user=user)
    rivals = [MemberFactory(email=f"rival{n}@example.org") for n in range(6)]

    outcomes = book_at_once(
        [lambda user=user: booking_create(event_id=event.pk, user=user) for user in rivals]
    )

    assert Booking.objects.filter(event=event, status=Status.CONFIRMED).count() == 3
    got_place = [o for o in outcomes if isinstance(o, Booking) and o.status == Status.CONFIRMED]
    assert len(got_place) == 1
    others = [o for o in outcomes if o not in got_place]
    if waiting_list:
        assert all(isinstance(o, Booking) and o.status == Status.WAITING for o in others)
    else:
        assert all(isinstance(o, BookingRefused) and o.reason == "full" for o in others)


def test_a_double_click_books_once(make_event):
    event = make_event(capacity=10)
    member = MemberFactory(email="clicker@example.org")
    outcomes = book_at_once([lambda: booking_create(event_id=event.pk, user=member)] * 4)
    assert Booking.objects.filter(event=event).count() == 1
    assert len({o.pk for o in outcomes}) == 1


def test_cancelling_while_others_book_never_overfills(make_event):
    event = make_event(capacity=1)
    holder = MemberFactory(email="holder@example.org")
    held = booking_create(event_id=event.pk, user=holder)
    rivals = [MemberFactory(email=f"late{n}@example.org") for n in range(4)]
    calls = [lambda: booking_cancel(booking_id=held.pk)]
    calls += [lambda user=user: booking_create(event_id=event.pk, user=user) for user in rivals]
    book_at_once(calls)
    assert Booking.objects.filter(event=event, status=Status.CONFIRMED).count() == 1
    assert Booking.objects.filter(event=event, status=Status.WAITING).count() == 3


def test_overlapping_reminder_runs_write_each_reminder_once(make_event):
    """Beat's runs may overlap (a slow one, a second beat by mistake): the event's row is locked
    while its reminders are written, and the unique constraint stands behind it."""
    from datetime import timedelta

    from django.utils import timezone

    from events.models import BookingEmail
    from events.services import reminders_queue
    from tests.events.helpers import book

    start = timezone.now() + timedelta(hours=5)
    events = [make_event(start_at=start, end_at=start + timedelta(hours=1)) for _ in range(2)]
    for event in events:
        book(event, 30, prefix=f"e{event.pk}-")
    outcomes = book_at_once([reminders_queue] * 4)

    assert sum(outcomes) == 60
    assert BookingEmail.objects.filter(kind="reminder_day").count() == 60
    assert BookingEmail.objects.filter(sent_at__isnull=False).count() == 60
