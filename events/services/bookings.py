"""Booking a place, confirming it, cancelling it, and the waiting list.

Every change that could take or free a place locks the event's row first (`SELECT ... FOR
UPDATE`), so the bookings of one event are decided one at a time: counting the places taken and
taking one cannot interleave, and capacity is never exceeded however many people book the last
place at once. The partial unique constraints on `Booking` are the second line: nobody holds two
active bookings for the same event.

Each email a change calls for is written to the ledger (`BookingEmail`) in the same transaction
and sent by a task after the commit (`events.services.emails`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from blog.selectors import visitor_is_member
from events import rules
from events.models import Booking, BookingEmail, EventPage
from events.services.ledger import booking_email_queue
from icmec.text import clean_text
from newsletter.models import Subscriber
from newsletter.services.subscriptions import (
    subscriber_subscribe,
    subscriber_subscribe_member,
    validated_email,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from portal.models import User

Status = Booking.Status
Kind = BookingEmail.Kind


class BookingRefused(Exception):
    """A booking that the event's rules do not allow; `reason` says which rule (one of
    `events.rules`), `message` says it to the person."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.message = rules.MESSAGES[reason]
        super().__init__(self.message)


def locked_event(event_id: int) -> EventPage | None:
    """The event with its row locked until the transaction ends: the bookings of one event are
    decided one at a time (also by the staff's and the reminders' services)."""
    # Only the event's own row (not Wagtail's page row, which editing and publishing lock).
    return EventPage.objects.select_for_update(of=("self",)).filter(pk=event_id).first()


def _locked_event(event_id: int) -> EventPage:
    event = locked_event(event_id)
    if event is None:
        raise BookingRefused(rules.NOT_AVAILABLE)
    return event


def _check_open(event: EventPage) -> None:
    reason = rules.registration_refusal(event)
    if reason is not None:
        raise BookingRefused(reason)


def _free_places(event: EventPage) -> int | None:
    """Places left (None: no limit). Called with the event's row locked."""
    if event.capacity is None:
        return None
    taken = Booking.objects.filter(event=event, status__in=Booking.SEATED).count()
    return max(event.capacity - taken, 0)


def _email(booking: Booking, kind: str) -> None:
    booking_email_queue(booking=booking, kind=kind)


def _seat(event: EventPage, booking: Booking) -> None:
    """Give `booking` a place if one is left, else a place on the waiting list (if the event
    keeps one), and write the email that says which. Raises `BookingRefused` when full."""
    free = _free_places(event)
    if free is None or free > 0:
        booking.status = Status.CONFIRMED
        booking.confirmed_at = timezone.now()
        kind = Kind.CONFIRMED
    elif event.waiting_list:
        booking.status = Status.WAITING
        kind = Kind.WAITING
    else:
        raise BookingRefused(rules.FULL)
    booking.save()
    _email(booking, kind)


def _active_booking(event: EventPage, *, email: str, user: Any = None) -> Booking | None:
    who = Q(email=email) | Q(user=user) if user is not None else Q(email=email)
    return (
        Booking.objects.select_for_update()
        .filter(who, event=event)
        .exclude(status=Status.CANCELLED)
        .first()
    )


def booking_create(
    *,
    event_id: int,
    user: User | AnonymousUser | None = None,
    name: str = "",
    email: str = "",
    also_subscribe: bool = False,
) -> Booking:
    """Book a place at an event.

    An approved member books with one click (`user`): the place is confirmed at once, or the
    member joins the waiting list when the event is full. Anyone else gives a name and an
    address (`name`, `email`) for a public event: the booking waits until the link mailed to
    that address is clicked (`booking_confirm`), and the answer is the same whether the address
    had booked already or not. Booking again returns the booking held already.

    `also_subscribe` asks for the newsletter too, through the newsletter's own subscription
    (a member's verified address at once; any other address once the booking is confirmed,
    with the newsletter's own confirmation). Raises `BookingRefused` when the event's rules
    refuse it, `ValidationError` for an address that is not one.
    """
    # An approved member is an account (never an anonymous visitor): visitor_is_member says so.
    member = cast("User", user) if user is not None and visitor_is_member(user) else None
    if member is None and user is not None and user.is_authenticated:
        # Logged in but not an approved member: a public booking, in the account's name.
        email = email or user.email
        name = name or user.get_full_name() or user.email
    if member is None:
        email = validated_email(email)
        name = clean_text(name or "", max_length=150).strip()
        if not name:
            raise ValidationError({"name": "Enter your name."})
    with transaction.atomic():
        event = _locked_event(event_id)
        _check_open(event)
        if event.members_only and member is None:
            raise BookingRefused(rules.MEMBERS_ONLY)
        if member is not None:
            booking = _member_booking(event, member)
            if also_subscribe:
                subscriber_subscribe_member(user=member, source=Subscriber.Source.EVENT)
            return booking
        existing = _active_booking(event, email=email)
        if existing is not None:
            if existing.status == Status.PENDING:
                _email(existing, Kind.CONFIRM_ADDRESS)  # the first link may have been lost
            return existing
        booking = Booking.objects.create(
            event=event,
            name=name,
            email=email,
            status=Status.PENDING,
            subscribe_requested=also_subscribe,
        )
        _email(booking, Kind.CONFIRM_ADDRESS)
    return booking


def _member_booking(event: EventPage, member: User) -> Booking:
    email = validated_email(member.email)
    existing = _active_booking(event, email=email, user=member)
    if existing is not None and existing.status != Status.PENDING:
        return existing
    # A booking made through the public form with the member's address, not yet confirmed,
    # becomes the member's: logging in proved the address.
    booking = existing or Booking(event=event, email=email)
    booking.user = member
    booking.name = member.get_full_name() or email
    _seat(event, booking)
    return booking


def booking_confirm(*, token: str) -> Booking:
    """Confirm a public booking from the link mailed to its address: a place if one is left,
    else the waiting list. Confirming twice is harmless.

    Raises `tokens.ExpiredToken` after 7 days, `tokens.InvalidToken` for an altered link, and
    `BookingRefused` if registration closed meanwhile or the event is full with no waiting list.
    """
    from events import tokens

    booking_uuid = tokens.read_confirmation_token(token)
    event_id = Booking.objects.filter(uuid=booking_uuid).values_list("event_id", flat=True).first()
    if event_id is None:
        raise tokens.InvalidToken("No such booking.")
    with transaction.atomic():
        event = _locked_event(event_id)
        booking = Booking.objects.select_for_update().get(uuid=booking_uuid)
        if booking.status != Status.PENDING:
            return booking
        _check_open(event)
        _seat(event, booking)
        if booking.subscribe_requested:
            subscriber_subscribe(
                email=booking.email,
                first_name=booking.name.split(" ")[0],
                source=Subscriber.Source.EVENT,
            )
    return booking


def booking_cancel(*, booking_id: int) -> Booking:
    """Cancel a booking (its owner, from the booking page or the portal). A place it held goes
    to the first on the waiting list, who is emailed. Cancelling twice is harmless."""
    event_id = Booking.objects.filter(pk=booking_id).values_list("event_id", flat=True).first()
    if event_id is None:
        raise Booking.DoesNotExist
    with transaction.atomic():
        event = _locked_event(event_id)
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        if booking.status == Status.CANCELLED:
            return booking
        had_place = booking.has_place
        booking.status = Status.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["status", "cancelled_at"])
        if had_place:
            _promote_waiting(event)
    return booking


def _promote_waiting(event: EventPage) -> None:
    """Give the places left to the waiting list, first come first served (before the start of
    an event that still takes place)."""
    if event.cancelled or event.start_at <= timezone.now():
        return
    free = _free_places(event)
    waiting = Booking.objects.select_for_update().filter(event=event, status=Status.WAITING)
    for booking in waiting.order_by("created_at", "id")[:free]:
        booking.status = Status.CONFIRMED
        booking.confirmed_at = timezone.now()
        booking.save(update_fields=["status", "confirmed_at"])
        _email(booking, Kind.PROMOTED)


def bookings_erase_for_user(*, user: User) -> None:
    """Privacy eraser: the account's bookings (and those made with its address) are cancelled,
    so their places go to the waiting list, then deleted."""
    mine = Booking.objects.filter(Q(user=user) | Q(email__iexact=user.email))
    for booking_id in mine.exclude(status=Status.CANCELLED).values_list("pk", flat=True):
        booking_cancel(booking_id=booking_id)
    mine.delete()
