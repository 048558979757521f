"""The booking rules: capacity, waiting list, promotion, cancellation, opening and closing
times, members-only events, and nobody booked twice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from events import rules, tokens
from events.models import Audience, Booking, BookingEmail
from events.services import (
    BookingRefused,
    booking_cancel,
    booking_confirm,
    booking_create,
)
from newsletter.models import Subscriber
from tests.factories.portal import ApplicantFactory

Status = Booking.Status


def confirm_link_token(booking: Booking) -> str:
    return tokens.confirmation_token(booking_uuid=booking.uuid)


def test_a_member_books_with_one_click_and_is_emailed_once(run, make_event, member):
    event = make_event(capacity=10)
    booking = run(booking_create, event_id=event.pk, user=member)
    assert booking.status == Status.CONFIRMED
    assert booking.email == "amelia@example.org"
    assert booking.name == "Amelia Chen"
    assert [m.subject for m in mail.outbox] == [f"Your place is booked: {event.title}"]
    # Booking again returns the same booking and sends nothing more.
    assert run(booking_create, event_id=event.pk, user=member).pk == booking.pk
    assert len(mail.outbox) == 1


def test_a_public_booking_waits_for_its_address_to_be_confirmed(run, make_event):
    event = make_event()
    booking = run(booking_create, event_id=event.pk, name="Jo Bloggs", email=" Jo@Example.org ")
    assert booking.status == Status.PENDING
    assert booking.email == "jo@example.org"
    assert mail.outbox[0].subject == f"Confirm your booking: {event.title}"
    assert event.joining_link not in mail.outbox[0].body
    confirmed = run(booking_confirm, token=confirm_link_token(booking))
    assert confirmed.status == Status.CONFIRMED
    assert event.joining_link in mail.outbox[1].body
    # The link clicked again changes nothing.
    assert run(booking_confirm, token=confirm_link_token(booking)).status == Status.CONFIRMED
    assert len(mail.outbox) == 2


def test_booking_again_with_a_pending_address_mails_the_link_again_and_nothing_else(
    run, make_event
):
    event = make_event()
    first = run(booking_create, event_id=event.pk, name="Jo", email="jo@example.org")
    again = run(booking_create, event_id=event.pk, name="Someone else", email="jo@example.org")
    assert again.pk == first.pk
    assert Booking.objects.count() == 1
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Confirm your booking"] * 2


def test_an_altered_confirmation_link_is_refused(run, make_event):
    booking = run(booking_create, event_id=make_event().pk, name="Jo", email="jo@example.org")
    with pytest.raises(tokens.InvalidToken):
        run(booking_confirm, token=confirm_link_token(booking) + "x")


def test_when_full_people_join_the_waiting_list_in_order(run, make_event, member, second_member):
    event = make_event(capacity=1)
    assert run(booking_create, event_id=event.pk, user=member).status == Status.CONFIRMED
    waiting = run(booking_create, event_id=event.pk, user=second_member)
    assert waiting.status == Status.WAITING
    public = run(booking_create, event_id=event.pk, name="Jo", email="jo@example.org")
    public = run(booking_confirm, token=confirm_link_token(public))
    assert public.status == Status.WAITING
    bodies = [m.body for m in mail.outbox if m.subject.startswith("You are on the waiting list")]
    assert "place 1" in bodies[0]
    assert "place 2" in bodies[1]
    assert all(event.joining_link not in body for body in bodies)


def test_without_a_waiting_list_a_full_event_refuses(run, make_event, member, second_member):
    event = make_event(capacity=1, waiting_list=False)
    run(booking_create, event_id=event.pk, user=member)
    with pytest.raises(BookingRefused) as refused:
        run(booking_create, event_id=event.pk, user=second_member)
    assert refused.value.reason == rules.FULL


def test_cancelling_gives_the_place_to_the_first_on_the_list(
    run, make_event, member, second_member
):
    event = make_event(capacity=1)
    first = run(booking_create, event_id=event.pk, user=member)
    second = run(booking_create, event_id=event.pk, user=second_member)
    third = run(
        booking_confirm,
        token=confirm_link_token(
            run(booking_create, event_id=event.pk, name="Jo", email="jo@example.org")
        ),
    )
    mail.outbox.clear()
    run(booking_cancel, booking_id=first.pk)
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == (Status.CONFIRMED, Status.WAITING)
    assert [m.to for m in mail.outbox] == [["tom@example.org"]]
    assert mail.outbox[0].subject == f"A place is yours: {event.title}"
    assert mail.outbox[0].attachments[0][0].endswith(".ics")
    # Cancelling twice is harmless; a waiting booking cancelled frees no place.
    run(booking_cancel, booking_id=first.pk)
    run(booking_cancel, booking_id=third.pk)
    assert len(mail.outbox) == 1
    assert Booking.objects.get(pk=first.pk).cancelled_at is not None


def test_a_cancelled_booker_may_book_again(run, make_event, member):
    event = make_event()
    run(booking_cancel, booking_id=run(booking_create, event_id=event.pk, user=member).pk)
    again = run(booking_create, event_id=event.pk, user=member)
    assert again.status == Status.CONFIRMED
    assert Booking.objects.filter(event=event).count() == 2


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"registration_opens_at": timezone.now() + timedelta(days=1)}, rules.NOT_OPEN),
        ({"registration_closes_at": timezone.now() - timedelta(minutes=1)}, rules.CLOSED),
        (
            {
                "start_at": timezone.now() - timedelta(minutes=5),
                "end_at": timezone.now() + timedelta(hours=1),
            },
            rules.CLOSED,
        ),
        ({"cancelled": True}, rules.CANCELLED),
    ],
)
def test_registration_times_and_cancelled_events_refuse(run, make_event, member, fields, reason):
    event = make_event(**fields)
    for attempt in (
        lambda: run(booking_create, event_id=event.pk, user=member),
        lambda: run(booking_create, event_id=event.pk, name="Jo", email="jo@example.org"),
    ):
        with pytest.raises(BookingRefused) as refused:
            attempt()
        assert refused.value.reason == reason
    assert not Booking.objects.exists()


def test_a_confirmation_after_registration_closed_is_refused(run, make_event):
    event = make_event()
    booking = run(booking_create, event_id=event.pk, name="Jo", email="jo@example.org")
    type(event).objects.filter(pk=event.pk).update(
        registration_closes_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(BookingRefused):
        run(booking_confirm, token=confirm_link_token(booking))
    assert Booking.objects.get().status == Status.PENDING


def test_members_only_events_refuse_everyone_but_approved_members(run, make_event, member):
    event = make_event(audience=Audience.MEMBERS)
    applicant = ApplicantFactory(email="applicant@example.org")
    for attempt in (
        lambda: run(booking_create, event_id=event.pk, name="Jo", email="jo@example.org"),
        lambda: run(booking_create, event_id=event.pk, user=applicant),
    ):
        with pytest.raises(BookingRefused) as refused:
            attempt()
        assert refused.value.reason == rules.MEMBERS_ONLY
    assert run(booking_create, event_id=event.pk, user=member).status == Status.CONFIRMED


def test_an_unpublished_event_cannot_be_booked(run, make_event, member):
    event = make_event()
    event.unpublish()
    with pytest.raises(BookingRefused):
        run(booking_create, event_id=event.pk, user=member)


def test_a_pending_public_booking_with_a_members_address_becomes_the_members(
    run, make_event, member
):
    event = make_event()
    pending = run(booking_create, event_id=event.pk, name="A. Chen", email="amelia@example.org")
    booking = run(booking_create, event_id=event.pk, user=member)
    assert booking.pk == pending.pk
    assert (booking.user, booking.status) == (member, Status.CONFIRMED)


def test_the_database_refuses_a_second_active_booking(run, make_event, member):
    event = make_event()
    run(booking_create, event_id=event.pk, user=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(event=event, name="x", email="amelia@example.org", status="waiting")
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(event=event, user=member, name="x", email="other@example.org")


def test_also_subscribe_goes_through_the_newsletters_double_opt_in(run, make_event, member):
    event = make_event()
    booking = run(
        booking_create,
        event_id=event.pk,
        name="Jo Bloggs",
        email="jo@example.org",
        also_subscribe=True,
    )
    assert not Subscriber.objects.exists()  # nothing until the address is proven
    run(booking_confirm, token=confirm_link_token(booking))
    subscriber = Subscriber.objects.get(email="jo@example.org")
    assert subscriber.status == Subscriber.Status.PENDING  # the newsletter's own confirmation
    run(booking_create, event_id=make_event().pk, user=member, also_subscribe=True)
    assert Subscriber.objects.get(email="amelia@example.org").status == "confirmed"


def test_a_subscription_made_while_booking_says_it_came_from_an_event(
    run, make_event, member, client
):
    """Subscriber.Source.EVENT, for a reader's booking (once confirmed) and a member's."""
    public = run(
        booking_create,
        event_id=make_event().pk,
        name="Jo Bloggs",
        email="jo@example.org",
        also_subscribe=True,
    )
    run(booking_confirm, token=confirm_link_token(public))
    run(booking_create, event_id=make_event().pk, user=member, also_subscribe=True)

    reader = Subscriber.objects.get(email="jo@example.org")
    amelia = Subscriber.objects.get(email="amelia@example.org")
    assert reader.source == amelia.source == Subscriber.Source.EVENT == "event"
    assert amelia.confirmed_source == Subscriber.Source.EVENT
    # The consent trail says so too, and the reader's confirmation link carries it.
    assert set(reader.events.values_list("source", flat=True)) == {"event"}
    assert set(amelia.events.values_list("source", flat=True)) == {"event"}
    (confirmation,) = [m for m in mail.outbox if "/newsletter/confirm/" in m.body]
    assert confirmation.to == ["jo@example.org"]
    link = next(word for word in confirmation.body.split() if "/newsletter/confirm/" in word)
    client.post(link.removeprefix("http://testserver"))
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED
    assert reader.confirmed_source == Subscriber.Source.EVENT


def test_no_subscription_unless_asked(run, make_event, member):
    run(booking_create, event_id=make_event().pk, user=member)
    assert not Subscriber.objects.exists()


def test_each_email_is_sent_once_even_when_its_task_runs_again(run, make_event, member):
    from events.tasks import send_booking_email

    run(booking_create, event_id=make_event().pk, user=member)
    entry = BookingEmail.objects.get()
    assert entry.sent_at is not None
    assert send_booking_email(entry.pk) is False
    assert len(mail.outbox) == 1


def test_an_email_no_longer_true_is_not_sent(
    run, make_event, member, django_capture_on_commit_callbacks
):
    from events.tasks import send_booking_email

    event = make_event()
    with transaction.atomic():
        booking = booking_create(event_id=event.pk, user=member)
        entry = BookingEmail.objects.get()
        Booking.objects.filter(pk=booking.pk).update(status=Status.CANCELLED)
    assert send_booking_email(entry.pk) is False
    assert BookingEmail.objects.get().sent_at is None
