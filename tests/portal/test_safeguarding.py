"""Decisions that stick: the safeguarding record, flagged applications, erasure rules,
applying again after a rejection, the retention purge and the log lines."""

import logging
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from portal import safeguarding, services
from portal.models import (
    EarlierApplication,
    Membership,
    MembershipDecision,
    Report,
    SafeguardingRecord,
    User,
)
from tests.factories.accounts import login_staff
from tests.factories.portal import PASSWORD, ApplicantFactory, MemberFactory
from tests.portal.test_signup import SIGNUP

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, reviewer):
    login_staff(client, reviewer)
    return client


def _reject(applicant, reviewer, note="We could not confirm your role at the bank."):
    return services.membership_decide(
        membership_id=applicant.membership.pk, action="reject", decided_by=reviewer, note=note
    )


def _fresh_login(client, user):
    client.force_login(user)
    assert client.post("/accounts/reauthenticate/", {"password": PASSWORD}).status_code == 302


# --- Normalisation and the keyed hash ----------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "normalised"),
    [
        ("Jordan.Lee@Bank.Example", "jordan.lee@bank.example"),
        ("jordan.lee+portal@bank.example", "jordan.lee@bank.example"),
        ("J.O.R.D.A.N+x@GoogleMail.com", "jordan@gmail.com"),
        ("jordan@gmail.com.", "jordan@gmail.com"),
        (" anna@Bücher.example ", "anna@xn--bcher-kva.example"),
        ("anna@xn--bcher-kva.example", "anna@xn--bcher-kva.example"),
        ("ｊｏｒｄａｎ@bank.example", "jordan@bank.example"),  # full-width letters
        ("first.last@outlook.com", "first.last@outlook.com"),  # dots matter elsewhere
        ("not-an-address", "not-an-address"),
        ("+tag@bank.example", "+tag@bank.example"),
    ],
)
def test_addresses_of_one_mailbox_normalise_to_one_form(address, normalised):
    assert safeguarding.normalise_email(address) == normalised


def test_the_hash_is_keyed_and_reveals_nothing_of_the_address(settings):
    settings.PORTAL_SAFEGUARDING_KEY = "key-one"
    first = safeguarding.email_hash("J.Doe+x@gmail.com")
    assert first == safeguarding.email_hash("jdoe@googlemail.com")
    assert re.fullmatch(r"[0-9a-f]{64}", first)
    assert "jdoe" not in first

    settings.PORTAL_SAFEGUARDING_KEY = "key-two"
    assert safeguarding.email_hash("jdoe@gmail.com") != first
    settings.PORTAL_SAFEGUARDING_KEY_FALLBACKS = ["key-one"]
    assert first in safeguarding.email_hashes(["jdoe@gmail.com"])


def test_without_a_dedicated_key_it_is_derived_from_secret_key(settings):
    settings.PORTAL_SAFEGUARDING_KEY = ""
    settings.SECRET_KEY = "secret-one"
    first = safeguarding.email_hash("jdoe@gmail.com")
    settings.SECRET_KEY = "secret-two"
    settings.SECRET_KEY_FALLBACKS = ["secret-one"]

    assert safeguarding.email_hash("jdoe@gmail.com") != first
    assert first in safeguarding.email_hashes(["jdoe@gmail.com"])


# --- Records and flags -------------------------------------------------------------------------


def test_a_rejection_leaves_a_record_that_outlives_the_account(client, reviewer):
    applicant = ApplicantFactory(email="jordan.lee@gmail.com")
    decision = _reject(applicant, reviewer)
    record = decision.safeguarding_record
    assert (record.kind, record.reason, record.user) == (
        "rejected",
        "We could not confirm your role at the bank.",
        applicant,
    )
    assert record.expires_at - record.decided_at == timedelta(days=2557)

    _fresh_login(client, applicant)
    assert client.post("/portal/account/delete/", {"confirm": "on"}).status_code == 302

    assert not User.objects.filter(pk=applicant.pk).exists()
    record.refresh_from_db()
    assert record.user is None
    assert record.email_hash == safeguarding.email_hash("jordan.lee@gmail.com")
    assert "jordan" not in f"{record.email_hash}{record.other_hashes}{record.reason}"
    decision.refresh_from_db()
    assert decision.user is None
    assert decision.safeguarding_record == record


def test_signing_up_again_after_erasure_is_flagged_in_the_queue(
    client, reviewer, django_capture_on_commit_callbacks
):
    applicant = ApplicantFactory(email="jordan.lee@gmail.com")
    _reject(applicant, reviewer)
    services.account_delete(user=applicant)

    # The same person, at once, with another spelling of the same Gmail mailbox.
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", {**SIGNUP, "email": "Jordan.Lee+again@googlemail.com"})
    link = re.search(r"(/accounts/confirm-email/[^\s]+)", mail.outbox[-1].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link)
    to_reviewers = [m for m in mail.outbox if reviewer.email in m.to]
    assert "matches an earlier safeguarding decision" in to_reviewers[-1].body
    newcomer = User.objects.get(email__iexact="jordan.lee+again@googlemail.com")
    assert newcomer.membership.status == Membership.Status.PENDING

    login_staff(client, reviewer)
    queue = client.get("/admin/members/").content.decode()
    assert "Flagged" in queue
    assert "Application rejected" in queue
    assert "We could not confirm your role at the bank." in queue
    assert "by an account since erased" in queue
    page = client.get(f"/admin/members/{newcomer.membership.pk}/").content.decode()
    assert "Earlier safeguarding decisions" in page
    assert 'name="override_note"' in page


def test_an_unrelated_applicant_is_not_flagged(admin_client, reviewer):
    _reject(ApplicantFactory(email="jordan.lee@gmail.com"), reviewer)
    ApplicantFactory(email="jordan.leeds@gmail.com")

    queue = admin_client.get("/admin/members/").content.decode()

    assert "Flagged" not in queue


def test_a_flagged_applicant_is_approved_only_with_an_override_note(
    admin_client, reviewer, django_capture_on_commit_callbacks
):
    suspended = MemberFactory(email="sam@bank.example")
    services.membership_decide(
        membership_id=suspended.membership.pk,
        action="suspend",
        decided_by=reviewer,
        note="Shared a member's contact details outside the portal.",
    )
    services.account_delete(user=suspended, erased_by=reviewer)
    newcomer = ApplicantFactory(email="SAM+new@bank.example")
    url = f"/admin/members/{newcomer.membership.pk}/decide/approve/"

    refused = admin_client.post(url, {"note": "Welcome"})

    assert refused.status_code == 400
    html = refused.content.decode()
    assert "matches an earlier safeguarding decision" in html
    assert "Membership suspended" in html
    assert "outside the portal" in html
    assert "Welcome" in html  # the form keeps what was typed
    newcomer.membership.refresh_from_db()
    assert newcomer.membership.status == Membership.Status.PENDING
    with pytest.raises(ValidationError):
        services.membership_decide(
            membership_id=newcomer.membership.pk, action="approve", decided_by=reviewer
        )

    with django_capture_on_commit_callbacks(execute=True):
        done = admin_client.post(
            url, {"note": "Welcome", "override_note": "Checked with their employer: resolved."}
        )

    assert done.status_code == 302
    decision = MembershipDecision.objects.get(user=newcomer, action="approve")
    assert (decision.override_note, decision.decided_by) == (
        "Checked with their employer: resolved.",
        reviewer,
    )
    assert decision.created_at is not None
    assert "Checked with their employer" not in mail.outbox[-1].body  # staff-only
    history = admin_client.get("/admin/members/decisions/").content.decode()
    assert "Safeguarding override:" in history
    assert "Checked with their employer" in history
    assert "An erased account (safeguarding record no." in history


def test_an_address_changed_before_erasure_still_matches(reviewer):
    member = MemberFactory(email="old@bank.example")
    record = services.membership_decide(
        membership_id=member.membership.pk, action="suspend", decided_by=reviewer, note="Spam."
    ).safeguarding_record
    EmailAddress.objects.filter(user=member).delete()
    User.objects.filter(pk=member.pk).update(email="new@bank.example")
    EmailAddress.objects.create(user=member, email="new@bank.example", verified=True, primary=True)
    member = User.objects.get(pk=member.pk)

    services.account_delete(user=member, erased_by=reviewer)

    assert [r.pk for r in safeguarding.records_matching(ApplicantFactory(email="new@bank.example"))]
    assert [r.pk for r in safeguarding.records_matching(ApplicantFactory(email="old@bank.example"))]
    record.refresh_from_db()
    assert safeguarding.email_hash("new@bank.example") in record.other_hashes


def test_reinstatement_lifts_the_record_but_keeps_it(reviewer):
    member = MemberFactory(email="sam@bank.example")
    membership_id = member.membership.pk
    services.membership_decide(
        membership_id=membership_id, action="suspend", decided_by=reviewer, note="Check."
    )
    services.membership_decide(membership_id=membership_id, action="reinstate", decided_by=reviewer)

    record = SafeguardingRecord.objects.get(user=member)
    assert record.kind == "suspended"
    assert record.lifted_at is not None


# --- Erasure while suspended or reported --------------------------------------------------------


def test_a_suspended_member_cannot_erase_their_account_and_is_told_how_to_ask(client, reviewer):
    member = MemberFactory(email="sam@bank.example")
    services.membership_decide(
        membership_id=member.membership.pk, action="suspend", decided_by=reviewer, note="Spam."
    )
    _fresh_login(client, member)

    page = client.get("/portal/account/delete/").content.decode()
    response = client.post("/portal/account/delete/", {"confirm": "on"})

    assert "Your membership is suspended" in page
    assert "mailto:privacy@example.org" in page
    assert 'name="confirm"' not in page
    assert response.status_code == 403
    assert User.objects.filter(pk=member.pk).exists()
    with pytest.raises(services.ErasureRefused):
        services.account_delete(user=member)
    status = client.get("/portal/").content.decode()
    assert "cannot delete your account yourself" in status


def test_a_member_with_an_open_report_cannot_erase_it_and_is_not_told_why(client, member, peer):
    report = services.member_report(
        reporter=peer,
        reported=member,
        reason="harassment",
        details="Rude.",
        share_conversation=False,
    )
    _fresh_login(client, member)

    response = client.post("/portal/account/delete/", {"confirm": "on"})

    main = re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)
    assert response.status_code == 403
    assert "cannot be deleted from this page at the moment" in main
    assert "report" not in main.lower()
    assert User.objects.filter(pk=member.pk).exists()

    Report.objects.filter(pk=report.pk).update(status=Report.Status.RESOLVED)
    assert client.post("/portal/account/delete/", {"confirm": "on"}).status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()


def test_staff_erase_a_suspended_members_account_from_the_admin(admin_client, reviewer):
    member = MemberFactory(email="sam@bank.example")
    services.membership_decide(
        membership_id=member.membership.pk, action="suspend", decided_by=reviewer, note="Spam."
    )
    pk = member.membership.pk

    page = admin_client.get(f"/admin/members/{pk}/").content.decode()
    unconfirmed = admin_client.post(f"/admin/members/{pk}/erase/", {})
    assert "Erase this account" in page
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm." in unconfirmed.content.decode()
    assert User.objects.filter(pk=member.pk).exists()

    response = admin_client.post(f"/admin/members/{pk}/erase/", {"confirm": "on"})

    assert (response.status_code, response["Location"]) == (302, "/admin/members/all/")
    assert not User.objects.filter(pk=member.pk).exists()
    assert SafeguardingRecord.objects.filter(kind="suspended", user__isnull=True).count() == 1


def test_only_reviewers_erase_other_peoples_accounts(member, peer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.account_delete(user=member, erased_by=peer)
    assert User.objects.filter(pk=member.pk).exists()


# --- Applying again after a rejection -----------------------------------------------------------


def test_a_rejected_applicant_is_told_when_they_can_apply_again(
    client, reviewer, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_REAPPLY_AFTER_DAYS = 90
    applicant = ApplicantFactory(email="jordan@bank.example")
    with django_capture_on_commit_callbacks(execute=True):
        _reject(applicant, reviewer)
    client.force_login(applicant)

    status = client.get("/portal/").content.decode()
    early = client.post("/portal/apply-again/", {"reason": "x" * 30})

    again = timezone.localdate(timezone.now() + timedelta(days=90))
    assert f"you can apply again from {again:%-d %B %Y}" in status
    assert f"You can apply again from {again:%-d %B %Y}" in mail.outbox[-1].body
    assert "/portal/" in mail.outbox[-1].body
    assert 'href="/portal/apply-again/"' not in status
    assert early.status_code == 403
    applicant.membership.refresh_from_db()
    assert applicant.membership.status == Membership.Status.REJECTED
    with pytest.raises(ValidationError, match="apply again from"):
        services.application_reapply(
            user=applicant,
            organisation="Bank",
            job_title="Analyst",
            sector="financial_services",
            country="AU",
            reason="x" * 30,
        )


def test_after_the_period_they_apply_again_and_the_reviewer_sees_the_earlier_application(
    client, reviewer, django_capture_on_commit_callbacks
):
    applicant = ApplicantFactory(email="jordan@bank.example")
    _reject(applicant, reviewer, note="Your role is not in child protection.")
    Membership.objects.filter(user=applicant).update(decided_at=timezone.now() - timedelta(days=91))
    client.force_login(applicant)
    assert 'href="/portal/apply-again/"' in client.get("/portal/").content.decode()
    form = client.get("/portal/apply-again/").content.decode()
    assert 'value="Example Bank"' in form  # the earlier answers, to change

    invalid = client.post("/portal/apply-again/", {"organisation": "Harbour Bank"})
    assert invalid.status_code == 200
    assert 'value="Harbour Bank"' in invalid.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/portal/apply-again/",
            {
                "organisation": "Harbour Bank",
                "job_title": "Head of financial crime",
                "sector": "financial_services",
                "country": "AU",
                "reason": "I now lead the team that reports exploitation-linked payments.",
            },
        )

    assert response.status_code == 302
    membership = Membership.objects.get(user=applicant)
    assert membership.status == Membership.Status.PENDING
    earlier = EarlierApplication.objects.get(membership=membership)
    assert earlier.organisation == "Example Bank"
    assert earlier.reason.startswith("I investigate payments")
    assert earlier.decision.note == "Your role is not in child protection."
    assert any(reviewer.email in m.to for m in mail.outbox)
    exported = services.account_export(user=applicant)["membership"]["earlier_applications"]
    assert [e["organisation"] for e in exported] == ["Example Bank"]

    login_staff(client, reviewer)
    queue = client.get("/admin/members/").content.decode()
    assert "Applying again" in queue
    assert "1 earlier application" in queue
    page = client.get(f"/admin/members/{membership.pk}/").content.decode()
    assert "Earlier applications" in page
    assert "I investigate payments linked to child exploitation." in page
    assert "Your role is not in child protection." in page
    assert "Harbour Bank" in page


def test_only_a_rejected_applicant_can_apply_again(client, member):
    client.force_login(member)

    assert "apply-again" not in client.get("/portal/account/").content.decode()
    with pytest.raises(ValidationError):
        services.application_reapply(
            user=member,
            organisation="Bank",
            job_title="Analyst",
            sector="financial_services",
            country="AU",
            reason="x" * 30,
        )
    response = client.post("/portal/apply-again/", {})
    assert response.status_code == 403


# --- Retention ----------------------------------------------------------------------------------


def test_the_purge_deletes_only_what_is_past_its_retention(reviewer, member, peer, settings):
    settings.PORTAL_SAFEGUARDING_RETENTION_DAYS = 30
    applicant = ApplicantFactory(email="old@bank.example")
    old = _reject(applicant, reviewer).safeguarding_record
    services.account_delete(user=applicant)
    fresh = _reject(ApplicantFactory(email="new@bank.example"), reviewer).safeguarding_record
    open_report = services.member_report(
        reporter=member, reported=peer, reason="spam", details="Ads.", share_conversation=False
    )
    closed_report = services.member_report(
        reporter=peer, reported=member, reason="spam", details="Ads.", share_conversation=False
    )
    services.report_resolve(report_id=closed_report.pk, resolved_by=reviewer, note="Warned.")
    long_ago = timezone.now() - timedelta(days=31)
    SafeguardingRecord.objects.filter(
        pk__in=[old.pk, open_report.safeguarding_record_id, closed_report.safeguarding_record_id]
    ).update(expires_at=long_ago)
    Report.objects.filter(pk=closed_report.pk).update(resolved_at=long_ago)
    MembershipDecision.objects.filter(user__isnull=True).update(created_at=long_ago)

    call_command("purge_safeguarding_records", stdout=open("/dev/null", "w"))  # noqa: SIM115

    remaining = set(SafeguardingRecord.objects.values_list("pk", flat=True))
    assert remaining == {fresh.pk, open_report.safeguarding_record_id}
    assert list(Report.objects.values_list("pk", flat=True)) == [open_report.pk]
    assert not MembershipDecision.objects.filter(user__isnull=True).exists()
    from portal import tasks

    assert tasks.purge_safeguarding_records() == {"records": 0, "reports": 0, "decisions": 0}


def test_the_purge_runs_every_night(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["portal-purge-safeguarding-records"]
    assert entry["task"] == "portal.tasks.purge_safeguarding_records"


# --- Log lines ----------------------------------------------------------------------------------


def test_decisions_reports_and_erasures_are_logged_with_ids_only(caplog, reviewer, member, peer):
    applicant = ApplicantFactory(email="jordan@bank.example", first_name="Jordan")
    applicant_id, membership_id = applicant.pk, applicant.membership.pk
    with caplog.at_level(logging.INFO, logger="portal"):
        decision = _reject(applicant, reviewer)
        report = services.member_report(
            reporter=member,
            reported=peer,
            reason="harassment",
            details="He wrote to me at night.",
            share_conversation=False,
        )
        services.report_resolve(report_id=report.pk, resolved_by=reviewer, note="Warned him.")
        services.membership_decide(
            membership_id=peer.membership.pk, action="suspend", decided_by=reviewer, note="Abuse."
        )
        services.account_delete(user=applicant)

    text = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("portal"))
    assert f"membership {membership_id}: reject by user {reviewer.pk}" in text
    assert f"(decision {decision.pk})" in text
    assert f"report {report.pk} made by user {member.pk} about user {peer.pk}" in text
    assert f"report {report.pk} resolved by user {reviewer.pk}" in text
    assert f"membership {peer.membership.pk}: suspend" in text
    assert f"account of user {applicant_id} erased by its owner" in text
    for secret in ("jordan", "Jordan", "example", "at night", "Warned", "Abuse", "role"):
        assert secret not in text


def test_hostile_input_to_the_new_forms_is_refused_with_errors_not_500(reviewer):
    from django.test import Client

    applicant = ApplicantFactory(email="jordan@bank.example")
    _reject(applicant, reviewer)
    Membership.objects.filter(user=applicant).update(
        decided_at=timezone.now() - timedelta(days=365)
    )
    client = Client(raise_request_exception=False)
    client.force_login(applicant)
    hostile = {
        "organisation": "x" * 10_000,
        "job_title": "An\x00alyst",
        "sector": "<script>alert(1)</script>",
        "country": "\x00",
        "reason": "Twenty characters at least\x00 with a NUL",
    }
    response = client.post("/portal/apply-again/", hostile)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert Membership.objects.get(user=applicant).status == Membership.Status.REJECTED

    staff = Client(raise_request_exception=False)
    login_staff(staff, reviewer)
    newcomer = ApplicantFactory(email="jordan+2@bank.example")
    response = staff.post(
        f"/admin/members/{newcomer.membership.pk}/decide/approve/",
        {"note": "ok", "override_note": "Because\x00"},
    )
    assert response.status_code == 400
    assert Membership.objects.get(user=newcomer).status == Membership.Status.PENDING
    assert staff.post("/admin/members/99999999/erase/", {"confirm": "on"}).status_code == 404


def test_the_demo_privacy_policy_says_what_is_kept_after_erasure_and_for_how_long(settings):
    from blog.demo import page_body

    settings.PORTAL_SAFEGUARDING_RETENTION_DAYS = 2557
    settings.PORTAL_REAPPLY_AFTER_DAYS = 90
    text = str(page_body("privacy"))

    assert "What we keep after an account is deleted" in text
    assert "keyed hash" in text
    assert "for 7 years from the decision" in text
    assert "apply again after 90 days" in text
    assert "cannot delete your account yourself" in text


def test_applying_again_works_for_an_account_without_a_profile(client, reviewer):
    from portal.models import MemberProfile

    applicant = ApplicantFactory(email="jordan@bank.example")
    _reject(applicant, reviewer)
    MemberProfile.objects.filter(user=applicant).delete()
    Membership.objects.filter(user=applicant).update(decided_at=timezone.now() - timedelta(days=91))
    client.force_login(applicant)

    assert client.get("/portal/apply-again/").status_code == 200
    response = client.post(
        "/portal/apply-again/",
        {
            "organisation": "Harbour Bank",
            "job_title": "Analyst",
            "sector": "financial_services",
            "country": "NZ",
            "reason": "I review payments linked to child exploitation.",
        },
    )

    assert response.status_code == 302
    assert MemberProfile.objects.get(user=applicant).country == "NZ"
    assert Membership.objects.get(user=applicant).status == Membership.Status.PENDING
