"""The events' demo content: idempotent, and what the brief of the demo asks for (a public
webinar, a members-only training with few places and a waiting list, an in-person roundtable, two
past events), with times in each event's own zone."""

import io
import zoneinfo

import pytest
from django.core import mail
from django.core.management.base import OutputWrapper
from django.core.management.color import no_style
from django.utils import timezone

from events import demo
from events.models import Booking, EventIndexPage, EventPage, Speaker

pytestmark = pytest.mark.django_db


def _load():
    out = io.StringIO()
    demo.load(stdout=OutputWrapper(out), style=no_style())
    return out.getvalue()


def test_loading_twice_changes_nothing(home):
    first = _load()
    counts = (EventIndexPage.objects.count(), EventPage.objects.count(), Speaker.objects.count())
    second = _load()

    assert "created 5 events" in first
    assert "already in place" in second
    assert counts == (1, 5, 3)
    assert (
        EventIndexPage.objects.count(),
        EventPage.objects.count(),
        Speaker.objects.count(),
    ) == counts
    assert not Booking.objects.exists()
    assert mail.outbox == []


def test_the_demo_has_each_kind_of_event_the_site_offers(home):
    _load()
    now = timezone.now()
    events = EventPage.objects.live().order_by("start_at")
    upcoming = [event for event in events if event.start_at > now]
    past = [event for event in events if event.end_at < now]

    assert len(upcoming) == 3
    assert len(past) == 2
    assert {event.kind for event in upcoming} == {"webinar", "training", "roundtable"}
    training = next(event for event in upcoming if event.kind == "training")
    assert training.audience == "members"
    assert training.capacity == 2
    assert training.waiting_list
    roundtable = next(event for event in upcoming if event.kind == "roundtable")
    assert roundtable.format == "in_person"
    assert roundtable.venue
    assert roundtable.address
    # Entered as the event's local time: 14:00 in Brisbane, whatever the server's zone.
    local = roundtable.start_at.astimezone(zoneinfo.ZoneInfo(roundtable.time_zone))
    assert (local.hour, local.minute) == (14, 0)


def test_the_events_index_is_in_the_menu_and_lists_the_public_events(home, client):
    _load()
    index = EventIndexPage.objects.get()
    assert index.show_in_menus
    html = client.get(index.url).content.decode()
    assert "Spotting the payment red flags" in html
    assert "Roundtable: sharing data" in html
    assert "tracing cryptocurrency" not in html  # members only
