"""Calendar files (RFC 5545, written with the `icalendar` package): an event's "Add to
calendar" file, the attendee's own file, the public feed of upcoming public events, and each
member's private feed (public events and the members-only events they booked). The joining link
is only ever in an attendee's own file and in their private feed, for the events where they
hold a place.

An event keeps one UID for ever (its page's id), so calendar programs update the entry they
imported instead of adding a second one; its SEQUENCE goes up when its time or place changes
(`events.services.schedules`). Times are written in the event's own zone (TZID), with the
VTIMEZONE that defines it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from icalendar import Calendar, Event

from events.models import Booking, EventFormat, EventPage, EventSchedule
from icmec.caching.http import mark_public

if TYPE_CHECKING:
    from portal.models import User

PRODUCT_ID = "-//ICMEC Australia//Events//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def event_uid(event: EventPage) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"event-{event.pk}@{host}"


def event_sequence(event: EventPage) -> int:
    try:
        return event.schedule.sequence
    except EventSchedule.DoesNotExist:  # never published since the schedule was recorded
        return 0


def _location(event: EventPage, *, joining_link: str) -> str:
    place = ", ".join(part for part in (event.venue, " ".join(event.address.split())) if part)
    if event.format == EventFormat.ONLINE:
        return joining_link or "Online"
    if event.format == EventFormat.HYBRID:
        return f"{place} / {joining_link or 'online'}" if place else (joining_link or "Online")
    return place


def event_component(event: EventPage, *, url: str, booking: Booking | None = None) -> Event:
    """The VEVENT of `event`; with the joining link only when `booking` holds a place."""
    joining_link = event.joining_link if booking is not None and booking.has_place else ""
    component = Event()
    component.add("uid", event_uid(event))
    component.add("sequence", event_sequence(event))
    component.add("dtstamp", timezone.now())
    component.add("dtstart", event.local_start)
    component.add("dtend", event.local_end)
    component.add("summary", event.title)
    description = [event.summary, url]
    if joining_link:
        description.append(f"Join online: {joining_link}")
    component.add("description", "\n\n".join(part for part in description if part))
    component.add("url", url)
    location = _location(event, joining_link=joining_link)
    if location:
        component.add("location", location)
    component.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    return component


def calendar_of(components: Iterable[Event], *, name: str = "") -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    for component in components:
        calendar.add_component(component)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _response(body: bytes, *, filename: str, attachment: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def event_response(*, event: EventPage, request: HttpRequest) -> HttpResponse:
    """The event's public "Add to calendar" file (no joining link)."""
    body = calendar_of([event_component(event, url=event.get_full_url(request))])
    response = _response(body, filename=f"{event.slug}.ics", attachment=True)
    return response if event.members_only else mark_public(response)


def attendee_calendar(*, booking: Booking) -> bytes:
    """The attendee's own file: the joining link in it once the place is confirmed."""
    event = booking.event
    return calendar_of([event_component(event, url=event.get_full_url(), booking=booking)])


def public_feed_response(request: HttpRequest) -> HttpResponse:
    """The subscribable feed of upcoming public events (never a members-only one)."""
    from events import selectors

    components = [
        event_component(event, url=event.get_full_url(request))
        for event in selectors.upcoming_public_events()
    ]
    body = calendar_of(components, name=f"{settings.WAGTAIL_SITE_NAME} events")
    return mark_public(_response(body, filename="events.ics", attachment=False))


def member_feed_response(request: HttpRequest, *, user: User) -> HttpResponse:
    """A member's private feed: upcoming public events and the members-only events they booked,
    with the joining link of those where their own booking holds a place (as in their own
    `.ics`). Kept by nobody but the member's calendar program (`private, no-store`)."""
    from events import selectors

    components = [
        event_component(
            event,
            url=event.get_full_url(request),
            booking=event.own_bookings[0] if event.own_bookings else None,
        )
        for event in selectors.member_feed_events(user=user)
    ]
    body = calendar_of(components, name=f"{settings.WAGTAIL_SITE_NAME} events (my calendar)")
    response = _response(body, filename="my-events.ics", attachment=False)
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
