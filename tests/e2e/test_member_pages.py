"""What a member sees on a connection's profile and in a thread: removing a connection asks
first (a page of its own, so it works without JavaScript), and links in messages open."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

# The underscored fixture replaces the suite's: this module's data is built once.
from tests.e2e.helpers import _live_server_helper, guard_hosts, log_in  # noqa: F401
from tests.factories.portal import MemberFactory

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def live_site_data(module_live_server):
    from portal import services

    base = module_live_server.url
    ada = MemberFactory(first_name="Ada", last_name="Banks", email="ada@example.org")
    tom = MemberFactory(first_name="Tom", last_name="Walker", email="tom@example.org")
    request = services.connection_request_send(sender=tom, recipient=ada)
    services.connection_request_accept(user=ada, request_id=request.pk)
    services.message_send(
        sender=tom,
        recipient=ada,
        body=f"Our notes are at {base}/portal/connections/. <b>Not bold</b>",
    )
    return {"tom": tom}


def test_a_link_in_a_message_is_a_link_that_opens(live_site, new_page):
    base = live_site.base
    page = new_page(viewport={"width": 375, "height": 800})
    foreign = guard_hosts(page.context, base)
    log_in(page, base, "ada@example.org")

    page.goto(f"{base}/portal/messages/")
    page.get_by_role("link", name="Tom Walker", exact=True).click()
    link = page.locator(".bubble__body").get_by_role("link", name=f"{base}/portal/connections/")
    expect(link).to_have_attribute("rel", "nofollow noopener")
    expect(page.locator(".bubble__body")).to_contain_text("<b>Not bold</b>")
    expect(page.locator(".bubble__body b")).to_have_count(0)
    link.click()

    expect(page).to_have_url(f"{base}/portal/connections/")
    expect(page.get_by_role("heading", name="Connections", exact=True)).to_be_visible()
    assert foreign == []


def test_removing_a_connection_asks_first_even_without_javascript(live_site, browser):
    base = live_site.base
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        log_in(page, base, "ada@example.org")
        profile = f"{base}/portal/members/{live_site.tom.profile.public_id}/"

        page.goto(profile)
        page.get_by_role("link", name="Remove connection").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Remove Tom Walker from your connections?"
        )
        page.get_by_role("link", name="Cancel").click()
        expect(page).to_have_url(profile)
        expect(page.locator(".state--connected")).to_have_text("Connected")

        page.get_by_role("link", name="Remove connection").click()
        page.locator("main").get_by_role("button", name="Remove connection").click()
        expect(page.get_by_text("You are no longer connected with Tom Walker.")).to_be_visible()
        page.goto(profile)
        expect(page.get_by_role("button", name="Send connection request")).to_be_visible()
        expect(page.locator(".state--connected")).to_have_count(0)
    finally:
        context.close()
