"""The events pages in headless Chromium: axe-core finds no WCAG A/AA or best-practice
violation at 320 and 1280 px and no page scrolls sideways (the site's own accessibility rules,
tests/e2e/test_accessibility.py), and a member's journey: the last place booked, a second
member on the waiting list, the first cancels, the second is promoted and emailed. Staff cancel
an event from its screen in the admin (accessible too), and its page says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.text import slugify
from playwright.sync_api import expect

from events import tokens
from events.models import Audience, Booking
from events.services import booking_create
from tests.e2e.helpers import PHONE, assert_accessible, checked_context, log_in, screenshots
from tests.events.factories import EventIndexPageFactory, EventPageFactory, SpeakerFactory
from tests.factories.accounts import StaffFactory
from tests.factories.portal import MemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def make_event(home):
    """Create a live event under a new events index: make_event(capacity=..., audience=...)."""
    index = EventIndexPageFactory(parent=home)
    return lambda **kwargs: EventPageFactory(parent=index, **kwargs)


def browser_of(browser, live_server, user=None):
    """A browser context on the live server, logged in as `user` (through the login form; staff
    with their authenticator's code),
    with axe-core loaded in every page and requests to other hosts refused."""
    context, foreign = checked_context(browser, live_server.url, viewport=PHONE)
    if user is not None:
        page = context.new_page()
        log_in(page, live_server.url, user.email, totp_secret=getattr(user, "totp_secret", None))
        page.close()
    return context, foreign


def test_every_events_page_is_accessible(browser, live_server, make_event):
    event = make_event(
        title="Following the money", capacity=20, speakers=[SpeakerFactory(name="Dana Lee")]
    )
    make_event(
        title="Last year's roundtable",
        start_at=timezone.now() - timedelta(days=30),
        end_at=timezone.now() - timedelta(days=30, hours=-2),
    )
    members_event = make_event(title="Analyst training", audience=Audience.MEMBERS, capacity=1)
    member = MemberFactory(email="amelia@example.org", first_name="Amelia", last_name="Chen")
    public = booking_create(event_id=event.pk, name="Jo Reader", email="jo@example.org")
    booking_create(event_id=members_event.pk, user=member)
    token = tokens.booking_token(booking_uuid=public.uuid)
    confirm = tokens.confirmation_token(booking_uuid=public.uuid)

    anonymous, foreign = browser_of(browser, live_server)
    page = anonymous.new_page()
    csp_reports = []
    page.on(
        "console",
        lambda message: (
            csp_reports.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path in [
        "/",  # with the next events
        "/events/",
        "/events/?kind=webinar&format=online",
        "/events/past/",
        event.url,
        "/events/bookings/check-inbox/",
        f"/events/bookings/{confirm}/confirm/",
        f"/events/bookings/{token}/",
        f"/events/bookings/{token}/cancel/",
        "/events/bookings/not-a-token/",
    ]:
        page.goto(live_server.url + path)
        assert_accessible(page)
        screenshots(page, f"events-anonymous-{slugify(path)[:30] or 'home'}", full_page=True)
    # The event page's schema.org data is read by the browser as data, and the CSP (no inline
    # script) has nothing to say about it.
    page.goto(live_server.url + event.url)
    structured = page.evaluate(
        "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)"
    )
    assert structured["name"] == "Following the money"
    assert structured["@type"] == "Event"
    assert csp_reports == []
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Following the money")).to_be_visible()
    expect(page.get_by_text("Analyst training")).to_have_count(0)
    # The booking form sent with an error comes back with it beside the field.
    page.goto(live_server.url + event.url)
    page.fill("#booking-name", "Jo")
    page.fill("#booking-email", "jo@example")
    page.click(".booking-form button[type=submit]")
    expect(page.locator("#booking-email-error")).to_be_visible()
    assert_accessible(page)

    logged_in, foreign_too = browser_of(browser, live_server, member)
    page = logged_in.new_page()
    for path in ["/", "/events/", members_event.url, "/portal/events/"]:
        page.goto(live_server.url + path)
        assert_accessible(page)
        screenshots(page, f"events-member-{slugify(path)[:30] or 'home'}", full_page=True)
    # The member's private calendar feed, on their events page (checked above at both widths).
    expect(page.locator("#calendar-feed-url")).to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name="Reset the link")).to_be_visible()
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="Analyst training")).to_be_visible()
    assert foreign == foreign_too == []


def test_the_last_place_then_the_waiting_list_then_a_promotion(
    browser,
    live_server,
    make_event,
):
    event = make_event(title="Small training", audience=Audience.MEMBERS, capacity=1)
    first = MemberFactory(email="first@example.org", first_name="Ana", last_name="First")
    second = MemberFactory(email="second@example.org", first_name="Ben", last_name="Second")
    first_context, _ = browser_of(browser, live_server, first)
    second_context, _ = browser_of(browser, live_server, second)

    first_page = first_context.new_page()
    first_page.goto(live_server.url + event.url)
    expect(first_page.get_by_text("1 place left.")).to_be_visible()
    first_page.get_by_role("button", name="Book my place").click()
    expect(first_page.get_by_text("Your place is booked.").first).to_be_visible()

    second_page = second_context.new_page()
    second_page.goto(live_server.url + event.url)
    second_page.get_by_role("button", name="Join the waiting list").click()
    expect(second_page.get_by_text("waiting list (place 1)")).to_be_visible()

    first_page.goto(live_server.url + "/portal/events/")
    first_page.get_by_role("button", name="Cancel my booking for Small training").click()
    expect(first_page.get_by_text("Your booking for Small training is cancelled.")).to_be_visible()

    second_page.goto(live_server.url + "/portal/events/")
    expect(second_page.get_by_text("Confirmed")).to_be_visible()
    assert Booking.objects.get(user=second).status == Booking.Status.CONFIRMED
    promoted = [m for m in mail.outbox if m.subject == "A place is yours: Small training"]
    assert [m.to for m in promoted] == [["second@example.org"]]


def test_staff_cancel_an_event_from_its_accessible_screen_and_its_page_says_so(
    browser, live_server, make_event
):
    from django.contrib.auth.models import Permission

    event = make_event(title="Webinar to cancel", capacity=10)
    member = MemberFactory(email="amelia@example.org", first_name="Amelia", last_name="Chen")
    booking_create(event_id=event.pk, user=member)
    organiser = StaffFactory(moderator=True, mfa=True, email="organiser@example.org")
    organiser.user_permissions.add(
        *Permission.objects.filter(codename__in=["manage_bookings", "view_booking"])
    )
    mail.outbox.clear()
    staff_context, foreign = browser_of(browser, live_server, organiser)
    page = staff_context.new_page()

    page.goto(f"{live_server.url}/admin/events/{event.pk}/message/")
    assert_accessible(page)
    screenshots(page, "events-staff-message", full_page=True)
    page.goto(f"{live_server.url}/admin/events/{event.pk}/")
    expect(page.locator('[data-count="confirmed"]')).to_have_text("1")
    assert_accessible(page)
    screenshots(page, "events-staff-event", full_page=True)
    page.get_by_role("link", name="Cancel the event…").click()
    assert_accessible(page)
    screenshots(page, "events-staff-cancel", full_page=True)
    page.get_by_label("Note to the attendees").fill("The speaker is ill.")
    page.get_by_label("Cancel this event, every booking of it").check()
    page.get_by_role("button", name="Cancel the event").click()
    expect(page.get_by_text("The event is cancelled; 1 person who booked")).to_be_visible()

    reader, _ = browser_of(browser, live_server)
    public = reader.new_page()
    public.goto(live_server.url + event.url)
    expect(public.get_by_text("This event has been cancelled.").first).to_be_visible()
    expect(public.get_by_role("button", name="Book my place")).to_have_count(0)
    screenshots(public, "events-cancelled-page", full_page=True)
    assert Booking.objects.get().status == Booking.Status.CANCELLED
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["amelia@example.org"], "Cancelled: Webinar to cancel")
    ]
    assert foreign == []
