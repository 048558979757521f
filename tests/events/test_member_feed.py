"""Each member's private calendar feed: its address on /portal/events/ (signed, reset by the
member), what it holds (parsed with icalendar), and who gets a 404 (an altered or reset
address, an account that is not, or no longer, an approved member, staff)."""

from datetime import timedelta
from html import unescape
from uuid import uuid4

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from events import tokens
from events.models import Audience, Booking, CalendarFeedKey
from events.services import booking_create, calendar_feed_key_ensure
from portal import services as portal_services
from tests.factories.accounts import StaffFactory
from tests.factories.portal import ApplicantFactory

pytestmark = pytest.mark.django_db


def feed_path(user) -> str:
    key = calendar_feed_key_ensure(user=user)
    return f"/portal/events/calendar/{tokens.feed_token(key=key.key)}.ics"


def vevents(response) -> dict[str, object]:
    return {str(e["SUMMARY"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def feed_block(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser").find(id="calendar-feed")


@pytest.fixture
def events(make_event, member, second_member):
    """Public and members-only events, booked in every way that matters to the feed."""
    made = {
        "public, not booked": make_event(title="Public webinar"),
        "public, booked": make_event(title="Public roundtable"),
        "members, booked": make_event(title="Members training", audience=Audience.MEMBERS),
        "members, not booked": make_event(title="Members clinic", audience=Audience.MEMBERS),
        "members, waiting": make_event(
            title="Full workshop", audience=Audience.MEMBERS, capacity=1
        ),
        "members, cancelled": make_event(title="Dropped seminar", audience=Audience.MEMBERS),
        "members, past": make_event(
            title="Last year's training",
            audience=Audience.MEMBERS,
            start_at=timezone.now() - timedelta(days=30),
            end_at=timezone.now() - timedelta(days=30, hours=-2),
        ),
    }
    for name in ("public, booked", "members, booked", "members, cancelled"):
        booking_create(event_id=made[name].pk, user=member)
    booking_create(event_id=made["members, waiting"].pk, user=second_member)
    booking_create(event_id=made["members, waiting"].pk, user=member)
    # Someone else's place at a public event gives this member no joining link.
    booking_create(event_id=made["public, not booked"].pk, user=second_member)
    Booking.objects.filter(event=made["members, cancelled"]).update(status="cancelled")
    # Booked while it was to come.
    Booking.objects.create(
        event=made["members, past"], user=member, name="A", email=member.email, status="attended"
    )
    return made


def test_the_feed_holds_public_events_and_the_members_only_events_booked(client, member, events):
    response = client.get(feed_path(member))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    assert not response.cookies
    found = vevents(response)
    assert set(found) == {
        "Public webinar",
        "Public roundtable",
        "Members training",
        "Full workshop",
    }
    link = "https://meet.example.org/secret-room"
    # The joining link only where the member's own booking holds a place (as in their .ics).
    with_link = {title for title, vevent in found.items() if link in vevent.to_ical().decode()}
    assert with_link == {"Public roundtable", "Members training"}
    assert str(found["Members training"]["LOCATION"]) == link
    assert str(found["Full workshop"]["LOCATION"]) == "Online"
    # The same UIDs as the event's own files, so calendars update one entry.
    training = events["members, booked"]
    assert str(found["Members training"]["UID"]) == f"event-{training.pk}@testserver"


def test_a_logged_in_browser_gets_the_feed_without_cookies_or_a_shared_copy(
    member_client, member, events
):
    response = member_client.get(feed_path(member))

    assert response.status_code == 200
    assert not response.cookies
    assert response["Cache-Control"] == "private, no-store"
    assert "Members training" in vevents(response)


def test_the_members_events_page_shows_the_feed_and_resets_it(member_client, member, events):
    page = member_client.get("/portal/events/")
    block = feed_block(page)
    field = block.find("input", id="calendar-feed-url")
    url = field["value"]
    webcal = block.find("a", href=lambda href: href and href.startswith("webcal://"))

    assert field.has_attr("readonly")
    assert block.find("label", attrs={"for": "calendar-feed-url"})
    assert url.startswith("http://testserver/portal/events/calendar/")
    assert url.endswith(".ics")
    assert webcal["href"] == "webcal://" + url.removeprefix("http://")
    assert member_client.get(url).status_code == 200
    # The page shows the same address every time until it is reset.
    assert feed_block(member_client.get("/portal/events/")).find("input")["value"] == url

    reset = member_client.post("/portal/events/calendar/reset/")
    assert reset.status_code == 302
    assert reset["Location"] == "/portal/events/#calendar-feed"
    after = member_client.get("/portal/events/")
    new_url = feed_block(after).find("input")["value"]

    assert "old address no longer works" in unescape(after.content.decode())
    assert new_url != url
    assert member_client.get(url).status_code == 404
    assert Client().get(url).status_code == 404
    assert Client().get(new_url).status_code == 200
    assert CalendarFeedKey.objects.filter(user=member).count() == 1


def test_resetting_needs_a_post_with_the_csrf_token(member, events):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    url = feed_path(member)

    assert browser.get("/portal/events/calendar/reset/").status_code == 405
    assert browser.post("/portal/events/calendar/reset/").status_code == 403
    assert browser.get(url).status_code == 200
    assert Client().post("/portal/events/calendar/reset/").status_code == 302  # to log in
    assert browser.get(url).status_code == 200


def test_an_altered_or_unknown_address_answers_404(client, member, events):
    good = tokens.feed_token(key=calendar_feed_key_ensure(user=member).key)
    value, signature = good.split(":")
    unknown_key = tokens.feed_token(key=uuid4())  # signed by the site, but names no key
    other_salt = tokens.booking_token(booking_uuid=calendar_feed_key_ensure(user=member).key)

    for token in [
        f"{value}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        f"{value[:-1]}{'0' if value[-1] != '0' else '1'}:{signature}",
        value,
        unknown_key,
        other_salt,
        "x" * 500,
        "%00",
    ]:
        response = client.get(f"/portal/events/calendar/{token}.ics")
        assert response.status_code == 404, token
        assert b"BEGIN:VCALENDAR" not in response.content
    assert client.get(f"/portal/events/calendar/{good}.ics").status_code == 200


def test_a_suspended_or_deactivated_member_loses_the_feed(client, member, events):
    url = feed_path(member)
    assert client.get(url).status_code == 200
    reviewer = StaffFactory(reviewer=True, email="rhea@example.org")

    portal_services.membership_decide(
        membership_id=member.membership.pk, action="suspend", decided_by=reviewer, note="x"
    )
    assert client.get(url).status_code == 404

    portal_services.membership_decide(
        membership_id=member.membership.pk, action="reinstate", decided_by=reviewer
    )
    assert client.get(url).status_code == 200
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert client.get(url).status_code == 404


def test_accounts_that_are_not_approved_members_have_no_feed(client, events, staff_client, staff):
    applicant = ApplicantFactory(email="applicant@example.org")
    CalendarFeedKey.objects.create(user=applicant)  # however a key came to exist
    CalendarFeedKey.objects.create(user=staff)

    for user in (applicant, staff):
        key = CalendarFeedKey.objects.get(user=user).key
        assert (
            client.get(f"/portal/events/calendar/{tokens.feed_token(key=key)}.ics").status_code
            == 404
        )
    # Staff see members' events only from a session past its second factor: a feed's address
    # carries none, so their events page offers no feed (and no reset).
    page = staff_client.get("/portal/events/")
    assert page.status_code == 200
    assert feed_block(page) is None
    assert staff_client.post("/portal/events/calendar/reset/").status_code == 404
