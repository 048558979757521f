"""A members-only page in a real browser: an applicant who opens it logs in once and lands on a
403 page in the site's layout that says the application is under review, instead of bouncing
between the page and the login page until Chromium gives up (ERR_TOO_MANY_REDIRECTS)."""

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect
from wagtail.models import Page, PageViewRestriction

from blog.models import HomePage
from tests.e2e.helpers import log_in
from tests.factories.blog import BlogIndexPageFactory, BlogPostPageFactory, StandardPageFactory
from tests.factories.portal import ApplicantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_applicant_logs_in_once_and_is_told_why_the_members_page_is_closed(live_server, page):
    base = live_server.url
    home = HomePage.objects.get()
    resources = StandardPageFactory(
        parent=home, title="Member resources", slug="member-resources", introduction="Typologies."
    )
    restriction = PageViewRestriction.objects.create(
        page=Page.objects.get(pk=resources.pk), restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(Group.objects.get(name="Members"))
    post = BlogPostPageFactory(
        parent=BlogIndexPageFactory(parent=home), title="Members briefing", members_only=True
    )
    applicant = ApplicantFactory(email="jordan@bank.example")
    statuses: list[tuple[int, str]] = []
    page.on("response", lambda response: statuses.append((response.status, response.url)))

    page.goto(f"{base}/member-resources/")
    assert page.url == f"{base}/accounts/login/?next=/member-resources/"
    log_in(page, None, applicant.email)  # on the login form the page sent the visitor to

    expect(page.get_by_role("heading", name="Your application is under review")).to_be_visible()
    assert page.url == f"{base}/member-resources/"
    assert (403, f"{base}/member-resources/") in statuses
    # One visit to the login page, to log in: no loop.
    assert len([url for _, url in statuses if "/accounts/login/" in url]) == 2  # GET, then POST
    expect(page.get_by_text("is for approved members of the Member Portal")).to_be_visible()
    expect(page.locator(".site-header")).to_be_visible()
    expect(page.locator(".site-footer")).to_be_visible()
    expect(page.get_by_text("Typologies.")).to_have_count(0)

    # A members-only post says the same, at its own address.
    response = page.goto(base + post.url)
    assert response.status == 403
    expect(page.get_by_role("heading", name="Your application is under review")).to_be_visible()
    expect(page.get_by_role("link", name="log out")).to_be_visible()
