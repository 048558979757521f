"""The core flows with JavaScript switched off in the browser: the newsletter (subscribe from
the footer and from its page, confirm, unsubscribe from the email's link), applying to the
portal and logging in, and members finding each other, connecting and talking.

Reading, browsing and searching the public site without JavaScript is in
test_blog_journeys.py. Every request to another host is refused and fails the test.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

# The underscored fixture replaces the suite's: this module's data is built once.
from tests.e2e.helpers import _live_server_helper, guard_hosts, link_in_mail, log_in  # noqa: F401
from tests.factories.portal import MemberFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def no_js(live_site, browser):
    """A factory of pages without JavaScript, 320 px wide (the menu then stays open), each in
    its own context. At the end: no page scrolled sideways, and no other host was asked."""
    contexts, foreign, wider = [], [], []

    def check_width(page: Page) -> None:
        try:
            if page.evaluate(
                "document.documentElement.scrollWidth > document.documentElement.clientWidth"
            ):
                wider.append(page.url)
        except PlaywrightError:  # the test moved on to the next page first; that one is checked
            pass

    def make() -> Page:
        context = browser.new_context(
            java_script_enabled=False, viewport={"width": 320, "height": 640}
        )
        context.set_default_timeout(15_000)
        foreign.append(guard_hosts(context, live_site.base))
        contexts.append(context)
        page = context.new_page()
        page.on("load", check_width)
        return page

    yield make
    for context in contexts:
        context.close()
    assert [url for urls in foreign for url in urls] == []
    assert wider == []


def test_subscribe_confirm_and_unsubscribe(live_site, no_js):
    from newsletter import services
    from newsletter.models import Subscriber

    base = live_site.base
    reader = no_js()

    # From the footer of any page.
    reader.goto(f"{base}/newsletter/archive/")
    footer = reader.locator("footer form.signup-form")
    footer.get_by_label("Email address").fill("robin@example.org")
    footer.get_by_label("First name").fill("Robin")
    footer.get_by_label("I agree to receive").check()
    footer.get_by_role("button", name="Subscribe").click()
    expect(reader.get_by_role("heading", name="Check your inbox")).to_be_visible()
    reader.goto(base + link_in_mail(r"/newsletter/confirm/\S+/"))
    reader.get_by_role("button", name="Confirm my subscription").click()
    expect(reader.get_by_role("heading", name="You are subscribed")).to_be_visible()
    robin = Subscriber.objects.get(email="robin@example.org")
    assert robin.status == Subscriber.Status.CONFIRMED

    # From the newsletter page, with a mistake first: what was typed stays.
    reader.goto(f"{base}/newsletter/")
    form = reader.locator("main form.signup-form")
    form.get_by_label("Email address").fill("sam@example")  # accepted by the browser only
    form.get_by_label("First name").fill("Sam")
    form.get_by_label("I agree to receive").check()
    form.get_by_role("button", name="Subscribe").click()
    form = reader.locator("main form.signup-form")
    expect(form.locator(".field__error")).to_contain_text("valid email address")
    expect(form.get_by_label("Email address")).to_have_value("sam@example")
    expect(form.get_by_label("Email address")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("First name")).to_have_value("Sam")
    expect(form.get_by_label("I agree to receive")).to_be_checked()
    form.get_by_label("Email address").fill("sam@example.org")
    form.get_by_role("button", name="Subscribe").click()
    expect(reader.get_by_role("heading", name="Check your inbox")).to_be_visible()
    assert Subscriber.objects.get(email="sam@example.org").first_name == "Sam"

    # The unsubscribe link every email carries: a page with a button, which takes effect.
    link = services.unsubscribe_url(robin.uuid).replace("http://testserver", base)
    reader.goto(link)
    reader.get_by_role("button", name="Unsubscribe").click()
    expect(reader.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    robin.refresh_from_db()
    assert robin.status == Subscriber.Status.UNSUBSCRIBED


def test_apply_correct_a_mistake_verify_and_log_in(live_site, no_js):
    base = live_site.base
    password = "correct-horse-battery-staple"
    applicant = no_js()
    applicant.goto(f"{base}/accounts/signup/")
    form = applicant.locator("main form")
    form.get_by_label("Given name(s)").fill("Jordan")
    form.get_by_label("Family name").fill("Lee")
    form.get_by_label("Work email address").fill("jordan@bank.example")
    form.locator("#id_password1").fill(password)
    form.locator("#id_password2").fill(password + " but different")
    form.get_by_label("Organisation").fill("Example Bank")
    form.get_by_label("Job title").fill("Financial crime analyst")
    form.get_by_label("Sector").select_option("financial_services")
    form.get_by_label("Country").select_option("AU")
    form.get_by_label("Why do you want to join?").fill("Too short.")
    form.get_by_role("button", name="Send my application").click()

    # Errors next to their fields; everything typed is kept, except the passwords.
    form = applicant.locator("main form")
    expect(form.locator(".field__error").first).to_be_visible()
    expect(form.get_by_label("Why do you want to join?")).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Given name(s)")).to_have_value("Jordan")
    expect(form.get_by_label("Family name")).to_have_value("Lee")
    expect(form.get_by_label("Work email address")).to_have_value("jordan@bank.example")
    expect(form.get_by_label("Organisation")).to_have_value("Example Bank")
    expect(form.get_by_label("Sector")).to_have_value("financial_services")
    expect(form.get_by_label("Country")).to_have_value("AU")
    expect(form.get_by_label("Why do you want to join?")).to_have_value("Too short.")
    expect(form.locator("#id_password1")).to_have_value("")
    expect(form.locator("#id_password2")).to_have_value("")

    form.locator("#id_password1").fill(password)
    form.locator("#id_password2").fill(password)
    form.get_by_label("Why do you want to join?").fill(
        "I lead the team that reports payments linked to child exploitation."
    )
    form.locator("#id_accept_terms").check()
    form.get_by_role("button", name="Send my application").click()
    expect(applicant.get_by_role("heading", name="Check your email")).to_be_visible()

    applicant.goto(base + link_in_mail(r"/accounts/confirm-email/\S+"))
    applicant.get_by_role("button", name="Confirm").click()
    log_in(applicant, base, "jordan@bank.example", password=password)
    expect(
        applicant.get_by_role("heading", name="Your application is under review")
    ).to_be_visible()


def test_find_a_member_connect_accept_and_message(live_site, no_js):
    base = live_site.base
    MemberFactory(
        first_name="Tom",
        last_name="Walker",
        email="tom@example.org",
        sector="law_enforcement",
        country="AU",
        bio="Victim identification in online investigations.",
    )
    MemberFactory(  # the same words, another sector: the filter leaves her out
        first_name="Vera",
        last_name="Online",
        email="vera@example.org",
        sector="regulator",
        country="AU",
        bio="Victim identification policy.",
    )
    MemberFactory(first_name="Ada", last_name="Banks", email="ada@example.org")

    ada = no_js()
    log_in(ada, base, "ada@example.org")
    ada.goto(f"{base}/portal/members/")
    filters = ada.locator(".directory-filters")
    filters.get_by_label("Search members").fill("victim identification")
    filters.get_by_label("Sector").select_option("law_enforcement")
    filters.get_by_label("Country").select_option("AU")
    filters.get_by_role("button", name="Search").click()
    results = ada.locator(".directory-results")
    expect(results.get_by_role("link", name="Tom Walker", exact=True)).to_be_visible()
    expect(results.get_by_text("Vera Online")).to_have_count(0)
    expect(filters.get_by_label("Sector")).to_have_value("law_enforcement")

    results.get_by_role("link", name="Tom Walker", exact=True).click()
    ada.get_by_label("Add a note (optional)").fill("Hello Tom, shall we compare notes?")
    ada.get_by_role("button", name="Send connection request").click()
    expect(ada.get_by_text("Your request is on its way to Tom Walker.")).to_be_visible()

    tom = no_js()
    log_in(tom, base, "tom@example.org")
    tom.goto(f"{base}/portal/connections/")
    expect(tom.get_by_text("Hello Tom, shall we compare notes?")).to_be_visible()
    tom.get_by_role("button", name="Accept Ada Banks").click()
    expect(tom.get_by_text("You are now connected with Ada Banks.")).to_be_visible()
    tom.get_by_role("link", name="Message Ada Banks").click()
    tom.get_by_label("Your message").fill("Hi Ada, gladly.")
    tom.get_by_role("button", name="Send").click()
    expect(tom.locator(".bubble--mine")).to_contain_text("Hi Ada, gladly.")

    ada.goto(f"{base}/portal/messages/")
    ada.get_by_role("link", name="Tom Walker", exact=True).click()
    expect(ada.locator(".thread")).to_contain_text("Hi Ada, gladly.")
