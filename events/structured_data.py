"""An event page's schema.org `Event` (JSON-LD), for search engines and the programs that read
events from pages.

It says what the page says to anyone: never the joining link (an online event's location is the
event's page, where attendees find how to join). Times carry their offset in the event's own
zone. The block is written by the `json_ld` tag (`blog.templatetags.site_tags`), which escapes
it so that no title can close the element.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from wagtail.images.models import SourceImageIOError

from events.models import EventFormat, EventPage

SCHEMA = "https://schema.org/"
ATTENDANCE_MODES = {
    EventFormat.ONLINE: "OnlineEventAttendanceMode",
    EventFormat.IN_PERSON: "OfflineEventAttendanceMode",
    EventFormat.HYBRID: "MixedEventAttendanceMode",
}
# The rendition the page's og:image uses (components/meta.html): one image file for both.
SHARE_IMAGE_SPEC = "fill-1200x630|format-jpeg"


def _absolute(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url


def _moment(moment: datetime | None) -> str | None:
    """ISO 8601 to the second, with the offset of the event's zone (+10:00)."""
    return moment.isoformat(timespec="seconds") if moment else None


def _place(event: EventPage) -> dict[str, Any]:
    lines = [line.strip(" ,") for line in event.address.splitlines() if line.strip(" ,")]
    address = ", ".join(lines) or event.venue
    return {
        "@type": "Place",
        "name": event.venue or (lines[0] if lines else ""),
        "address": {"@type": "PostalAddress", "streetAddress": address},
    }


def _location(event: EventPage, *, url: str) -> dict[str, Any] | list[dict[str, Any]]:
    online = {"@type": "VirtualLocation", "url": url}  # the page, never the joining link
    if event.format == EventFormat.ONLINE:
        return online
    if event.format == EventFormat.HYBRID:
        return [_place(event), online]
    return _place(event)


def _image_url(event: EventPage) -> str:
    if event.image is None:
        return ""
    try:
        return event.image.get_rendition(SHARE_IMAGE_SPEC).full_url
    except SourceImageIOError:  # the original file is missing: the page says nothing of it
        return ""


def event_json_ld(event: EventPage, *, request: HttpRequest) -> dict[str, Any]:
    """The schema.org Event of `event`'s page (what `{% json_ld %}` writes in its head)."""
    url = _absolute(event.get_url(request) or "")
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.search_description or event.summary,
        "url": url,
        "startDate": _moment(event.local_start),
        "endDate": _moment(event.local_end),
        "eventStatus": SCHEMA + ("EventCancelled" if event.cancelled else "EventScheduled"),
        "eventAttendanceMode": SCHEMA
        + ATTENDANCE_MODES.get(event.format, ATTENDANCE_MODES[EventFormat.ONLINE]),
        "location": _location(event, url=url),
        "organizer": {
            "@type": "Organization",
            "name": settings.ORGANISATION_NAME,
            "url": settings.SITE_URL + "/",
        },
        "isAccessibleForFree": True,
        # Booking is free: the offer is a place, taken on the page.
        "offers": {"@type": "Offer", "url": url, "price": "0", "priceCurrency": "AUD"},
    }
    if event.registration_opens_at:
        data["offers"]["validFrom"] = _moment(event.local(event.registration_opens_at))
    image = _image_url(event)
    if image:
        data["image"] = [image]
    speakers = event.speaker_list
    if speakers:
        data["performer"] = [{"@type": "Person", "name": speaker.name} for speaker in speakers]
    return data
