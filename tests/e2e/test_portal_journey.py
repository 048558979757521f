"""The member portal in a real browser: apply, verify, get approved, connect, talk."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.helpers import link_in_mail, log_in
from tests.factories.accounts import StaffFactory, totp_code
from tests.factories.portal import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)

APPLICANT_PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "member_photos": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


def test_apply_get_approved_connect_and_exchange_messages(live_server, new_page):
    base = live_server.url
    peer = MemberFactory(
        first_name="Tom",
        last_name="Walker",
        email="tom@example.org",
        organisation="Queensland Police Service",
        bio="Victim identification in online investigations.",
    )
    reviewer = StaffFactory(
        reviewer=True, mfa=True, first_name="Rhea", last_name="Reviewer", email="rhea@example.org"
    )

    # 1. Apply.
    applicant = new_page()
    applicant.goto(f"{base}/accounts/signup/")
    applicant.get_by_label("Given name(s)").fill("Jordan")
    applicant.get_by_label("Family name").fill("Lee")
    applicant.get_by_label("Work email address").fill("jordan@bank.example")
    applicant.locator("#id_password1").fill(APPLICANT_PASSWORD)
    applicant.locator("#id_password2").fill(APPLICANT_PASSWORD)
    applicant.get_by_label("Organisation").fill("Example Bank")
    applicant.get_by_label("Job title").fill("Financial crime analyst")
    applicant.get_by_label("Sector").select_option("financial_services")
    applicant.get_by_label("Country").select_option("AU")
    applicant.get_by_label("Why do you want to join?").fill(
        "I lead the team that reports payments linked to child exploitation."
    )
    applicant.locator("#id_accept_terms").check()
    applicant.get_by_role("button", name="Send my application").click()
    expect(applicant.get_by_role("heading", name="Check your email")).to_be_visible()

    # 2. Verify the email address with the link from the outbox.
    applicant.goto(base + link_in_mail(r"/accounts/confirm-email/\S+"))
    applicant.get_by_role("button", name="Confirm").click()

    # 3. Log in: the application is under review, the directory is closed.
    log_in(applicant, base, "jordan@bank.example", password=APPLICANT_PASSWORD)
    expect(
        applicant.get_by_role("heading", name="Your application is under review")
    ).to_be_visible()
    applicant.goto(f"{base}/portal/members/")
    expect(
        applicant.get_by_role("heading", name="Your application is under review")
    ).to_be_visible()
    expect(applicant.get_by_text("Walker")).to_have_count(0)

    # 4. Staff log in with their authenticator code and approve in the Wagtail admin.
    staff = new_page()
    log_in(staff, base, reviewer.email, totp_secret=reviewer.totp_secret)
    staff.goto(f"{base}/admin/members/")
    staff.get_by_role("link", name="Jordan Lee").click()
    expect(staff.get_by_text("I lead the team that reports payments")).to_be_visible()
    staff.get_by_label("Note").fill("Welcome to the portal.")
    staff.get_by_role("button", name="Approve").click()
    expect(staff.get_by_text("approved. They are emailed.")).to_be_visible()
    assert any("approved your application" in m.body for m in mail.outbox)

    # 5. The member finds a peer in the directory and asks to connect.
    applicant.goto(f"{base}/portal/")
    expect(applicant.get_by_role("heading", name="Welcome, Jordan")).to_be_visible()
    applicant.goto(f"{base}/portal/members/")
    applicant.get_by_label("Search members", exact=True).fill("victim identification")
    applicant.locator(".directory-filters").get_by_role("button", name="Search").click()
    applicant.get_by_role("link", name="Tom Walker", exact=True).click()
    applicant.get_by_label("Add a note (optional)").fill("Hello Tom, let us compare notes.")
    applicant.get_by_role("button", name="Send connection request").click()
    expect(applicant.get_by_text("Your request is on its way to Tom Walker.")).to_be_visible()

    # 6. The peer accepts and writes.
    tom = new_page()
    log_in(tom, base, peer.email)
    expect(tom.locator(".account-nav .count-badge")).to_have_text("1")
    tom.goto(f"{base}/portal/connections/")
    expect(tom.get_by_text("Hello Tom, let us compare notes.")).to_be_visible()
    tom.get_by_role("button", name="Accept Jordan Lee").click()
    expect(tom.get_by_text("You are now connected with Jordan Lee.")).to_be_visible()
    tom.get_by_role("link", name="Message Jordan Lee").click()
    tom.get_by_label("Your message").fill("Hi Jordan, happy to help.")
    tom.get_by_role("button", name="Send").click()
    expect(tom.locator(".bubble--mine")).to_contain_text("Hi Jordan, happy to help.")

    # 7. The member sees it, replies, and both see the whole thread.
    applicant.goto(f"{base}/portal/messages/")
    applicant.get_by_role("link", name="Tom Walker", exact=True).click()
    expect(applicant.get_by_text("Hi Jordan, happy to help.")).to_be_visible()
    applicant.get_by_label("Your message").fill("Thanks Tom, talk soon.")
    applicant.get_by_role("button", name="Send").click()
    expect(applicant.locator(".bubble--mine")).to_contain_text("Thanks Tom, talk soon.")

    tom.reload()
    expect(tom.locator(".thread")).to_contain_text("Hi Jordan, happy to help.")
    expect(tom.locator(".thread")).to_contain_text("Thanks Tom, talk soon.")


def test_staff_without_mfa_must_set_up_an_authenticator_before_the_admin(live_server, page):
    base = live_server.url
    staff = StaffFactory(email="editor@example.org")
    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))

    log_in(page, base, staff.email)
    page.goto(f"{base}/admin/")

    expect(page.get_by_text("Staff need two-factor authentication")).to_be_visible()
    # Just after logging in, nobody is asked for their password a second time.
    assert page.url.endswith("/accounts/2fa/totp/activate/")
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.goto(f"{base}/admin/")
    assert page.url == f"{base}/admin/"
    expect(page.locator("body")).not_to_contain_text("Staff need two-factor authentication")
