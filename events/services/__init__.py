"""Writes of the events app, one module per job:

- `bookings`: booking, confirming and cancelling a place, the waiting list, erasure;
- `ledger`: asking for an email about a booking (a row of the ledger, its task queued);
- `emails`: sending each booking email once (the task behind every email);
- `schedules`: what an event's calendar entry says, its SEQUENCE, the change-of-time emails;
- `staff`: what staff do from the admin (registration, attendance, messages, cancelling);
- `lifecycle`: the reminders before an event and the follow-up after it (run by beat);
- `feeds`: the key of each member's private calendar feed;
- `purge`: the pages a frontend cache must drop when an event is published or unpublished.
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
from events.services.lifecycle import follow_ups_queue, reminders_queue
from events.services.schedules import event_schedule_record
from events.services.staff import (
    StaffActionRefused,
    attendance_mark,
    event_cancel,
    event_message_send,
    event_registration_set,
)

__all__ = [
    "BookingRefused",
    "StaffActionRefused",
    "attendance_mark",
    "booking_cancel",
    "booking_confirm",
    "booking_create",
    "booking_email_send",
    "bookings_erase_for_user",
    "event_cancel",
    "event_message_send",
    "event_registration_set",
    "calendar_feed_key_ensure",
    "calendar_feed_key_reset",
    "event_schedule_record",
    "follow_ups_queue",
    "reminders_queue",
]
