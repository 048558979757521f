"""Staff see each event's bookings in the admin and export them as formula-safe CSV; the
admin never writes a booking (the booking services do)."""

import csv
import io

from events.models import Booking
from events.services import booking_create
from portal.models import User
from tests.factories.accounts import login_staff


def staff_client(client):
    staff = User.objects.create_superuser(email="staff@example.org", password="a long passphrase 9")
    login_staff(client, staff)
    return client


def test_staff_list_an_events_bookings_and_export_them_formula_safe(client, make_event, member):
    event, other = make_event(title="Training"), make_event(title="Other")
    booking_create(event_id=event.pk, user=member)
    booking_create(event_id=event.pk, name="=HYPERLINK(1)", email="jo@example.org")
    booking_create(event_id=other.pk, name="Someone", email="someone@example.org")
    client = staff_client(client)
    listing = client.get(f"/admin/snippets/events/booking/?event={event.pk}")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Amelia Chen" in page
    assert "someone@example.org" not in page
    export = client.get(f"/admin/snippets/events/booking/?event={event.pk}&export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    names = [row[1] for row in rows[1:]]
    assert sorted(names) == ["'=HYPERLINK(1)", "Amelia Chen"]


def test_the_admin_never_writes_a_booking(client, make_event, member):
    booking = booking_create(event_id=make_event().pk, user=member)
    client = staff_client(client)
    assert client.get("/admin/snippets/events/booking/add/").status_code in (302, 403)
    assert client.get(f"/admin/snippets/events/booking/edit/{booking.pk}/").status_code in (
        302,
        403,
    )
    client.post(f"/admin/snippets/events/booking/delete/{booking.pk}/")
    assert Booking.objects.filter(pk=booking.pk).exists()
    inspect = client.get(f"/admin/snippets/events/booking/inspect/{booking.pk}/")
    assert inspect.status_code == 200
