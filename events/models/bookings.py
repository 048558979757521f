"""Bookings, the ledger of the emails sent about them, what staff wrote to an event's attendees,
and the calendar state of each event.

Nobody is booked twice: one active (not cancelled) booking per event and address, and per event
and account, enforced by PostgreSQL. Capacity is enforced by the booking services, which lock
the event's row before counting its places (`events.services.bookings`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Booking(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the email address to be confirmed")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITING = "waiting", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")

    # Statuses that hold a place at the event.
    SEATED = (Status.CONFIRMED, Status.ATTENDED)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey("events.EventPage", on_delete=models.CASCADE, related_name="bookings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="event_bookings",
    )
    name = models.CharField(max_length=150)
    email = models.EmailField(max_length=254)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    # Asked to join the newsletter too: done once the address is confirmed.
    subscribe_requested = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"],
                condition=~Q(status="cancelled"),
                name="events_booking_one_active_per_email",
            ),
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(user__isnull=False) & ~Q(status="cancelled"),
                name="events_booking_one_active_per_user",
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "created_at"])]
        permissions = [
            (
                "manage_bookings",
                "Can take attendance, close registration, write to attendees and cancel events",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status != self.Status.CANCELLED

    @property
    def has_place(self) -> bool:
        return self.status in self.SEATED


class EventMessage(models.Model):
    """What staff wrote to an event's attendees, or the note of its cancellation: who, when,
    what, and to how many. Each recipient's email is a `BookingEmail` that points here."""

    class Kind(models.TextChoices):
        MESSAGE = "message", _("Message to the attendees")
        CANCELLATION = "cancellation", _("Cancellation of the event")

    # The form's own token: the same form sent twice (a double click, the browser sending it
    # again) writes one message.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.ForeignKey(
        "events.EventPage", on_delete=models.CASCADE, related_name="staff_messages"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MESSAGE)
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=5000, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_messages_sent",
    )
    created_at = models.DateTimeField(default=timezone.now)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject


class BookingEmail(models.Model):
    """One email about a booking: written in the transaction that decided it, sent once by a
    task that records `sent_at` (a redelivered task finds it sent and does nothing)."""

    class Kind(models.TextChoices):
        CONFIRM_ADDRESS = "confirm_address", _("Confirm the email address")
        CONFIRMED = "confirmed", _("Place confirmed")
        WAITING = "waiting", _("Place on the waiting list")
        PROMOTED = "promoted", _("Promoted from the waiting list")
        REMINDER_DAY = "reminder_day", _("Reminder a day before")
        REMINDER_HOUR = "reminder_hour", _("Reminder an hour before")
        CHANGED = "changed", _("Time or place changed")
        FOLLOW_UP = "follow_up", _("Follow-up after the event")
        MESSAGE = "message", _("Message from staff")
        CANCELLED = "cancelled", _("Event cancelled")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # A change of time or place: the calendar SEQUENCE it announces.
    sequence = models.PositiveIntegerField(null=True, blank=True)
    # A message from staff or a cancellation: what they wrote.
    message = models.ForeignKey(
        EventMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Each of these is sent at most once per booking; the link to confirm an address may
            # be asked for again (a lost email).
            models.UniqueConstraint(
                fields=["booking", "kind"],
                condition=~Q(kind__in=["confirm_address", "changed", "message"]),
                name="events_bookingemail_once_per_kind",
            ),
            # One email per booking for each change of the event's calendar entry...
            models.UniqueConstraint(
                fields=["booking", "sequence"],
                condition=Q(kind="changed"),
                name="events_bookingemail_once_per_change",
            ),
            # ...and for each message staff send.
            models.UniqueConstraint(
                fields=["booking", "message"],
                condition=Q(kind="message"),
                name="events_bookingemail_once_per_message",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to booking {self.booking_id}"


class EventSchedule(models.Model):
    """What the event's calendar entry last said (time, place), outside the page's revisions:
    when a published change alters it, its `.ics` SEQUENCE goes up (RFC 5545 §3.8.7.4)."""

    event = models.OneToOneField(
        "events.EventPage", on_delete=models.CASCADE, primary_key=True, related_name="schedule"
    )
    sequence = models.PositiveIntegerField(default=0)
    signature = models.CharField(max_length=64)
    changed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Schedule of event {self.event_id} (sequence {self.sequence})"
