"""Writes of the events app, one module per job:

- `bookings`: booking, confirming and cancelling a place, the waiting list, erasure;
- `emails`: sending each booking email once (the task behind every email);
- `feeds`: the key of each member's private calendar feed;
- `purge`: the pages a frontend cache must drop when an event is published or unpublished;
- `schedules`: what an event's calendar entry says, and its SEQUENCE.
"""

from events.services.bookings import (
    BookingRefused,
    booking_cancel,
    booking_confirm,
    booking_create,
    bookings_erase_for_user,
)
from events.services.emails import booking_email_send
from events.services.feeds import calendar_feed_key_ensure, calendar_feed_key_reset
from events.services.schedules import event_schedule_record

__all__ = [
    "BookingRefused",
    "booking_cancel",
    "booking_confirm",
    "booking_create",
    "booking_email_send",
    "bookings_erase_for_user",
    "calendar_feed_key_ensure",
    "calendar_feed_key_reset",
    "event_schedule_record",
]
