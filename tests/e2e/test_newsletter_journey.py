"""The newsletter end to end in headless Chromium: a reader subscribes from the footer and
confirms; staff (logged in with TOTP) compose an issue in Wagtail, send a test, send it; the
reader receives it and unsubscribes with one click."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from newsletter.models import Issue, Subscriber
from tests.e2e.helpers import link_in_mail, log_in
from tests.factories.accounts import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_subscribe_compose_send_unsubscribe(live_server, new_page):
    staff = StaffFactory(newsletter_editor=True, mfa=True, email="editor@example.org")
    reader = new_page()

    # A reader signs up from the footer of a public page, without any JavaScript help.
    reader.goto(f"{live_server.url}/newsletter/archive/")
    footer = reader.locator("footer form.signup-form")
    footer.get_by_label("Email address").fill("  Reader@Example.org ")
    footer.get_by_label("First name").fill("Robin")
    footer.get_by_label("I agree to receive").check()
    footer.get_by_role("button", name="Subscribe").click()
    reader.wait_for_url("**/newsletter/check-your-inbox/")
    assert reader.get_by_role("heading", name="Check your inbox").is_visible()

    # The confirmation email arrives; its link asks for one more click.
    [confirmation] = mail.outbox
    assert confirmation.to == ["reader@example.org"]
    reader.goto(live_server.url + link_in_mail(r"/newsletter/confirm/\S+/", confirmation))
    reader.get_by_role("button", name="Confirm my subscription").click()
    assert reader.get_by_role("heading", name="You are subscribed").is_visible()
    assert Subscriber.objects.get(email="reader@example.org").status == "confirmed"

    # Staff log in (password, then the TOTP code) and compose an issue in Wagtail.
    admin = new_page(viewport={"width": 1280, "height": 900})
    log_in(admin, live_server.url, staff.email, totp_secret=staff.totp_secret, next_url="/admin/")

    admin.goto(f"{live_server.url}/admin/snippets/newsletter/issue/add/")
    admin.locator("#id_subject").fill("Spring news from ICMEC Australia")
    admin.locator("#id_preheader").fill("Training dates and a new report")
    admin.get_by_role("button", name="Insert a block").first.click()
    admin.get_by_role("option", name="Heading").click()
    admin.locator("input[name='body-0-value']").fill("Training this spring")
    admin.get_by_role("button", name="Save").first.click()
    admin.wait_for_url("**/admin/snippets/newsletter/issue/**")
    issue = Issue.objects.get(subject="Spring news from ICMEC Australia")
    assert issue.body[0].value == "Training this spring"

    # Send a test to themselves, then send it for real after confirming the count.
    admin.goto(f"{live_server.url}/admin/newsletter/issues/{issue.pk}/send/")
    assert "will go to 1 confirmed subscriber" in admin.locator("main").inner_text()
    admin.get_by_role("button", name=re.compile("Send a test to me")).click()
    admin.wait_for_load_state()
    test_mail = mail.outbox[-1]
    assert test_mail.to == [staff.email]
    assert test_mail.subject == "[Test] Spring news from ICMEC Australia"

    admin.get_by_label("I have checked the test email").check()
    admin.get_by_role("button", name=re.compile("Send to 1 subscriber now")).click()
    admin.wait_for_url(f"**/admin/newsletter/issues/{issue.pk}/report/")
    assert admin.locator("[data-count=sent]").inner_text() == "1"

    # The reader receives it and leaves with one click.
    [newsletter] = [m for m in mail.outbox if m.to == ["reader@example.org"]][1:]
    assert newsletter.subject == "Spring news from ICMEC Australia"
    assert "Training this spring" in newsletter.alternatives[0][0]
    unsubscribe = newsletter.extra_headers["List-Unsubscribe"].split(">")[0].lstrip("<")
    reader.goto(unsubscribe.replace("http://testserver", live_server.url))
    reader.get_by_role("button", name="Unsubscribe").click()
    assert reader.get_by_role("heading", name="You are unsubscribed").is_visible()
    assert Subscriber.objects.get(email="reader@example.org").status == "unsubscribed"
