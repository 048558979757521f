"""What the event page types ask of the view layer when Wagtail serves them: the listing's and
the event page's context (with its schema.org data), and their calendar files; and what events
add to the blog's pages (`blog.extensions`): the home page's next events.

Models may not import selectors, forms or views (CONVENTIONS.md); the page types keep Wagtail's
entry points (`get_context`, their `@path` routes) and call these functions from inside them.
"""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from events import calendars, selectors, structured_data
from events.forms import BookingForm, EventFilterForm
from events.models import EventPage
from icmec.pagination import CountedPaginator, page_of

EVENTS_PER_PAGE = 10
HOME_EVENTS = 3
# The home page's events are rendered again at least this often (seconds): an event leaves the
# list once it starts, and nothing is published then to say so.
HOME_EVENTS_REFRESH = 5 * 60


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
        # A function: the template calls it only when the page's head is not in the cache.
        "structured_data": lambda: structured_data.event_json_ld(event, request=request),
    }


def home_events_context(request: HttpRequest) -> dict[str, Any]:
    """The home page's section of events: the next three the visitor may see."""
    user = request.user
    return {
        "events": SimpleLazyObject(lambda: selectors.next_events(user=user, limit=HOME_EVENTS)),
        "events_index": SimpleLazyObject(selectors.events_index),
    }


def home_events_cache_variant() -> str:
    """Changes every HOME_EVENTS_REFRESH seconds: the cached section is rendered again, without
    the events that started meanwhile."""
    return str(int(time.time()) // HOME_EVENTS_REFRESH)


def event_calendar(request: HttpRequest, *, event: EventPage) -> HttpResponse:
    return calendars.event_response(event=event, request=request)


def public_calendar(request: HttpRequest) -> HttpResponse:
    return calendars.public_feed_response(request)
