"""Reads of the events app. Never writes.

Who may see a members-only event is the blog's one rule (`blog.selectors.visitor_is_member`,
the rule of members-only posts): every list, page and feed of events goes through
`visible_events`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from blog.selectors import card_renditions, public_pages, visitor_is_member
from events import rules
from events.models import (
    Audience,
    Booking,
    CalendarFeedKey,
    EventIndexPage,
    EventMessage,
    EventPage,
)
from portal.access import can_open_admin

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from portal.models import User

    Visitor = User | AnonymousUser | None

# The columns an event card shows (events/includes/event_card.html); listings read only these.
CARD_FIELDS = (
    "title",
    "url_path",
    "summary",
    "start_at",
    "end_at",
    "time_zone",
    "kind",
    "format",
    "venue",
    "audience",
    "capacity",
    "cancelled",
    "image",
)


def visible_events(*, user: Visitor) -> QuerySet[EventPage]:
    """Live events anyone may open, without the members-only ones unless the visitor is an
    approved member (or staff)."""
    events = public_pages(EventPage.objects.all())
    return events if visitor_is_member(user) else events.filter(audience=Audience.PUBLIC)


def _places_taken() -> Coalesce:
    seated = (
        Booking.objects.filter(event=OuterRef("pk"), status__in=Booking.SEATED)
        .order_by()
        .values("event")
        .annotate(taken=Count("id"))
        .values("taken")
    )
    return Coalesce(Subquery(seated, output_field=IntegerField()), Value(0))


# The listing's filters (events.forms.EventFilterForm.chosen): field name -> chosen value.
FILTER_FIELDS = ("kind", "format", "audience")


def _filtered_events(*, user: Visitor, past: bool, filters: dict[str, str]) -> QuerySet[EventPage]:
    now = timezone.now()
    events = visible_events(user=user)
    events = events.filter(end_at__lte=now) if past else events.filter(end_at__gt=now)
    chosen = {name: value for name, value in filters.items() if name in FILTER_FIELDS and value}
    return events.filter(**chosen)


def _with_card_data(events: QuerySet[EventPage]) -> QuerySet[EventPage]:
    """What an event card shows: the event (without its body), its image and the image's card
    renditions, the places taken. Two queries whatever the number of events and bookings (one
    when no event has an image)."""
    return (
        events.only(*CARD_FIELDS)
        .select_related("image")
        .prefetch_related(card_renditions("image"))
        .annotate(places_taken=_places_taken())
    )


def event_list(*, user: Visitor, past: bool = False, **filters: str) -> QuerySet[EventPage]:
    """Upcoming events soonest first (those under way included), or past events newest first,
    with what a card shows (`_with_card_data`). `filters`: kind, format, audience (others are
    ignored)."""
    events = _filtered_events(user=user, past=past, filters=filters)
    ordering = ("-start_at", "-pk") if past else ("start_at", "pk")
    return _with_card_data(events).order_by(*ordering)


def next_events(*, user: Visitor, limit: int = 3) -> list[EventPage]:
    """The next events to start that the visitor may see, soonest first, with what a card shows
    (the home page's). Not those under way or cancelled: the list says what one can still go
    to."""
    events = visible_events(user=user).filter(start_at__gt=timezone.now(), cancelled=False)
    return list(_with_card_data(events).order_by("start_at", "pk")[:limit])


def events_index() -> EventIndexPage | None:
    """The live events index page (the address of "all events")."""
    return public_pages(EventIndexPage.objects.all()).only("url_path", "title").first()


def event_count(*, user: Visitor, past: bool = False, **filters: str) -> int:
    return _filtered_events(user=user, past=past, filters=filters).count()


def upcoming_public_events(*, limit: int = 200) -> QuerySet[EventPage]:
    """What the public calendar feed holds: upcoming events anyone may book (never a
    members-only one, whoever asks)."""
    return (
        _filtered_events(user=None, past=False, filters={})
        .select_related("schedule")
        .defer("body")
        .order_by("start_at", "pk")[:limit]
    )


def places_taken(*, event: EventPage) -> int:
    return Booking.objects.filter(event=event, status__in=Booking.SEATED).count()


def waiting_position(*, booking: Booking) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    if booking.status != Booking.Status.WAITING:
        return None
    ahead = Booking.objects.filter(
        event_id=booking.event_id, status=Booking.Status.WAITING, created_at__lt=booking.created_at
    ).count()
    same_time = Booking.objects.filter(
        event_id=booking.event_id,
        status=Booking.Status.WAITING,
        created_at=booking.created_at,
        pk__lt=booking.pk,
    ).count()
    return ahead + same_time + 1


@dataclass(frozen=True)
class BookingState:
    """What an event page says about booking it, to this visitor."""

    refusal: str | None  # why nobody can book now (BookingRefused's reasons), else None
    places_left: int | None  # None: no limit
    booking: Booking | None  # the visitor's own active booking (members)
    is_member: bool
    waiting_position: int | None

    @property
    def is_open(self) -> bool:
        return self.refusal is None

    @property
    def is_full(self) -> bool:
        return self.places_left == 0


def booking_state(*, event: EventPage, user: Visitor) -> BookingState:
    is_member = visitor_is_member(user)
    booking = None
    user_id = getattr(user, "pk", None)
    if is_member and user_id is not None:
        booking = (
            Booking.objects.filter(event=event, user_id=user_id)
            .exclude(status=Booking.Status.CANCELLED)
            .first()
        )
    places_left = None
    if event.capacity is not None:
        places_left = max(event.capacity - places_taken(event=event), 0)
    return BookingState(
        refusal=rules.registration_refusal(event),
        places_left=places_left,
        booking=booking,
        is_member=is_member,
        waiting_position=waiting_position(booking=booking) if booking else None,
    )


def member_bookings(*, user: User, past: bool = False) -> QuerySet[Booking]:
    """The member's own bookings: of events to come (the soonest first), or of past events
    (the latest first)."""
    now = timezone.now()
    bookings = Booking.objects.filter(user=user).select_related("event").defer("event__body")
    if past:
        return bookings.filter(event__end_at__lte=now).order_by("-event__start_at", "-pk")
    return bookings.filter(event__end_at__gt=now).order_by("event__start_at", "pk")


def booking_by_uuid(*, booking_uuid: Any) -> Booking | None:
    return Booking.objects.select_related("event").filter(uuid=booking_uuid).first()


def bookings_of_person(*, user: User) -> QuerySet[Booking]:
    """The account's bookings and those made with its address (for the data export)."""
    from django.db.models import Q

    return (
        Booking.objects.filter(Q(user=user) | Q(email__iexact=user.email))
        .select_related("event")
        .order_by("created_at", "pk")
    )


# --- What staff see of an event (events.admin_views) ---

# The statuses staff filter an event's bookings by, in the order the admin lists them.
STAFF_STATUSES = (
    Booking.Status.CONFIRMED,
    Booking.Status.ATTENDED,
    Booking.Status.WAITING,
    Booking.Status.PENDING,
    Booking.Status.CANCELLED,
)


def booking_counts(*, event: EventPage) -> dict[str, int]:
    """How many of the event's bookings are in each status (every status named, 0 or more):
    one query, whatever the number of bookings."""
    counts: dict[str, int] = {str(status): 0 for status in STAFF_STATUSES}
    rows = (
        Booking.objects.filter(event=event)
        .order_by()
        .values_list("status")
        .annotate(count=Count("id"))
    )
    counts.update(dict(rows))
    return counts


def attendance_list(*, event: EventPage) -> QuerySet[Booking]:
    """Everyone holding a place (confirmed or attended), by name: whom staff tick on the day."""
    return (
        Booking.objects.filter(event=event, status__in=Booking.SEATED)
        .only("pk", "name", "email", "status", "event_id")
        .order_by("name", "pk")
    )


def staff_messages(*, event: EventPage, limit: int = 20) -> QuerySet[EventMessage]:
    """What staff wrote to the event's attendees (its cancellation too), the latest first."""
    return EventMessage.objects.filter(event=event).select_related("sent_by")[:limit]


def calendar_feed_allowed(user: Visitor) -> bool:
    """Whether the account has a private calendar feed: approved members (the blog's one rule).

    Not accounts that can open the admin: they see what members see only from a session that
    passed the second factor, and a feed's address carries no session."""
    return user is not None and visitor_is_member(user) and not can_open_admin(user)


def calendar_feed_owner(*, key: uuid.UUID) -> User | None:
    """The account whose feed key this is (None once the link was reset)."""
    row = CalendarFeedKey.objects.select_related("user").filter(key=key).first()
    return row.user if row is not None else None


def member_feed_events(*, user: User, limit: int = 200) -> QuerySet[EventPage]:
    """What a member's private feed holds: upcoming public events, and the members-only events
    the member booked (waiting list included), soonest first; each carries `own_bookings`, the
    member's active booking of it (none, or one)."""
    own = Booking.objects.filter(user=user).exclude(status=Booking.Status.CANCELLED)
    return (
        _filtered_events(user=user, past=False, filters={})
        .filter(Q(audience=Audience.PUBLIC) | Q(pk__in=own.values("event_id")))
        .select_related("schedule")
        .defer("body")
        .prefetch_related(Prefetch("bookings", queryset=own, to_attr="own_bookings"))
        .order_by("start_at", "pk")[:limit]
    )
