"""The review queue in a real browser: a flagged applicant (the same person as an erased,
rejected account) cannot be approved without an override note; grouped reports."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from portal import services
from portal.models import Membership, MembershipDecision
from tests.e2e.helpers import (
    PHONE,
    accessibility_problems,
    load_axe,
    log_in,
    problems_report,
    screenshots,
)
from tests.factories.accounts import StaffFactory
from tests.factories.portal import PASSWORD, ApplicantFactory, MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_reviewer_sees_the_flag_and_must_give_an_override_note(live_server, new_page):
    reviewer = StaffFactory(
        reviewer=True, mfa=True, first_name="Rhea", last_name="Reviewer", email="rhea@example.org"
    )
    earlier = ApplicantFactory(first_name="Jordan", last_name="Lee", email="jordan.lee@gmail.com")
    services.membership_decide(
        membership_id=earlier.membership.pk,
        action="reject",
        decided_by=reviewer,
        note="We could not confirm a role in child protection.",
    )
    services.account_delete(user=earlier)
    newcomer = ApplicantFactory(
        first_name="Jordan", last_name="Lee", email="Jordan.Lee+2@googlemail.com"
    )
    ApplicantFactory(first_name="Sam", last_name="Okafor", email="sam@bank.example")
    reporter, reported, witness = (
        MemberFactory(first_name="Amelia", last_name="Chen", email="amelia@example.org"),
        MemberFactory(first_name="Tom", last_name="Walker", email="tom@example.org"),
        MemberFactory(first_name="Priya", last_name="Nair", email="priya@example.org"),
    )
    for who, reason in ((reporter, "harassment"), (witness, "conduct")):
        services.member_report(
            reporter=who,
            reported=reported,
            reason=reason,
            details="Messages late at night.",
            share_conversation=False,
        )

    base = live_server.url
    page = new_page(viewport={"width": 375, "height": 900})
    log_in(page, base, reviewer.email, totp_secret=reviewer.totp_secret)

    page.goto(f"{base}/admin/members/")
    flagged_row = page.locator("tr", has=page.get_by_role("link", name="Jordan Lee"))
    expect(flagged_row.get_by_text("Flagged")).to_be_visible()
    expect(flagged_row.get_by_text("We could not confirm a role")).to_be_visible()
    expect(page.locator("tr", has_text="Sam Okafor").get_by_text("Flagged")).to_have_count(0)
    screenshots(page, "queue")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Jordan Lee").click()
    expect(page.get_by_role("heading", name="Earlier safeguarding decisions")).to_be_visible()
    page.get_by_label("Note", exact=True).fill("Welcome.")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("matches an earlier safeguarding decision")).to_be_visible()
    expect(page.get_by_label("Note", exact=True)).to_have_value("Welcome.")
    screenshots(page, "application-refused")
    screenshots(page, "decision-form", target=page.locator("#decision-form"))
    page.get_by_label("Why approve despite the earlier decision").fill(
        "Spoke to their manager: the role is confirmed."
    )
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("approved. They are emailed.")).to_be_visible()
    decision = MembershipDecision.objects.get(user=newcomer, action="approve")
    assert decision.override_note == "Spoke to their manager: the role is confirmed."

    page.goto(f"{base}/admin/members/reports/")
    group = page.locator("tr", has_text="Tom Walker")
    expect(group.get_by_text("2 reports")).to_be_visible()
    screenshots(page, "reports")


def test_the_pages_that_explain_a_decision_are_accessible(live_server, new_page):
    """Applying again (with errors) and deletion refused while suspended: axe finds nothing,
    nothing scrolls sideways at 320 or 1280 px."""
    reviewer = StaffFactory(reviewer=True, email="rhea@example.org")
    rejected = ApplicantFactory(first_name="Jordan", email="jordan@bank.example")
    services.membership_decide(
        membership_id=rejected.membership.pk, action="reject", decided_by=reviewer, note="No."
    )
    Membership.objects.filter(user=rejected).update(decided_at=timezone.now() - timedelta(days=100))
    suspended = MemberFactory(first_name="Sam", email="sam@bank.example")
    services.membership_decide(
        membership_id=suspended.membership.pk, action="suspend", decided_by=reviewer, note="x"
    )
    base = live_server.url
    problems = {}

    for user, steps in (
        (rejected, ("/portal/", "/portal/apply-again/", "submit")),
        (suspended, ("/portal/account/delete/",)),
    ):
        page = new_page(viewport=PHONE)
        load_axe(page.context)
        log_in(page, base, user.email)
        for step in steps:
            if step == "submit":
                page.get_by_role("button", name="Send my application").click()
                expect(page.get_by_text("This field is required.")).to_be_visible()
            else:
                page.goto(f"{base}{step}")
                if "/reauthenticate/" in page.url:
                    page.get_by_label("Password").fill(PASSWORD)
                    page.get_by_role("button", name="Confirm").click()
                    page.wait_for_url(f"**{step}")
            problems |= accessibility_problems(page, step)
            screenshots(
                page, "member-" + (step.strip("/").replace("/", "-") or "apply-again-errors")
            )

    report = problems_report(problems)
    assert not report, report
