"""What the event page types ask of the view layer when Wagtail serves them: the listing's and
the event page's context, and their calendar files.

Models may not import selectors, forms or views (CONVENTIONS.md); the page types keep Wagtail's
entry points (`get_context`, their `@path` routes) and call these functions from inside them.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from events import calendars, selectors
from events.forms import BookingForm, EventFilterForm
from events.models import EventPage
from icmec.pagination import CountedPaginator, page_of

EVENTS_PER_PAGE = 10


def listing_context(request: HttpRequest, *, past: bool) -> dict[str, Any]:
    """Upcoming (or past) events, 10 a page, filtered by the query string."""
    filters = EventFilterForm(request.GET)
    chosen = filters.chosen()
    user = request.user
    paginator = CountedPaginator(
        lambda: selectors.event_list(user=user, past=past, **chosen),
        selectors.event_count(user=user, past=past, **chosen),
        EVENTS_PER_PAGE,
    )
    return {
        "events": page_of(paginator, request.GET.get("page")),
        "filters": filters,
        "past": past,
    }


def event_context(request: HttpRequest, *, event: EventPage) -> dict[str, Any]:
    """What the event page says about booking it, to this visitor (read when shown)."""
    return {
        "booking_state": SimpleLazyObject(
            lambda: selectors.booking_state(event=event, user=request.user)
        ),
        "booking_form": BookingForm(),
    }


def event_calendar(request: HttpRequest, *, event: EventPage) -> HttpResponse:
    return calendars.event_response(event=event, request=request)


def public_calendar(request: HttpRequest) -> HttpResponse:
    return calendars.public_feed_response(request)
