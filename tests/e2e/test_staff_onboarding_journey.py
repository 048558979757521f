"""A new member of staff in a real browser: an administrator adds them in Settings → Users, they
open the emailed invitation, choose a password, set up the authenticator app, see their
recovery codes once and land in the admin."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from playwright.sync_api import expect

from tests.e2e.helpers import link_in_mail, log_in, screenshots
from tests.factories.accounts import StaffFactory, totp_code
from tests.factories.portal import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "harbour-lantern-orbit-57"


def test_a_new_member_of_staff_goes_from_the_invitation_to_the_admin(live_server, new_page):
    base = live_server.url
    boss = StaffFactory(
        superuser=True,
        mfa=True,
        email="boss@example.org",
        password=PASSWORD,
        first_name="Bea",
        last_name="Boss",
    )
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))

    # The administrator adds the account in Settings → Users (no password fields).
    admin = new_page(viewport={"width": 1280, "height": 900})
    log_in(admin, base, boss.email, totp_secret=boss.totp_secret)
    admin.wait_for_url(f"{base}/admin/")
    admin.goto(f"{base}/admin/users/new/")
    expect(admin.locator("input[name=password1]")).to_have_count(0)
    admin.get_by_label("Email").fill("nadia.editor@example.org")
    admin.get_by_label("First Name").fill("Nadia")
    admin.get_by_label("Last Name").fill("Okoro")
    admin.locator("#tab-label-roles").click()
    admin.get_by_label("Editors").check()
    admin.get_by_role("button", name="Create").click()
    expect(admin.locator(".messages")).to_contain_text(
        "An invitation to set a password was emailed to nadia.editor@example.org"
    )

    (invitation,) = [m for m in mail.outbox if m.to == ["nadia.editor@example.org"]]
    link = link_in_mail(r"/portal/invitation/[^/\s]+/", invitation)

    # The new member of staff, on their phone.
    page = new_page(viewport={"width": 375, "height": 812})
    page.goto(base + link)
    expect(page.locator("h1")).to_have_text("Set your password")
    expect(page.locator("main")).to_contain_text("nadia.editor@example.org")
    screenshots(page, "1-set-password", full_page=True)
    page.get_by_label("Choose a password").fill(NEW_PASSWORD)
    page.get_by_label("The same password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()

    # Straight to the authenticator app: no "check your email", no password asked again.
    page.wait_for_url(f"{base}/accounts/2fa/totp/activate/")
    expect(page.locator("body")).to_contain_text("Your password is set")
    screenshots(page, "2-set-up-authenticator", full_page=True)
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    page.wait_for_url(f"{base}/accounts/2fa/recovery-codes/")
    codes = page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10
    expect(page.locator("main")).to_contain_text("shown only this once")
    screenshots(page, "3-recovery-codes", full_page=True)
    page.get_by_role("link", name="I have saved them: continue to the admin").click()

    page.wait_for_url(f"{base}/admin/")
    expect(page.locator("body")).to_contain_text("Nadia")
    screenshots(page, "4-admin", full_page=True)

    # The codes are not shown again, and the link has done its work.
    page.goto(f"{base}/accounts/2fa/recovery-codes/")
    for code in codes:
        expect(page.locator("main")).not_to_contain_text(code)
    page.goto(base + link)
    expect(page.locator("h1")).to_have_text("This invitation link does not work any more")
    screenshots(page, "5-link-used", full_page=True)
