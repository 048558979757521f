"""Staff vetting: the services, the emails and the Wagtail admin screens."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from portal import selectors, services
from portal.models import Membership, MembershipDecision
from tests.factories.accounts import StaffFactory, login_staff
from tests.factories.portal import ApplicantFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(db):
    return ApplicantFactory(first_name="Jordan", last_name="Lee", email="jordan@example.org")


@pytest.fixture
def admin_client(client, reviewer):
    login_staff(client, reviewer)
    return client


def test_approval_adds_the_member_to_the_group_records_it_and_emails_them(
    applicant, reviewer, django_capture_on_commit_callbacks
):
    membership = applicant.membership
    with django_capture_on_commit_callbacks(execute=True):
        decision = services.membership_decide(
            membership_id=membership.pk, action="approve", decided_by=reviewer, note="Welcome!"
        )

    membership.refresh_from_db()
    assert membership.status == Membership.Status.APPROVED
    assert selectors.user_is_approved_member(type(applicant).objects.get(pk=applicant.pk))
    assert (decision.decided_by, decision.note, decision.action) == (
        reviewer,
        "Welcome!",
        "approve",
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["jordan@example.org"]
    assert "approved your application" in mail.outbox[0].body
    assert "Welcome!" in mail.outbox[0].body
    decision.refresh_from_db()
    assert decision.email_sent_at is not None


def test_the_decision_email_is_sent_once_even_if_the_task_runs_twice(applicant, reviewer):
    from portal import tasks

    decision = services.membership_decide(
        membership_id=applicant.membership.pk, action="approve", decided_by=reviewer
    )
    tasks.send_decision_email(decision.pk)
    tasks.send_decision_email(decision.pk)

    assert len(mail.outbox) == 1


def test_the_email_waits_for_the_transaction_to_commit(
    applicant, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.membership_decide(
            membership_id=applicant.membership.pk, action="approve", decided_by=reviewer
        )

    assert mail.outbox == []
    assert len(callbacks) == 1


def test_rejection_needs_a_note_and_sends_it(
    applicant, reviewer, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError):
        services.membership_decide(
            membership_id=applicant.membership.pk, action="reject", decided_by=reviewer, note=" "
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_decide(
            membership_id=applicant.membership.pk,
            action="reject",
            decided_by=reviewer,
            note="We could not confirm your role.",
        )

    applicant.membership.refresh_from_db()
    assert applicant.membership.status == Membership.Status.REJECTED
    assert not applicant.groups.exists()
    assert "We could not confirm your role." in mail.outbox[0].body


def test_suspension_removes_access_and_reinstatement_restores_it(reviewer):
    member = MemberFactory(email="suspend@example.org")
    membership = member.membership

    services.membership_decide(
        membership_id=membership.pk, action="suspend", decided_by=reviewer, note="Breach."
    )
    member = type(member).objects.get(pk=member.pk)
    assert not selectors.user_is_approved_member(member)
    assert not selectors.approved_profiles().filter(user=member).exists()

    services.membership_decide(membership_id=membership.pk, action="reinstate", decided_by=reviewer)
    member = type(member).objects.get(pk=member.pk)
    assert selectors.user_is_approved_member(member)
    actions = list(
        MembershipDecision.objects.filter(user=member)
        .order_by("created_at")
        .values_list("action", flat=True)
    )
    assert actions == ["suspend", "reinstate"]


def test_impossible_transitions_are_refused(applicant, reviewer):
    with pytest.raises(ValidationError):
        services.membership_decide(
            membership_id=applicant.membership.pk, action="suspend", decided_by=reviewer, note="x"
        )
    with pytest.raises(ValidationError):
        services.membership_decide(
            membership_id=applicant.membership.pk, action="reinstate", decided_by=reviewer
        )


def test_only_reviewers_may_decide(applicant):
    editor = StaffFactory()

    with pytest.raises(PermissionDenied):
        services.membership_decide(
            membership_id=applicant.membership.pk, action="approve", decided_by=editor
        )


def test_the_queue_lists_verified_applicants_only(admin_client, applicant):
    unverified = ApplicantFactory(status=Membership.Status.UNVERIFIED, email="later@example.org")

    response = admin_client.get("/admin/members/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "jordan@example.org" in html
    assert unverified.email not in html


def test_the_review_page_shows_the_answers_and_approving_there_works(
    admin_client, applicant, django_capture_on_commit_callbacks
):
    pk = applicant.membership.pk
    page = admin_client.get(f"/admin/members/{pk}/").content.decode()
    assert "I investigate payments linked to child exploitation." in page
    assert "Example Bank" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/members/{pk}/decide/approve/", {"note": "Welcome"})

    assert response.status_code == 302
    applicant.membership.refresh_from_db()
    assert applicant.membership.status == Membership.Status.APPROVED
    history = admin_client.get("/admin/members/decisions/").content.decode()
    assert "Welcome" in history
    assert "Rhea Reviewer" in history


def test_rejecting_without_a_note_in_the_admin_shows_the_error(admin_client, applicant):
    response = admin_client.post(f"/admin/members/{applicant.membership.pk}/decide/reject/", {})

    assert response.status_code == 400
    assert "Please give the reason" in response.content.decode()
    applicant.membership.refresh_from_db()
    assert applicant.membership.status == Membership.Status.PENDING


def test_editors_cannot_open_the_review_screens(client, applicant):
    from django.contrib.auth.models import Permission

    editor = StaffFactory()
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    login_staff(client, editor)

    assert client.get("/admin/").status_code == 200
    # Wagtail answers a PermissionDenied in its admin with a redirect to the dashboard.
    pk = applicant.membership.pk
    for url in ("/admin/members/", f"/admin/members/{pk}/", "/admin/members/reports/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/"), url
    response = client.post(f"/admin/members/{pk}/decide/approve/", {})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    applicant.membership.refresh_from_db()
    assert applicant.membership.status == Membership.Status.PENDING


def test_reports_show_a_shared_conversation_and_can_be_resolved(admin_client, member, peer):
    request = services.connection_request_send(sender=member, recipient=peer)
    services.connection_request_accept(user=peer, request_id=request.pk)
    services.message_send(sender=peer, recipient=member, body="An unacceptable message")
    shared = services.member_report(
        reporter=member,
        reported=peer,
        reason="harassment",
        details="See the thread.",
        share_conversation=True,
    )
    private = services.member_report(
        reporter=member, reported=peer, reason="spam", details="Adverts.", share_conversation=False
    )

    listing = admin_client.get("/admin/members/reports/").content.decode()
    assert "Harassment or abuse" in listing
    assert "Spam or unsolicited promotion" in listing
    assert (
        "An unacceptable message"
        in admin_client.get(f"/admin/members/reports/{shared.pk}/").content.decode()
    )
    private_page = admin_client.get(f"/admin/members/reports/{private.pk}/").content.decode()
    assert "An unacceptable message" not in private_page
    assert "did not share a conversation" in private_page

    empty = admin_client.post(f"/admin/members/reports/{private.pk}/", {"note": ""})
    assert empty.status_code == 400
    done = admin_client.post(f"/admin/members/reports/{private.pk}/", {"note": "Warned them."})
    assert done.status_code == 302
    private.refresh_from_db()
    assert (private.status, private.resolution_note) == ("resolved", "Warned them.")


def test_staff_can_edit_any_members_profile(admin_client, member):
    url = f"/admin/members/profiles/{member.profile.pk}/"
    assert "Edit member profile" in admin_client.get(url).content.decode()

    response = admin_client.post(
        url,
        {
            "first_name": "Amelia",
            "last_name": "Chen-Smith",
            "organisation": "Harbour Bank",
            "job_title": "Director",
            "sector": "financial_services",
            "country": "AU",
            "contact_visibility": "connections",
        },
    )

    assert response.status_code == 302
    member.refresh_from_db()
    member.profile.refresh_from_db()
    assert (member.last_name, member.profile.job_title) == ("Chen-Smith", "Director")


def test_the_admin_menu_shows_the_queue_size_to_reviewers(admin_client, applicant):
    html = admin_client.get("/admin/").content.decode()

    assert "Applications to review (1)" in html
