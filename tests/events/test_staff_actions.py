"""What staff do to an event from its screen in the admin: see its bookings counted by status,
close and reopen registration (at once, whatever its drafts say), take attendance on the day,
write to the attendees, cancel it. Only staff with `events.manage_bookings` may; every form
needs Django's CSRF token, and the screen's queries do not grow with its bookings."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageLogEntry, Revision

from events import rules, tokens
from events.models import Booking, EventMessage, EventPage, EventSchedule
from events.services import BookingRefused, booking_create, event_registration_set
from tests.admin_forms import edit_form_data
from tests.events.helpers import admin_url, attached_vevent, book
from tests.factories.accounts import StaffFactory, login_staff

Status = Booking.Status


def on_the_day(make_event, **fields):
    """An event that started half an hour ago: attendance can be taken."""
    now = timezone.now()
    return make_event(
        start_at=now - timedelta(minutes=30), end_at=now + timedelta(hours=1), **fields
    )


def statuses(bookings) -> list[str]:
    return [Booking.objects.get(pk=b.pk).status for b in bookings]


# --- Seeing the bookings, and finding the screen ---


def test_the_screen_counts_the_bookings_by_status_each_linked_to_the_listing(
    organiser_client, make_event
):
    event = make_event(capacity=5)
    book(event, 3)
    book(event, 1, status=Status.ATTENDED)
    book(event, 2, status=Status.WAITING)
    book(event, 1, status=Status.CANCELLED)
    page = organiser_client.get(admin_url(event)).content.decode()
    for status, count in [
        ("confirmed", 3),
        ("attended", 1),
        ("waiting", 2),
        ("pending", 0),
        ("cancelled", 1),
    ]:
        assert f'<td data-count="{status}">{count}</td>' in page
        assert f"/admin/snippets/events/booking/?event={event.pk}&amp;status={status}" in page
    listing = organiser_client.get(
        f"/admin/snippets/events/booking/?event={event.pk}&status=waiting"
    ).content.decode()
    assert "Waiting Person 000" in listing
    assert "Confirmed Person 000" not in listing


def test_the_screen_is_reached_from_the_events_page_and_from_the_bookings_listing(
    organiser_client, make_event
):
    event = make_event()
    book(event, 1)
    url = admin_url(event)
    assert url in organiser_client.get(f"/admin/pages/{event.pk}/edit/").content.decode()
    explorer = organiser_client.get(f"/admin/pages/{event.get_parent().pk}/").content.decode()
    assert url in explorer
    listing = organiser_client.get(f"/admin/snippets/events/booking/?event={event.pk}")
    assert listing.content.decode().count(url) >= 2  # the header's button and the row's


def test_the_screens_queries_do_not_grow_with_the_bookings(organiser_client, make_event):
    event = on_the_day(make_event)
    EventMessage.objects.create(event=event, subject="Welcome", body="Hello", recipient_count=3)

    def queries_with(count: int) -> int:
        Booking.objects.filter(event=event).delete()
        book(event, count)
        book(event, count, status=Status.ATTENDED)
        book(event, count, status=Status.WAITING)
        organiser_client.get(admin_url(event))  # what is read once per process
        with CaptureQueriesContext(connection) as queries:
            response = organiser_client.get(admin_url(event))
        assert response.status_code == 200
        assert response.content.decode().count('name="attended"') == 2 * count
        return len(queries)

    assert queries_with(5) == queries_with(100)


# --- Registration ---


def test_closing_registration_refuses_bookings_at_once_and_the_page_says_so(
    organiser_client, make_event, member
):
    event = make_event()
    response = organiser_client.post(admin_url(event, "registration"), {"action": "close"})
    assert response.status_code == 302
    event = EventPage.objects.get(pk=event.pk)
    assert event.registration_closed
    assert not event.has_unpublished_changes  # no new revision, nothing to publish
    assert rules.registration_refusal(event) == rules.CLOSED
    with pytest.raises(BookingRefused):
        booking_create(event_id=event.pk, user=member)
    page = Client().get(event.url).content.decode()
    assert "Registration is closed." in page
    assert "Book my place" not in page

    organiser_client.post(admin_url(event, "registration"), {"action": "reopen"})
    assert booking_create(event_id=event.pk, user=member).status == Status.CONFIRMED
    assert "Book my place" in Client().get(event.url).content.decode()
    assert list(
        PageLogEntry.objects.filter(page=event, action__startswith="events.")
        .order_by("timestamp")
        .values_list("action", "user__email")
    ) == [
        ("events.registration_close", "organiser@example.org"),
        ("events.registration_reopen", "organiser@example.org"),
    ]


def test_publishing_a_draft_made_before_registration_closed_keeps_it_closed(
    organiser_client, organiser, make_event
):
    event = make_event()
    edit_url = f"/admin/pages/{event.pk}/edit/"
    form = organiser_client.get(edit_url).content.decode()
    assert 'name="registration_closed"' not in form  # not edited in drafts: staff actions set it
    assert 'name="cancelled"' not in form
    data = edit_form_data(form, event, form_id="page-edit-form")
    event.title = "An older draft"
    draft = event.save_revision()

    event_registration_set(event_id=event.pk, closed=True, user=organiser)

    data.update({"title": "Edited while closed", "action-publish": "action-publish"})
    response = organiser_client.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = EventPage.objects.get(pk=event.pk)
    assert (event.title, event.registration_closed) == ("Edited while closed", True)
    Revision.objects.get(pk=draft.pk).publish()
    event = EventPage.objects.get(pk=event.pk)
    assert (event.title, event.registration_closed) == ("An older draft", True)


def test_closing_registration_purges_the_pages_that_show_the_event(
    settings, django_capture_on_commit_callbacks, make_event, organiser
):
    from tests.blog import frontend_cache_backend

    settings.WAGTAILFRONTENDCACHE = {
        "cdn": {"BACKEND": "tests.blog.frontend_cache_backend.RecordingBackend"}
    }
    frontend_cache_backend.purged.clear()
    event = make_event(slug="webinar")
    with django_capture_on_commit_callbacks(execute=True):
        event_registration_set(event_id=event.pk, closed=True, user=organiser)
    assert {
        "http://localhost/events/webinar/",
        "http://localhost/events/webinar/calendar/",
        "http://localhost/events/",
        "http://localhost/events/calendar/",
        "http://localhost/",
    } <= set(frontend_cache_backend.purged)


# --- Attendance ---


def test_attendance_ticks_who_came_and_unticking_undoes_it(organiser_client, make_event):
    event = on_the_day(make_event)
    ana, ben, cy = book(event, 3)
    (waiting,) = book(event, 1, status=Status.WAITING)
    page = organiser_client.get(admin_url(event)).content.decode()
    assert f'name="attended" value="{ana.pk}"' in page
    assert f'value="{waiting.pk}"' not in page  # no place, nothing to tick

    def save(**data):
        return organiser_client.post(
            admin_url(event), {"shown": [ana.pk, ben.pk, cy.pk], **data}, follow=True
        )

    response = save(attended=[ana.pk, ben.pk])
    assert "2 marked as attended, 0 as not attended" in response.content.decode()
    assert statuses([ana, ben, cy]) == ["attended", "attended", "confirmed"]
    save(attended=[ana.pk])
    assert statuses([ana, ben, cy]) == ["attended", "confirmed", "confirmed"]
    # Everyone listed, in one click; a booking that was not listed is left alone.
    organiser_client.post(admin_url(event), {"shown": [ana.pk, ben.pk], "everyone": "on"})
    assert statuses([ana, ben, cy, waiting]) == ["attended", "attended", "confirmed", "waiting"]
    assert PageLogEntry.objects.filter(page=event, action="events.attendance").count() == 3


def test_attendance_waits_for_the_day_of_the_event(organiser_client, make_event):
    event = make_event()  # in a week
    (ana,) = book(event, 1)
    page = organiser_client.get(admin_url(event)).content.decode()
    assert "Attendance can be taken from the day of the event." in page
    response = organiser_client.post(
        admin_url(event), {"shown": [ana.pk], "attended": [ana.pk]}, follow=True
    )
    assert "Attendance can be taken from the day of the event." in response.content.decode()
    assert statuses([ana]) == ["confirmed"]


def test_an_attendance_form_naming_other_bookings_comes_back_with_the_ticks_kept(
    organiser_client, make_event
):
    event = on_the_day(make_event)
    ana, ben = book(event, 2)
    (stranger,) = book(make_event(), 1, prefix="other")
    response = organiser_client.post(
        admin_url(event), {"shown": [ana.pk, ben.pk, stranger.pk], "attended": [ana.pk, "x"]}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The list changed since it was shown" in page
    assert f'value="{ana.pk}" id="attended-{ana.pk}" checked' in page
    assert f'value="{ben.pk}" id="attended-{ben.pk}">' in page
    assert statuses([ana, ben, stranger]) == ["confirmed"] * 3


# --- Writing to the attendees ---


def test_a_message_is_recorded_and_each_attendee_is_emailed_it_once(
    organiser_client, make_event, django_capture_on_commit_callbacks
):
    event = make_event(title="Money & trafficking")
    seated = book(event, 3) + book(event, 1, status=Status.ATTENDED)
    for status in (Status.WAITING, Status.PENDING, Status.CANCELLED):
        book(event, 1, status=status)
    form = organiser_client.get(admin_url(event, "message")).content.decode()
    assert "Send to 4 attendees" in form
    data = {
        "subject": "A new room",
        "body": "We meet in room 4.\n\nThe map: https://example.org/map",
        "token": str(uuid.uuid4()),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(admin_url(event, "message"), data)
    assert response.status_code == 302
    assert response["Location"] == admin_url(event)

    message = EventMessage.objects.get()
    assert (message.kind, message.subject, message.recipient_count) == ("message", "A new room", 4)
    assert message.body == data["body"]
    assert message.sent_by.email == "organiser@example.org"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(b.email for b in seated)
    for sent in mail.outbox:
        booking = next(b for b in seated if b.email == sent.to[0])
        assert sent.subject == "Money & trafficking: A new room"
        html = sent.alternatives[0][0]
        assert "We meet in room 4." in sent.body
        assert '<a href="https://example.org/map"' in html
        assert tokens.booking_token(booking_uuid=booking.uuid) in html  # the footer's links
        assert tokens.booking_token(booking_uuid=booking.uuid) in sent.body
        assert settings.ORGANISATION_POSTAL_ADDRESS in html  # the site's layout
        assert not sent.attachments

    # The same form sent again (a double click): nothing more is written or sent.
    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(admin_url(event, "message"), data)
    assert EventMessage.objects.count() == 1
    assert len(mail.outbox) == 4
    page = organiser_client.get(admin_url(event)).content.decode()
    assert "A new room" in page
    assert "Olu" in page  # who sent it


def test_the_message_form_keeps_what_was_typed_and_shows_each_error(organiser_client, make_event):
    event = make_event()
    book(event, 1)
    token = str(uuid.uuid4())
    response = organiser_client.post(
        admin_url(event, "message"), {"subject": "   ", "body": "Kept words", "token": token}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "error-message" in page
    assert "Kept words" in page
    assert token in page
    # Nobody to write to: said above the form, which keeps the text.
    Booking.objects.update(status=Status.WAITING)
    response = organiser_client.post(
        admin_url(event, "message"), {"subject": "Hello", "body": "Kept", "token": token}
    )
    assert "Nobody holds a place at this event" in response.content.decode()
    assert 'value="Hello"' in response.content.decode()
    assert not EventMessage.objects.exists()


# --- Cancelling ---


def test_cancelling_cancels_every_booking_and_emails_each_once_with_a_cancelled_ics(
    organiser_client, make_event, member, django_capture_on_commit_callbacks
):
    event = make_event(capacity=3)
    event.save_revision().publish()  # attendees imported SEQUENCE 0
    active = [booking_create(event_id=event.pk, user=member)]
    active += book(event, 2) + book(event, 1, status=Status.WAITING)
    (unconfirmed,) = book(event, 1, status=Status.PENDING)
    (cancelled_before,) = book(event, 1, status=Status.CANCELLED)
    mail.outbox.clear()
    assert (
        "5 people have booked" in organiser_client.get(admin_url(event, "cancel")).content.decode()
    )

    # Not confirmed: the form comes back, with the note.
    response = organiser_client.post(admin_url(event, "cancel"), {"note": "The speaker is ill."})
    assert "error-message" in response.content.decode()
    assert "The speaker is ill." in response.content.decode()
    assert not EventPage.objects.get(pk=event.pk).cancelled

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            admin_url(event, "cancel"), {"note": "The speaker is ill.", "confirm": "on"}
        )
    assert response.status_code == 302
    event = EventPage.objects.get(pk=event.pk)
    assert event.cancelled
    assert set(Booking.objects.values_list("status", flat=True)) == {"cancelled"}
    assert EventMessage.objects.get().recipient_count == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(b.email for b in active)
    # Cancelled too, but never emailed: nobody proved that address is theirs.
    assert unconfirmed.email not in {m.to[0] for m in mail.outbox}
    assert cancelled_before.email not in {m.to[0] for m in mail.outbox}
    for sent in mail.outbox:
        assert sent.subject == f"Cancelled: {event.title}"
        assert "The speaker is ill." in sent.body
        vevent = attached_vevent(sent)
        assert str(vevent["STATUS"]) == "CANCELLED"
        assert int(vevent["SEQUENCE"]) == 1
        assert str(vevent["UID"]) == f"event-{event.pk}@testserver"
        assert event.joining_link not in str(vevent.get("DESCRIPTION", ""))

    page = Client().get(event.url).content.decode()
    assert "This event has been cancelled." in page
    assert "Book my place" not in page
    with pytest.raises(BookingRefused) as refused:
        booking_create(event_id=event.pk, name="Jo", email="jo@example.org")
    assert refused.value.reason == rules.CANCELLED

    # Again, or the page published again from an older revision: still cancelled, once.
    with django_capture_on_commit_callbacks(execute=True):
        again = organiser_client.post(admin_url(event, "cancel"), {"confirm": "on"}, follow=True)
    assert "This event is cancelled already." in again.content.decode()
    event.revisions.order_by("created_at").first().publish()
    assert EventPage.objects.get(pk=event.pk).cancelled
    assert EventSchedule.objects.get(event=event).sequence == 1
    assert len(mail.outbox) == 4


def test_an_event_that_is_over_cannot_be_cancelled(organiser_client, make_event):
    now = timezone.now()
    event = make_event(start_at=now - timedelta(days=2), end_at=now - timedelta(days=2, hours=-1))
    book(event, 1)
    assert "This event is over" in organiser_client.get(admin_url(event, "cancel")).content.decode()
    organiser_client.post(admin_url(event, "cancel"), {"confirm": "on"})
    assert not EventPage.objects.get(pk=event.pk).cancelled
    assert statuses(Booking.objects.all()) == ["confirmed"]


# --- Who may ---

ACTIONS = [
    ("", {"shown": [], "everyone": "on"}),
    ("registration", {"action": "close"}),
    ("message", {"subject": "Hi", "body": "Hello", "token": str(uuid.uuid4())}),
    ("cancel", {"confirm": "on"}),
]


def nothing_changed(event: EventPage) -> bool:
    event = EventPage.objects.get(pk=event.pk)
    return not (event.cancelled or event.registration_closed or EventMessage.objects.exists())


@pytest.mark.parametrize(("action", "data"), ACTIONS, ids=[a or "screen" for a, _ in ACTIONS])
def test_an_editor_without_the_permission_is_refused_with_403(client, make_event, action, data):
    event = make_event()
    book(event, 1)
    login_staff(client, StaffFactory(editor=True, mfa=True, email="editor@example.org"))
    refused = client.get(admin_url(event, action))
    assert refused.status_code == 403
    assert "You cannot run events" in refused.content.decode()
    assert client.post(admin_url(event, action), data).status_code == 403
    assert nothing_changed(event)
    assert admin_url(event) not in client.get(f"/admin/pages/{event.pk}/edit/").content.decode()


@pytest.mark.parametrize(("action", "data"), ACTIONS, ids=[a or "screen" for a, _ in ACTIONS])
def test_every_staff_form_needs_a_csrf_token(organiser, make_event, action, data):
    event = make_event()
    book(event, 1)
    client = Client(enforce_csrf_checks=True)
    login_staff(client, organiser)
    response = client.post(admin_url(event, action), data)
    assert response.status_code == 403
    assert "Please send the form again" in response.content.decode()
    assert nothing_changed(event)


def test_an_unknown_event_is_not_found(organiser_client):
    assert organiser_client.get("/admin/events/999999/").status_code == 404


def test_a_message_to_many_attendees_costs_the_request_one_queued_task(make_event):
    """The request writes a ledger row for each attendee but queues one task, which hands each
    row to a task of its own from the worker: no broker round trip per attendee."""
    from events.services import event_message_send
    from outbox.models import OutboxTask

    event = make_event(capacity=200)
    book(event, 120)
    before = OutboxTask.objects.count()
    event_message_send(
        event_id=event.pk, subject="The slides", body="Here.", user=None, token=uuid.uuid4()
    )
    queued = OutboxTask.objects.order_by("pk")[before:]
    assert [task.task_name for task in queued] == ["events.tasks.send_booking_emails"]
    assert len(queued[0].args[0]) == 120 == event.bookings.filter(emails__kind="message").count()
