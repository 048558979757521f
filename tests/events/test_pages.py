"""The events pages: listings (order, filters, members-only events, query counts), the event
page, the booking form and the signed links, a member's bookings."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.services import content_version_bump
from events import tokens
from events.models import Audience, Booking, EventFormat, EventKind
from events.services import booking_create
from tests.events.factories import EventPageFactory, SpeakerFactory
from tests.factories.blog import SiteImageFactory

Status = Booking.Status


def soon(days: float) -> timezone.datetime:
    return timezone.now() + timedelta(days=days)


def titles(response) -> list[str]:
    return [event.title for event in response.context["events"]]


def test_upcoming_soonest_first_and_past_newest_first(client, make_event):
    make_event(title="Later", start_at=soon(20), end_at=soon(20.1))
    make_event(title="Sooner", start_at=soon(2), end_at=soon(2.1))
    make_event(title="Long ago", start_at=soon(-60), end_at=soon(-59.9))
    make_event(title="Last week", start_at=soon(-7), end_at=soon(-6.9))
    assert titles(client.get("/events/")) == ["Sooner", "Later"]
    assert titles(client.get("/events/past/")) == ["Last week", "Long ago"]


def test_filters_work_as_query_parameters_and_ignore_nonsense(client, make_event):
    make_event(title="Webinar", kind=EventKind.WEBINAR)
    make_event(
        title="Roundtable", kind=EventKind.ROUNDTABLE, format=EventFormat.IN_PERSON, venue="Hall"
    )
    assert titles(client.get("/events/?kind=roundtable")) == ["Roundtable"]
    assert titles(client.get("/events/?format=online")) == ["Webinar"]
    assert len(titles(client.get("/events/?kind=<script>&format=&audience=x"))) == 2


def test_members_only_events_are_listed_to_approved_members_only(client, make_event, member):
    make_event(title="Public")
    make_event(title="Training", audience=Audience.MEMBERS)
    assert titles(client.get("/events/")) == ["Public"]
    assert b"calendar" in client.get("/events/calendar/").content.lower()
    assert b"Training" not in client.get("/events/calendar/").content
    assert titles(client.get("/events/?audience=members")) == []
    client.force_login(member)
    assert titles(client.get("/events/")) == ["Public", "Training"]
    # The public calendar feed holds public events only, whoever asks.
    assert b"Training" not in client.get("/events/calendar/").content


def test_listing_pages_ten_at_a_time(client, make_event):
    for n in range(12):
        make_event(title=f"Event {n:02}", start_at=soon(n + 1), end_at=soon(n + 1.1))
    assert len(titles(client.get("/events/"))) == 10
    assert titles(client.get("/events/?page=2")) == ["Event 10", "Event 11"]
    assert titles(client.get("/events/?page=99999999999999999999")) == ["Event 10", "Event 11"]


@pytest.mark.parametrize("path", ["/events/", "/events/past/"])
def test_listing_query_count_does_not_grow_with_events_and_bookings(
    client, events_index, member, path
):
    # Every card shows its own image: their renditions are read in one query, not one a card.
    image = SiteImageFactory()

    def queries_with(count: int) -> int:
        for n in range(count):
            days = n + 1 if path == "/events/" else -(n + 1)
            event = EventPageFactory(
                parent=events_index,
                start_at=soon(days),
                end_at=soon(days + 0.1),
                capacity=50,
                image=image,
            )
            Booking.objects.bulk_create(
                Booking(event=event, name="x", email=f"{n}-{i}@example.org", status="confirmed")
                for i in range(3)
            )
        client.get(path)  # warm what is read once per process
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    few = queries_with(5)
    Booking.objects.all().delete()
    many = queries_with(95)
    assert few == many


def test_the_event_page_names_its_time_zone_and_hides_the_joining_link(client, make_event):
    start = timezone.datetime(2030, 1, 15, 10, 0, tzinfo=ZoneInfo("Australia/Perth"))
    event = make_event(
        start_at=start, end_at=start + timedelta(hours=1), time_zone="Australia/Perth"
    )
    page = client.get(event.url).content.decode()
    assert "10:00 AM" in page
    assert "AWST, Australia/Perth" in page
    assert event.joining_link not in page
    assert event.joining_link not in client.get(f"{event.url}calendar/").content.decode()


def test_a_members_only_event_is_refused_to_others(client, make_event, member):
    event = make_event(audience=Audience.MEMBERS)
    response = client.get(event.url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    client.force_login(member)
    response = client.get(event.url)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_the_public_form_keeps_what_was_typed_and_shows_errors_beside_fields(client, make_event):
    event = make_event()
    response = client.post(f"/events/bookings/book/{event.pk}/", {"name": "Jo", "email": "nope"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Jo"' in page
    assert 'value="nope"' in page
    assert 'id="booking-email-error"' in page
    assert not Booking.objects.exists()


def test_a_cross_site_post_books_nothing(client, make_event):
    event = make_event()
    response = client.post(
        f"/events/bookings/book/{event.pk}/",
        {"name": "Jo", "email": "jo@example.org"},
        HTTP_ORIGIN="https://evil.example",
    )
    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_public_booking_confirmed_by_the_emailed_link(
    client, make_event, django_capture_on_commit_callbacks
):
    event = make_event(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/events/bookings/book/{event.pk}/", {"name": "Jo", "email": "jo@example.org"}
        )
    assert response.status_code == 302
    assert response["Location"] == "/events/bookings/check-inbox/"
    booking = Booking.objects.get()
    confirm_url = (
        f"/events/bookings/{tokens.confirmation_token(booking_uuid=booking.uuid)}/confirm/"
    )
    assert confirm_url in mail.outbox[0].body
    # A link scanner's GET confirms nothing.
    assert client.get(confirm_url).status_code == 200
    assert Booking.objects.get().status == Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(confirm_url).content.decode()
    assert Booking.objects.get().status == Status.CONFIRMED
    assert event.joining_link in page
    assert client.get(confirm_url[:-12] + "x/confirm/").status_code == 400


def test_cancelling_by_the_signed_link(client, make_event, member):
    event = make_event()
    booking = booking_create(event_id=event.pk, user=member)
    cancel_url = f"/events/bookings/{tokens.booking_token(booking_uuid=booking.uuid)}/cancel/"
    assert client.get(cancel_url).status_code == 200
    assert Booking.objects.get().status == Status.CONFIRMED
    client.post(cancel_url)
    assert Booking.objects.get().status == Status.CANCELLED


def test_a_member_books_with_one_click(client, make_event, member):
    event = make_event(capacity=2)
    client.force_login(member)
    assert "Book my place" in client.get(event.url).content.decode()
    response = client.post(f"/events/bookings/book/{event.pk}/member/")
    assert response.status_code == 302
    assert Booking.objects.get().user == member
    assert "Your place is booked" in client.get(event.url).content.decode()


def test_a_members_bookings_page_shows_and_cancels_only_their_own(
    client, make_event, member, second_member
):
    event = make_event()
    mine = booking_create(event_id=event.pk, user=member)
    theirs = booking_create(event_id=event.pk, user=second_member)
    client.force_login(member)
    page = client.get("/portal/events/").content.decode()
    assert event.title in page
    assert event.joining_link in page
    assert client.post(f"/portal/events/{theirs.pk}/cancel/").status_code == 404
    assert Booking.objects.get(pk=theirs.pk).status == Status.CONFIRMED
    client.post(f"/portal/events/{mine.pk}/cancel/")
    assert Booking.objects.get(pk=mine.pk).status == Status.CANCELLED


def test_the_bookings_page_is_for_members(client, db):
    response = client.get("/portal/events/")
    assert response.status_code == 302


def test_an_events_queries_do_not_grow_with_its_speakers_photos(client, make_event):
    """Each speaker box shows a photo: the photos' renditions are read in one query."""
    speakers = [SpeakerFactory(photo=SiteImageFactory()) for _ in range(4)]
    one, four = make_event(speakers=speakers[:1]), make_event(speakers=speakers)

    def count(url: str) -> int:
        client.get(url)  # the first visitor creates the renditions
        content_version_bump()  # as publishing does: no cached fragment hides the speakers
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert count(four.url) == count(one.url)
    assert client.get(four.url).content.decode().count("author-box__photo") == 4
