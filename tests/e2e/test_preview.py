"""Preview in Wagtail's editors, in headless Chromium: the page editor's preview panel and the
newsletter issue editor's live preview render what readers will get (the site's stylesheet, the
email's inline styles), and the editor's accessibility checks find what the user bar finds on
the live page.

The data is made once for the module and shared by its tests (see `module_live_server`).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import FrameLocator, Page, expect

# The three underscored fixtures replace the suite's: this module's data is built once.
from tests.e2e.helpers import _clear_cache, _live_server_helper, _media_root, guard_hosts, log_in  # noqa: F401
from tests.factories.accounts import StaffFactory

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1280, "height": 1000}
# A post whose headings jump from the title's h1 to an h4: axe's "heading-order" rule.
JUMPING_BODY = [
    {
        "type": "paragraph",
        "value": "<h4>A heading four levels down</h4><p>" + "Words of the body. " * 40 + "</p>",
    }
]


# An issue whose headings jump from the subject's h1 to an h3.
JUMPING_ISSUE_BODY = [
    {"type": "rich_text", "value": "<h3>Straight to level three</h3><p>In this issue.</p>"},
    {"type": "button", "value": {"text": "Visit our website", "page": None, "url": "/"}},
]


@pytest.fixture(scope="module")
def live_site_data(module_live_server):
    from django.contrib.auth.models import Group

    from blog.models import HomePage
    from tests.factories.blog import BlogIndexPageFactory, BlogPostPageFactory
    from tests.factories.newsletter import IssueFactory

    home = HomePage.objects.get()
    blog = BlogIndexPageFactory(parent=home)
    post = BlogPostPageFactory(parent=blog, title="Headings that jump", body=JUMPING_BODY)
    issue = IssueFactory(subject="Previewed issue of the month", body=JUMPING_ISSUE_BODY)
    staff = StaffFactory(newsletter_editor=True, mfa=True, email="previewer@example.org")
    staff.groups.add(Group.objects.get(name="Editors"))
    return {"post": post, "issue": issue, "staff": staff}


def _open_preview_panel(page: Page) -> FrameLocator:
    page.locator("button[data-side-panel-toggle='preview']").click()
    # Wagtail loads each preview in a hidden proxy frame, which then takes the visible one's id.
    iframe = page.locator("iframe#w-preview-iframe[src*='/preview/']")
    expect(iframe).to_be_visible()
    return page.frame_locator("iframe#w-preview-iframe[src*='/preview/']")


SITE_STYLESHEET_APPLIED = """() => [...document.styleSheets].some(
        sheet => (sheet.href || '').endsWith('/icmec/css/site.css') && sheet.cssRules.length > 0
    ) && getComputedStyle(document.body).fontFamily.startsWith('system-ui')"""


def _site_stylesheet_applied(frame: FrameLocator) -> bool:
    """The site's stylesheet is loaded and styles the page (not the browser's defaults)."""
    return frame.locator("body").evaluate(f"body => ({SITE_STYLESHEET_APPLIED})()")


def _checker_issue_names(page: Page) -> list[str]:
    page.locator("button[data-side-panel-toggle='checks']").click()
    panel = page.locator("[data-side-panel='checks']")
    expect(panel.locator("[data-content-checker-count]")).not_to_have_text("0")
    return panel.locator("[data-content-checker-name]").all_inner_texts()


def test_the_page_editors_preview_shows_the_post_styled_and_its_checks_find_the_heading_jump(
    live_site, new_page
):
    page = new_page(viewport=DESKTOP)
    foreign = guard_hosts(page.context, live_site.base)
    post = live_site.post
    staff = live_site.staff
    next_url = f"/admin/pages/{post.pk}/edit/"
    log_in(page, live_site.base, staff.email, totp_secret=staff.totp_secret, next_url=next_url)

    frame = _open_preview_panel(page)
    expect(frame.locator("h1")).to_have_text("Headings that jump")
    expect(frame.locator("main h4")).to_have_text("A heading four levels down")
    assert _site_stylesheet_applied(frame)
    # The page's own layout, as on the live site: the header and footer of base.html.
    expect(frame.locator("body > header, body header").first).to_be_visible()

    names = _checker_issue_names(page)
    assert "Incorrect heading hierarchy" in names, names

    # The user bar on the live page finds the same issue.
    live = new_page(viewport=DESKTOP, storage_state=page.context.storage_state())
    live.goto(f"{live_site.base}{post.url}")
    live.locator("wagtail-userbar").locator("#wagtail-userbar-trigger").click()
    live.locator("wagtail-userbar").get_by_role("menuitem", name=re.compile("Issues")).click()
    userbar_names = live.get_by_role("dialog", name="Warnings").get_by_role("heading", level=3)
    expect(userbar_names.first).to_be_visible()
    assert sorted(userbar_names.all_inner_texts()) == sorted(names)

    # Preview in a new tab: the same page, with its stylesheet, framed by nobody.
    page.locator("button[data-side-panel-toggle='preview']").click()
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="Preview in new tab").click()
    tab = opened.value
    expect(tab.locator("h1")).to_have_text("Headings that jump")
    assert tab.evaluate(SITE_STYLESHEET_APPLIED)
    assert foreign == []


def test_the_newsletter_editors_preview_shows_the_email(live_site, new_page):
    page = new_page(viewport=DESKTOP)
    foreign = guard_hosts(page.context, live_site.base)
    issue = live_site.issue
    staff = live_site.staff
    next_url = f"/admin/snippets/newsletter/issue/edit/{issue.pk}/"
    log_in(page, live_site.base, staff.email, totp_secret=staff.totp_secret, next_url=next_url)

    frame = _open_preview_panel(page)
    expect(frame.locator("h1")).to_have_text("Previewed issue of the month")
    expect(frame.get_by_role("heading", name="Straight to level three", level=3)).to_be_visible()
    # The email's inline styles apply (email clients need them): the button is drawn as one.
    button = frame.locator("a.button", has_text="Visit our website")
    expect(button).to_be_visible()
    background = button.evaluate("a => getComputedStyle(a).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent"), background

    # The checks run inside the email too.
    assert "Incorrect heading hierarchy" in _checker_issue_names(page)
    assert foreign == []
