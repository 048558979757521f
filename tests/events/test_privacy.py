"""Bookings are part of a member's data export and erasure (the portal's privacy registry), and
members-only events stay out of the sitemap."""

from events.models import Audience, Booking
from events.services import booking_create
from portal import privacy


def handler():
    return next(h for h in privacy.handlers() if h.name == "events")


def test_the_export_holds_the_members_bookings_and_those_made_with_their_address(
    make_event, member, second_member
):
    booking_create(event_id=make_event(title="Webinar").pk, user=member)
    booking_create(event_id=make_event(title="Panel").pk, name="A", email="Amelia@example.org")
    booking_create(event_id=make_event(title="Other").pk, user=second_member)
    exported = handler().exporter(member)
    assert sorted(item["event"] for item in exported) == ["Panel", "Webinar"]


def test_erasure_deletes_the_bookings_and_gives_the_place_to_the_waiting_list(
    make_event, member, second_member
):
    event = make_event(capacity=1)
    booking_create(event_id=event.pk, user=member)
    waiting = booking_create(event_id=event.pk, user=second_member)
    handler().eraser(member)
    assert not Booking.objects.filter(email="amelia@example.org").exists()
    waiting.refresh_from_db()
    assert waiting.status == Booking.Status.CONFIRMED


def test_members_only_events_are_not_in_the_sitemap(client, make_event):
    public = make_event(title="Public")
    members = make_event(title="Training", audience=Audience.MEMBERS)
    sitemap = client.get("/sitemap.xml").content.decode()
    assert public.url in sitemap
    assert members.url not in sitemap
