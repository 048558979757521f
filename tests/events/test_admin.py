"""Staff enter an event's times in the event's own time zone; they are stored in UTC."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from events.models import EventPage
from portal.models import User
from tests.admin_forms import edit_form_data
from tests.factories.accounts import login_staff


def test_times_are_typed_and_shown_in_the_events_zone(client, make_event):
    start = datetime(2030, 3, 4, 9, 30, tzinfo=ZoneInfo("Australia/Sydney"))
    event = make_event(start_at=start, end_at=start + timedelta(hours=2))
    staff = User.objects.create_superuser(email="staff@example.org", password="a long passphrase 9")
    login_staff(client, staff)
    url = f"/admin/pages/{event.pk}/edit/"
    form = client.get(url)
    assert form.status_code == 200
    data = edit_form_data(form.content.decode(), event, form_id="page-edit-form")
    assert data["start_at"].startswith("2030-03-04 09:30")  # Sydney time, as stored
    data["time_zone"] = "Australia/Perth"
    data["start_at"] = "2030-03-04 10:00"
    data["end_at"] = "2030-03-04 11:00"
    data["action-publish"] = "action-publish"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = EventPage.objects.get(pk=event.pk)
    assert event.start_at == datetime(2030, 3, 4, 2, 0, tzinfo=UTC)
    assert event.time_zone == "Australia/Perth"
    data = edit_form_data(client.get(url).content.decode(), event, form_id="page-edit-form")
    assert data["start_at"].startswith("2030-03-04 10:00")


def test_an_end_before_the_start_is_refused(make_event):
    import pytest
    from django.core.exceptions import ValidationError

    event = make_event()
    event.end_at = event.start_at - timedelta(minutes=1)
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "end_at" in error.value.message_dict
