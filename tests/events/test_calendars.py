"""The .ics files, parsed with the icalendar package: UID, SEQUENCE, time zones, URL, and the
joining link only in an attendee's own file."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from events import tokens
from events.models import Audience, EventSchedule
from events.services import booking_create, event_cancel

PERTH = ZoneInfo("Australia/Perth")


def parse(content: bytes) -> list:
    return list(Calendar.from_ical(content).walk("VEVENT"))


def publish(event, **changes):
    for name, value in changes.items():
        setattr(event, name, value)
    event.save_revision().publish()
    event.refresh_from_db()
    return event


def test_an_events_file_names_its_zone_uid_and_url(client, make_event):
    start = datetime(2030, 3, 4, 9, 30, tzinfo=PERTH)
    event = make_event(
        start_at=start, end_at=start + timedelta(hours=2), time_zone="Australia/Perth"
    )
    response = client.get(f"{event.url}calendar/")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["DTSTART"].params["TZID"] == "Australia/Perth"
    assert vevent.decoded("DTSTART") == start
    assert vevent.decoded("DTEND") == start + timedelta(hours=2)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Australia/Perth"]
    assert str(vevent["UID"]) == f"event-{event.pk}@testserver"
    assert str(vevent["URL"]) == event.get_full_url()  # the Wagtail site's address
    assert event.joining_link not in response.content.decode()


def test_the_uid_stays_and_the_sequence_rises_when_time_or_place_changes(client, make_event):
    event = publish(make_event())

    def vevent():
        return parse(client.get(f"{event.url}calendar/").content)[0]

    first = vevent()
    assert int(first["SEQUENCE"]) == 0
    publish(event, title="A new title", summary="Reworded.")
    assert int(vevent()["SEQUENCE"]) == 0  # not a change of time or place
    publish(
        event,
        start_at=event.start_at + timedelta(hours=1),
        end_at=event.end_at + timedelta(hours=1),
    )
    moved = vevent()
    assert int(moved["SEQUENCE"]) == 1
    assert moved["UID"] == first["UID"]
    publish(event, venue="Level 3, 1 Example St", format="hybrid")
    assert int(vevent()["SEQUENCE"]) == 2
    # An older revision published again moves the event again: the sequence still rises.
    event.revisions.order_by("created_at").first().publish()
    assert int(vevent()["SEQUENCE"]) == 3
    assert EventSchedule.objects.get(event=event).sequence == 3


def test_the_joining_link_is_only_in_a_confirmed_attendees_own_file(client, make_event, member):
    event = make_event(capacity=1)
    booking = booking_create(event_id=event.pk, user=member)
    url = f"/events/bookings/{tokens.booking_token(booking_uuid=booking.uuid)}/calendar/"
    (vevent,) = parse(client.get(url).content)
    assert event.joining_link in str(vevent["DESCRIPTION"])
    assert str(vevent["LOCATION"]) == event.joining_link
    waiting = booking_create(event_id=event.pk, name="Jo", email="jo@example.org")
    url = f"/events/bookings/{tokens.booking_token(booking_uuid=waiting.uuid)}/calendar/"
    assert event.joining_link not in client.get(url).content.decode()


def test_the_public_feed_holds_upcoming_public_events_only(client, make_event):
    make_event(title="Public webinar")
    make_event(title="Members training", audience=Audience.MEMBERS)
    make_event(
        title="Past roundtable",
        start_at=datetime(2020, 1, 1, tzinfo=PERTH),
        end_at=datetime(2020, 1, 1, 2, tzinfo=PERTH),
    )
    response = client.get("/events/calendar/")
    assert [str(e["SUMMARY"]) for e in parse(response.content)] == ["Public webinar"]
    assert "https://meet.example.org" not in response.content.decode()


def test_a_cancelled_event_says_so_in_its_file(client, make_event):
    event = publish(make_event())
    event_cancel(event_id=event.pk, note="", user=None)
    (vevent,) = parse(client.get(f"{event.url}calendar/").content)
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert int(vevent["SEQUENCE"]) == 1
