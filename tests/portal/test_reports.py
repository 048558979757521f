"""Reports: the reporter is told when one is closed, reports about one person are grouped, a
shared conversation is frozen when the report is made, and a report outlives both accounts."""

import logging
import smtplib

import pytest
from django.core import mail

from portal import notifications, services, tasks
from portal.models import Report, ReportedMessage, SafeguardingRecord
from tests.factories.accounts import login_staff
from tests.factories.portal import MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, reviewer):
    login_staff(client, reviewer)
    return client


@pytest.fixture
def connected(member, peer):
    request = services.connection_request_send(sender=member, recipient=peer)
    services.connection_request_accept(user=peer, request_id=request.pk)
    services.message_send(sender=member, recipient=peer, body="Hello Tom")
    services.message_send(sender=peer, recipient=member, body="Send me your home address")
    mail.outbox.clear()
    return member, peer


def _report(reporter, reported, *, reason="harassment", share=False):
    return services.member_report(
        reporter=reporter,
        reported=reported,
        reason=reason,
        details="What happened, in the reporter's words.",
        share_conversation=share,
    )


def test_the_reporter_is_emailed_when_the_report_is_closed_and_not_what_was_done(
    member, peer, reviewer, django_capture_on_commit_callbacks
):
    report = _report(member, peer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.report_resolve(
            report_id=report.pk, resolved_by=reviewer, note="Suspended Tom Walker for a month."
        )

    assert [m.to for m in mail.outbox] == [["amelia@example.org"]]
    message = mail.outbox[0]
    assert "closed" in message.subject.lower()
    assert "we do not share what we did" in message.body
    for hidden in ("Tom", "Walker", "Suspended", "month", "harassment", "Harassment"):
        assert hidden not in message.body + message.subject
    report.refresh_from_db()
    assert report.reporter_notified_at is not None

    assert tasks.send_report_closed_email(report.pk) is False  # safe to run twice
    assert len(mail.outbox) == 1


def test_no_email_for_an_open_report_or_an_erased_reporter(member, peer, reviewer):
    report = _report(member, peer)
    assert notifications.report_closed_email_send(report_id=report.pk) is False

    services.account_delete(user=member)
    services.report_resolve(report_id=report.pk, resolved_by=reviewer, note="Done.")

    assert notifications.report_closed_email_send(report_id=report.pk) is False
    assert mail.outbox == [] or all("closed" not in m.subject.lower() for m in mail.outbox)


def test_a_shared_conversation_is_frozen_at_the_moment_of_the_report(admin_client, connected):
    member, peer = connected
    report = _report(member, peer, share=True)
    services.message_send(sender=peer, recipient=member, body="A message after the report")
    services.message_send(sender=member, recipient=peer, body="My reply after the report")

    page = admin_client.get(f"/admin/members/reports/{report.pk}/").content.decode()

    assert "Hello Tom" in page
    assert "Send me your home address" in page
    assert "after the report" not in page
    assert "as it was when the report was made" in page
    assert list(report.messages.values_list("from_reported", "body")) == [
        (False, "Hello Tom"),
        (True, "Send me your home address"),
    ]


def test_an_unshared_conversation_is_not_copied(admin_client, connected):
    member, peer = connected
    report = _report(member, peer, share=False)

    page = admin_client.get(f"/admin/members/reports/{report.pk}/").content.decode()

    assert not ReportedMessage.objects.exists()
    assert "Send me your home address" not in page
    assert "did not share a conversation" in page


def test_a_report_survives_the_erasure_of_both_sides_with_its_safeguarding_record(
    admin_client, connected, reviewer
):
    member, peer = connected
    report = _report(member, peer, share=True)
    record_id = report.safeguarding_record_id
    services.account_delete(user=member)
    services.account_delete(user=peer, erased_by=reviewer)

    report.refresh_from_db()
    assert (report.reporter, report.reported) == (None, None)
    assert report.safeguarding_record_id == record_id
    record = SafeguardingRecord.objects.get(pk=record_id)
    assert (record.kind, record.reason, record.user) == (
        "reported",
        "Harassment or abuse",
        None,
    )
    page = admin_client.get(f"/admin/members/reports/{report.pk}/").content.decode()
    assert "Send me your home address" in page
    assert f"No. {record_id}" in page
    assert "the account is erased" in page
    listing = admin_client.get("/admin/members/reports/").content.decode()
    assert "An erased account" in listing


def test_reports_about_the_same_person_are_grouped_in_the_queue(admin_client, member, peer, third):
    fourth = MemberFactory(first_name="Noor", last_name="Haddad", email="noor@example.org")
    first = _report(member, peer, reason="harassment")
    second = _report(third, peer, reason="spam")
    third_report = _report(fourth, peer, reason="conduct")
    other = _report(member, third, reason="impersonation")

    html = admin_client.get("/admin/members/reports/").content.decode()

    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    assert len(rows) == 2
    peer_row = next(row for row in rows if "Tom Walker" in row)
    assert "3 reports" in peer_row
    for report in (first, second, third_report):
        assert f"/admin/members/reports/{report.pk}/" in peer_row
    assert f"/admin/members/reports/{other.pk}/" not in peer_row
    detail = admin_client.get(f"/admin/members/reports/{first.pk}/").content.decode()
    assert "Other reports about this person" in detail
    assert f"/admin/members/reports/{second.pk}/" in detail
    assert f"/admin/members/reports/{other.pk}/" not in detail


def test_the_group_holds_after_the_reported_person_erases_their_account(
    admin_client, member, peer, third, reviewer
):
    _report(member, peer)
    _report(third, peer, reason="spam")
    services.account_delete(user=peer, erased_by=reviewer)

    html = admin_client.get("/admin/members/reports/").content.decode()

    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    assert len(rows) == 1
    assert "An erased account" in rows[0]
    assert "2 reports" in rows[0]


def test_closed_reports_count_in_the_group_of_open_ones(admin_client, member, peer, reviewer):
    closed = _report(member, peer)
    services.report_resolve(report_id=closed.pk, resolved_by=reviewer, note="Warned.")
    _report(member, peer, reason="spam")

    html = admin_client.get("/admin/members/reports/").content.decode()

    assert "and 1 other report about this person" in html


def test_a_failed_notification_is_logged_without_personal_data(
    member, peer, reviewer, caplog, monkeypatch
):
    report = _report(member, peer)
    services.report_resolve(report_id=report.pk, resolved_by=reviewer, note="Done.")

    def refuse(**kwargs):
        raise smtplib.SMTPServerDisconnected("amelia@example.org refused")

    monkeypatch.setattr(notifications, "send_templated", refuse)
    # An eager retry runs the task again at once; let its failure end as a result, not raise.
    monkeypatch.setitem(tasks.send_report_closed_email.app.conf, "task_eager_propagates", False)
    with caplog.at_level(logging.INFO):
        # The last attempt but one: it retries once (eagerly), then gives up.
        tasks.send_report_closed_email.apply(args=[report.pk], retries=7, throw=False)

    lines = [r.getMessage() for r in caplog.records if r.name == "portal.tasks"]
    name = f"notification portal.tasks.send_report_closed_email[{report.pk}]"
    assert any(line.startswith(f"{name} failed, will retry") for line in lines), lines
    assert any(line.startswith(f"{name} failed for good") for line in lines), lines
    assert any("SMTPServerDisconnected" in line for line in lines)
    everything = caplog.text  # Celery's own lines too (it logs the text of what a task raised)
    assert "amelia" not in everything
    assert "refused" not in everything
    report.refresh_from_db()
    assert report.reporter_notified_at is None


def test_reports_without_a_hash_are_not_lumped_together(admin_client, member, peer, third):
    """Reports made before reports carried the hash, about accounts erased since."""
    first, second = _report(member, peer), _report(member, third)
    Report.objects.update(subject_hash="", reported=None)

    html = admin_client.get("/admin/members/reports/").content.decode()

    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr")[1:]
    assert len(rows) == 2
    assert "2 reports" not in html
    assert all(f"/admin/members/reports/{r.pk}/" in html for r in (first, second))
