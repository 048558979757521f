"""The newsletter in Wagtail's admin: preview, test send, send with confirmation, schedule,
report, subscribers (search, filter, export, import with attested consent), permissions."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone

from newsletter.models import Issue, Subscriber
from tests.factories.accounts import StaffFactory, login_staff
from tests.factories.newsletter import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_the_preview_is_the_email_as_sent():
    issue = IssueFactory(subject="Preview me")
    request = RequestFactory().get("/")
    html = issue.serve_preview(request, "email").content.decode()
    text = issue.serve_preview(request, "text").content.decode()
    assert "<h1" in html
    assert "Preview me" in html
    assert 'style="' in html
    assert "PO Box 0000" in text
    assert "In this issue".upper() in text


def test_the_edit_view_offers_sending(staff_client):
    issue = IssueFactory()
    response = staff_client.get(f"/admin/snippets/newsletter/issue/edit/{issue.pk}/")
    assert response.status_code == 200
    assert f"/admin/newsletter/issues/{issue.pk}/send/" in response.content.decode()


def test_send_a_test_to_me(staff_client, staff, run_on_commit):
    SubscriberFactory.create_batch(3)
    issue = IssueFactory(subject="Draft news")
    with run_on_commit(execute=True):
        response = staff_client.post(
            f"/admin/newsletter/issues/{issue.pk}/send/", {"action": "test"}
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[staff.email]]
    assert mail.outbox[0].subject == "[Test] Draft news"
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT


def test_sending_needs_confirmation_and_shows_the_recipient_count(staff_client, run_on_commit):
    SubscriberFactory.create_batch(3)
    SubscriberFactory(status="pending")
    issue = IssueFactory()
    url = f"/admin/newsletter/issues/{issue.pk}/send/"

    page = staff_client.get(url).content.decode()
    assert "will go to <strong>3</strong> confirmed subscribers" in page

    refused = staff_client.post(url, {"action": "send"})
    assert refused.status_code == 200
    assert "This field is required" in refused.content.decode()
    assert not mail.outbox

    with run_on_commit(execute=True):
        response = staff_client.post(url, {"action": "send", "confirm": "on"})
    assert response["Location"] == f"/admin/newsletter/issues/{issue.pk}/report/"
    assert len(mail.outbox) == 3
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT

    report = staff_client.get(response["Location"]).content.decode()
    assert '<td data-count="sent">3</td>' in report
    assert '<td data-count="failed">0</td>' in report
    # Sent issues cannot be edited, deleted or sent again.
    edit = staff_client.get(f"/admin/snippets/newsletter/issue/edit/{issue.pk}/")
    assert edit["Location"] == f"/admin/newsletter/issues/{issue.pk}/report/"
    delete = staff_client.post(f"/admin/snippets/newsletter/issue/delete/{issue.pk}/")
    assert Issue.objects.filter(pk=issue.pk).exists()
    assert delete.status_code == 302
    again = staff_client.post(url, {"action": "send", "confirm": "on"})
    assert again.status_code == 302
    assert len(mail.outbox) == 3


def test_schedule_and_unschedule(staff_client):
    issue = IssueFactory()
    url = f"/admin/newsletter/issues/{issue.pk}/send/"
    when = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")

    past = staff_client.post(url, {"action": "schedule", "send_at": "2020-01-01T09:00"})
    assert "Choose a time in the future" in past.content.decode()
    assert 'value="2020-01-01T09:00"' in past.content.decode()

    staff_client.post(url, {"action": "schedule", "send_at": when})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SCHEDULED
    assert timezone.localtime(issue.scheduled_at).strftime("%Y-%m-%dT%H:%M") == when
    listing = staff_client.get("/admin/snippets/newsletter/issue/").content.decode()
    assert "Scheduled for" in listing

    staff_client.post(url, {"action": "unschedule"})
    issue.refresh_from_db()
    assert (issue.status, issue.scheduled_at) == (Issue.Status.DRAFT, None)


def test_staff_without_the_send_permission_cannot_send(client):
    user = StaffFactory(newsletter_editor=True, mfa=True, email="viewer@example.org")
    user.groups.first().permissions.remove(
        *user.groups.first().permissions.filter(codename="send_issue")
    )
    login_staff(client, user)
    issue = IssueFactory()
    response = client.post(
        f"/admin/newsletter/issues/{issue.pk}/send/", {"action": "send", "confirm": "on"}
    )
    assert response.status_code in (302, 403)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT
    assert not mail.outbox


def test_anonymous_users_cannot_reach_the_admin_screens(client):
    issue = IssueFactory()
    response = client.get(f"/admin/newsletter/issues/{issue.pk}/send/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_subscribers_search_filter_and_export(staff_client):
    SubscriberFactory(email="alice@example.org", first_name="Alice")
    SubscriberFactory(email="bob@example.org", status="unsubscribed")
    SubscriberFactory(email="carol@example.org", status="pending")

    search = staff_client.get("/admin/snippets/newsletter/subscriber/?q=alice").content.decode()
    assert "alice@example.org" in search
    assert "bob@example.org" not in search

    filtered = staff_client.get(
        "/admin/snippets/newsletter/subscriber/?status=unsubscribed"
    ).content.decode()
    assert "bob@example.org" in filtered
    assert "alice@example.org" not in filtered

    export = staff_client.get("/admin/snippets/newsletter/subscriber/?export=csv")
    assert export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert rows[0][:3] == ["Email address", "First name", "Status"]
    assert sorted(r[0] for r in rows[1:]) == [
        "alice@example.org",
        "bob@example.org",
        "carol@example.org",
    ]


def test_the_subscriber_export_neutralises_formulas(staff_client):
    SubscriberFactory(email="-x@example.org", first_name='=HYPERLINK("http://evil.example")')
    SubscriberFactory(email="ann@example.org", first_name="@SUM(A1)")
    SubscriberFactory(email="bob@example.org", first_name="Bob")

    export = staff_client.get("/admin/snippets/newsletter/subscriber/?export=csv")

    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    cells = {row[0]: row[1] for row in rows[1:]}
    assert cells == {
        "'-x@example.org": '\'=HYPERLINK("http://evil.example")',
        "ann@example.org": "'@SUM(A1)",
        "bob@example.org": "Bob",
    }


def test_import_with_attested_consent(staff_client, staff, run_on_commit):
    SubscriberFactory(email="left@example.org", status="unsubscribed")
    upload = SimpleUploadedFile(
        "people.csv",
        b"Email,First name\nnew@example.org,Nia\nleft@example.org,\nbroken,\n",
        content_type="text/csv",
    )
    missing_note = staff_client.post(
        "/admin/snippets/newsletter/subscriber/add/",
        {"csv_file": upload, "consent_attested": "on"},
    )
    assert "Say how these people gave their consent" in missing_note.content.decode()
    assert not Subscriber.objects.filter(email="new@example.org").exists()

    upload.seek(0)
    with run_on_commit(execute=True):
        response = staff_client.post(
            "/admin/snippets/newsletter/subscriber/add/",
            {"csv_file": upload, "consent_attested": "on", "consent_note": "Event sign-up"},
        )
    html = response.content.decode()
    assert "Import finished." in html
    assert "left@example.org" in html
    assert "broken" in html
    new = Subscriber.objects.get(email="new@example.org")
    assert new.status == "confirmed"
    assert new.events.get().actor == staff
    assert Subscriber.objects.get(email="left@example.org").status == "unsubscribed"
    assert not mail.outbox

    inspect = staff_client.get(f"/admin/snippets/newsletter/subscriber/inspect/{new.pk}/")
    assert "Imported with consent attested by staff" in inspect.content.decode()
    assert "Event sign-up" in inspect.content.decode()


def test_import_rejects_files_that_are_not_csv(staff_client):
    upload = SimpleUploadedFile("people.exe", b"MZ...", content_type="application/octet-stream")
    response = staff_client.post("/admin/snippets/newsletter/subscriber/add/", {"csv_file": upload})
    assert "Upload a .csv file." in response.content.decode()


IMPORT_URL = "/admin/snippets/newsletter/subscriber/add/"


BROKEN_FILES = [
    ("nul.csv", b"email\nnew@example.org\nnu\x00l@example.org\n", "contains NUL bytes"),
    ("utf16.csv", "email\nnew@example.org\n".encode("utf-16"), "contains NUL bytes"),
    ("latin1.csv", "email,first_name\nnew@example.org,Zoë\n".encode("latin-1"), "not UTF-8"),
    ("columns.csv", b"name,phone\nNia,0400 000 000\n", "no “email” column"),
    ("empty.csv", b"\n , \n\n", "The file has no addresses."),
    ("header-only.csv", b"email,first_name\n", "The file has no addresses."),
    ("huge-cell.csv", b'email\n"' + b"x" * 200_000 + b'"\n', "not a CSV file we can read"),
    ("many.csv", b"email\n" + b"a@example.org\n" * 10_001, "import at most 10,000"),
    ("big.csv", b"email\n" + b"a@example.org\n" * 400_000, "larger than 5 MB"),
]


@pytest.mark.parametrize(
    ("name", "data", "message"), BROKEN_FILES, ids=[f[0] for f in BROKEN_FILES]
)
def test_import_refuses_a_broken_file_with_a_clear_message_and_imports_nothing(
    staff_client, run_on_commit, name, data, message
):
    SubscriberFactory(email="known@example.org")
    upload = SimpleUploadedFile(name, data, content_type="text/csv")

    with run_on_commit(execute=True):
        response = staff_client.post(IMPORT_URL, {"csv_file": upload})

    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "Import finished." not in html
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["known@example.org"]
    assert not mail.outbox


def test_import_leaves_out_bad_cells_and_keeps_the_rest(staff_client, run_on_commit):
    too_long = "a" * 250 + "@example.org"
    upload = SimpleUploadedFile(
        "people.csv",
        f"first_name,email\nNia\x01\x7f,nia@example.org\n,{too_long}\nX,<b>bold</b>\n".encode(),
        content_type="text/csv",
    )

    with run_on_commit(execute=True):
        response = staff_client.post(IMPORT_URL, {"csv_file": upload})

    html = response.content.decode()
    assert "Import finished." in html
    assert too_long[:100] in html
    assert too_long not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<b>bold</b>" not in html
    assert list(Subscriber.objects.values_list("email", "first_name")) == [
        ("nia@example.org", "Nia")
    ]


def test_staff_can_unsubscribe_an_address_and_it_is_recorded(staff_client, staff):
    subscriber = SubscriberFactory(email="asked@example.org")
    page = staff_client.get(f"/admin/snippets/newsletter/subscriber/inspect/{subscriber.pk}/")
    assert "Unsubscribe this address" in page.content.decode()

    staff_client.post(f"/admin/newsletter/subscribers/{subscriber.pk}/unsubscribe/")

    subscriber.refresh_from_db()
    assert subscriber.status == "unsubscribed"
    event = subscriber.events.get(kind="unsubscribed")
    assert (event.source, event.actor) == ("staff", staff)


def test_the_live_preview_in_the_editor_shows_the_email(staff_client):
    issue = IssueFactory(subject="Saved subject")
    url = f"/admin/snippets/newsletter/issue/preview/{issue.pk}/"
    form = {
        "subject": "Unsaved subject",
        "preheader": "Previewed preheader",
        "body-count": "1",
        "body-0-type": "heading",
        "body-0-value": "A heading typed just now",
        "body-0-deleted": "",
        "body-0-order": "0",
        "body-0-id": "",
        "latest_posts_heading": "Latest",
        "latest_posts_limit": "3",
    }
    response = staff_client.post(url, form)
    assert response.json()["is_valid"] is True

    email = staff_client.get(url, {"mode": "email"}).content.decode()
    assert "Unsaved subject" in email
    assert "A heading typed just now" in email
    assert 'style="' in email
    text = staff_client.get(url, {"mode": "text"}).content.decode()
    assert "A HEADING TYPED JUST NOW" in text


def test_staff_can_lift_a_suppression_and_it_is_recorded(staff_client, staff):
    from newsletter import services

    subscriber = SubscriberFactory(email="wrongly@bigmail.example")
    services.subscriber_suppress(
        email=subscriber.email, kind="bounced", reason="550 5.1.1 user unknown (server fault)"
    )
    inspect = f"/admin/snippets/newsletter/subscriber/inspect/{subscriber.pk}/"
    url = f"/admin/newsletter/subscribers/{subscriber.pk}/lift-suppression/"
    assert url in staff_client.get(inspect).content.decode()
    page = staff_client.get(url).content.decode()
    assert "550 5.1.1 user unknown (server fault)" in page
    assert "subscribes it again" in page

    # No reason: the form comes back with the error, and nothing changes.
    refused = staff_client.post(url, {"reason": "  "})
    assert refused.status_code == 200
    assert "Say why the suppression is lifted." in refused.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.SUPPRESSED

    response = staff_client.post(url, {"reason": "Their provider fixed its <b>directory</b>"})

    assert response.status_code == 302
    assert response["Location"] == inspect
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.suppressed_reason == ""
    event = subscriber.events.get(kind="lifted")
    assert (event.actor, event.source) == (staff, "staff")
    assert event.detail.startswith("Their provider fixed its <b>directory</b>")
    assert "was: 550 5.1.1" in event.detail
    trail = staff_client.get(inspect).content.decode()
    assert "Suppression lifted by staff" in trail
    assert "&lt;b&gt;directory&lt;/b&gt;" in trail
    # Not suppressed any more: the page sends staff back to the subscriber.
    assert staff_client.get(url)["Location"] == inspect


def test_lifting_the_suppression_of_an_address_that_never_confirmed_makes_it_pending(
    staff_client,
):
    from newsletter import services

    subscriber = SubscriberFactory(status="pending", confirmed_at=None, confirmed_source="")
    services.subscriber_suppress(email=subscriber.email, kind="bounced", reason="5.1.1")

    staff_client.post(
        f"/admin/newsletter/subscribers/{subscriber.pk}/lift-suppression/", {"reason": "typo"}
    )

    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING


def test_lifting_a_suppression_needs_the_change_permission(client):
    from django.contrib.auth.models import Permission

    from newsletter import services

    clerk = StaffFactory(newsletter_editor=True, mfa=True, email="clerk@example.org")
    clerk.groups.clear()
    clerk.user_permissions.add(Permission.objects.get(codename="access_admin"))
    login_staff(client, clerk)
    subscriber = SubscriberFactory()
    services.subscriber_suppress(email=subscriber.email, kind="bounced", reason="5.1.1")

    response = client.post(
        f"/admin/newsletter/subscribers/{subscriber.pk}/lift-suppression/", {"reason": "x"}
    )

    assert response.status_code in (302, 403)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.SUPPRESSED


def _import(staff_client, run_on_commit, content: bytes) -> str:
    upload = SimpleUploadedFile("people.csv", content, content_type="text/csv")
    with run_on_commit(execute=True):
        response = staff_client.post(
            "/admin/snippets/newsletter/subscriber/add/",
            {"csv_file": upload, "consent_attested": "on", "consent_note": "Event sign-up"},
        )
    return " ".join(response.content.decode().split())


def test_import_counts_speak_in_the_singular_and_the_plural(staff_client, run_on_commit):
    SubscriberFactory(email="there@example.org")
    SubscriberFactory(email="left@example.org", status="unsubscribed")

    one = _import(staff_client, run_on_commit, b"email\nnew@example.org\nthere@example.org\n")
    assert "1 new address added." in one
    assert "1 address subscribed at once (consent attested)." in one
    assert "1 was already subscribed." in one

    SubscriberFactory(email="left2@example.org", status="suppressed")
    two = _import(
        staff_client,
        run_on_commit,
        b"email\na@example.org\nb@example.org\nleft@example.org\nleft2@example.org\n",
    )
    assert "2 new addresses added." in two
    assert "0 were already subscribed." in two
    assert "2 left out because they unsubscribed or bounced before" in two

    single_left_out = _import(staff_client, run_on_commit, b"email\nleft@example.org\n")
    assert "1 left out because it unsubscribed or bounced before" in single_left_out


def test_sending_to_one_subscriber_says_so_in_the_singular(staff_client, run_on_commit):
    SubscriberFactory()
    issue = IssueFactory()
    url = f"/admin/newsletter/issues/{issue.pk}/send/"

    page = " ".join(staff_client.get(url).content.decode().split())
    assert "Send to 1 subscriber now" in page
    assert "will go to <strong>1</strong> confirmed subscriber." in page

    with run_on_commit(execute=True):
        response = staff_client.post(url, {"action": "send", "confirm": "on"}, follow=True)
    assert "Sending to 1 subscriber." in response.content.decode()
