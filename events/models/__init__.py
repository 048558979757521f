"""The events app's models (Django finds them here; each module says what it holds):

- `speakers`: the speaker snippet;
- `pages`: the events index page and the event page;
- `bookings`: bookings, the ledger of booking emails, what staff wrote to attendees, and what an
  event's calendar entry last said (for the `.ics` SEQUENCE);
- `feeds`: the key of each member's private calendar feed.

Models never import views, selectors or services.
"""

from events.models.bookings import Booking, BookingEmail, EventMessage, EventSchedule
from events.models.feeds import CalendarFeedKey
from events.models.pages import Audience, EventFormat, EventIndexPage, EventKind, EventPage
from events.models.speakers import Speaker

__all__ = [
    "Audience",
    "Booking",
    "BookingEmail",
    "CalendarFeedKey",
    "EventFormat",
    "EventIndexPage",
    "EventKind",
    "EventMessage",
    "EventPage",
    "EventSchedule",
    "Speaker",
]
