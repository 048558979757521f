"""Accessibility of every kind of page, in headless Chromium.

- axe-core (bundled by axe-playwright-python, no network) finds no WCAG 2.0/2.1/2.2 A and AA
  violation, nor a best-practice one (landmarks, heading order), on any page, at 320 and at
  1280 px (the layouts differ: the menu folds, tables scroll, targets move);
- no page scrolls sideways at 320 px (WCAG 1.4.10 Reflow) or at 1280 px;
- the keyboard works (the home page, a form with errors, the directory): the skip link comes
  first and works, and every focused element shows a focus outline and is not hidden behind
  something else.

The data (the demo content, plus what the pages below need) is made once for the module and
shared by its tests, which only read it or make their own rows. Every browser context refuses
requests to any other host, and a request to another host or a server error fails the test.
"""

from __future__ import annotations

import dataclasses
import io
import re
import uuid
from collections.abc import Callable

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

# The three underscored fixtures replace the suite's: this module's data is built once.
from tests.e2e.helpers import (  # noqa: F401
    DESKTOP,
    PHONE,
    _clear_cache,
    _live_server_helper,
    _media_root,
    assert_accessible,
    checked_context,
    guard_hosts,
    log_in,
)
from tests.factories.accounts import totp_activate

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

MEMBER = "amelia.chen@example.org"
APPLICANT = "new.applicant@example.org"
MFA_MEMBER = "james.okafor@example.org"


@pytest.fixture(scope="module")
def live_site_data(module_live_server, browser):
    """The demo content, a few more posts (so the blog has a second page), open connection
    requests both ways, a member with an authenticator app, and a logged-in browser state for
    each kind of visitor."""
    from blog.models import BlogIndexPage, BlogPostPage, StandardPage
    from newsletter.models import Issue
    from portal import services
    from portal.demo import DEMO_PASSWORD
    from portal.models import Conversation, User
    from tests.factories.blog import BlogPostPageFactory

    call_command("load_demo_content", stdout=io.StringIO())
    blog = BlogIndexPage.objects.get()
    for number in range(4):
        BlogPostPageFactory(parent=blog, title=f"Field notes, part {number + 1}")
    users = {user.first_name: user for user in User.objects.filter(profile__isnull=False)}
    amelia = users["Amelia"]
    services.connection_request_send(
        sender=users["Priya"], recipient=amelia, note="Hello Amelia, can we talk about reports?"
    )
    services.connection_request_send(sender=amelia, recipient=users["Lucas"], note="")
    mfa_secret = totp_activate(users["James"])

    base = module_live_server.url
    states = {}
    for role, email in [("member", MEMBER), ("applicant", APPLICANT), ("mfa", MFA_MEMBER)]:
        context = browser.new_context()
        page = context.new_page()
        secret = mfa_secret if role == "mfa" else None
        log_in(page, base, email, password=DEMO_PASSWORD, totp_secret=secret)
        page.wait_for_url("**/portal/")
        states[role] = context.storage_state()
        context.close()

    post = BlogPostPage.objects.live().filter(members_only=False).order_by("-pk").last()
    return {
        "states": states,
        "post": post.url,
        "standard": StandardPage.objects.get(slug="about").url,
        "category": f"/blog/category/{post.categories.first().slug}/",
        "issue": Issue.objects.get(status=Issue.Status.SENT).slug,
        "tom": users["Tom"].profile.public_id,
        "lucas": users["Lucas"].profile.public_id,
        "thread": Conversation.objects.get().pk,
        "mfa_secret": mfa_secret,
    }


@dataclasses.dataclass(frozen=True)
class Visit:
    """A kind of page: who looks at it and how they get there."""

    name: str
    path: str | Callable[..., str]  # a path, or a function of the site data that makes one
    role: str = "anonymous"
    then: Callable[[Page], None] | None = None  # what the visitor does once there

    def open(self, page: Page, live_site) -> None:
        path = self.path(live_site) if callable(self.path) else self.path
        page.goto(live_site.base + path)
        if self.then:
            self.then(page)
            page.wait_for_load_state()


def _submit(page: Page, selector: str = "main form button[type=submit]") -> None:
    page.locator(selector).last.click()


def _fill_and_submit(**fields: str) -> Callable[[Page], None]:
    def act(page: Page) -> None:
        for name, value in fields.items():
            page.locator(f"main [name={name}]").first.fill(value)
        with page.expect_navigation():
            _submit(page)

    return act


def _subscribe_with_a_bad_address(page: Page) -> None:
    form = page.locator("main form.signup-form")
    form.locator("[name=email]").fill("reader@example")  # the browser accepts it, the site not
    form.locator("[name=consent]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def _new_subscriber_token(kind: str) -> Callable[..., str]:
    """A path with a fresh token: confirming or unsubscribing twice shows another page."""

    def make(live_site) -> str:
        from newsletter import tokens
        from newsletter.models import Subscriber
        from tests.factories.newsletter import SubscriberFactory

        if kind == "confirm":
            subscriber = SubscriberFactory(
                email=f"{uuid.uuid4().hex}@example.org", status=Subscriber.Status.PENDING
            )
            token = tokens.confirmation_token(
                subscriber_uuid=subscriber.uuid, version=subscriber.token_version, source="page"
            )
            return f"/newsletter/confirm/{token}/"
        subscriber = SubscriberFactory(email=f"{uuid.uuid4().hex}@example.org")
        token = tokens.unsubscribe_token(subscriber_uuid=subscriber.uuid)
        return f"/newsletter/unsubscribe/{token}/"

    return make


def _email_confirmation_path(live_site) -> str:
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC

    from portal.models import User

    user = User.objects.create_user(email=f"{uuid.uuid4().hex}@example.org", password="x" * 20)
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
    return f"/accounts/confirm-email/{EmailConfirmationHMAC(address).key}/"


def _mfa_authenticate(page: Page) -> None:
    """The password typed, the authenticator's code asked for."""
    from portal.demo import DEMO_PASSWORD

    log_in(page, None, MFA_MEMBER, password=DEMO_PASSWORD)
    expect(page).to_have_url(re.compile("/accounts/2fa/authenticate/"))


VISITS = [
    # The public site
    Visit("home", "/"),
    Visit("blog index", "/blog/"),
    Visit("blog page 2", "/blog/?page=2"),
    Visit("blog category", lambda live_site: live_site.category),
    Visit("blog year without posts (not found)", "/blog/2001/"),
    Visit("post", lambda live_site: live_site.post),
    Visit("search results", "/search/?q=exploitation"),
    Visit("search without results", "/search/?q=zyxwvut"),
    Visit("search form", "/search/"),
    Visit("standard page", lambda live_site: live_site.standard),
    Visit("not found", "/no-such-page/"),
    # The newsletter
    Visit("newsletter subscribe", "/newsletter/"),
    Visit("newsletter subscribe error", "/newsletter/", then=_subscribe_with_a_bad_address),
    Visit("newsletter check your inbox", "/newsletter/check-your-inbox/"),
    Visit("newsletter confirm", _new_subscriber_token("confirm")),
    Visit("newsletter confirmed", _new_subscriber_token("confirm"), then=_submit),
    Visit("newsletter unsubscribe", _new_subscriber_token("unsubscribe")),
    Visit("newsletter unsubscribed", _new_subscriber_token("unsubscribe"), then=_submit),
    Visit("newsletter link problem", "/newsletter/confirm/not-a-token/"),
    Visit("newsletter archive", "/newsletter/archive/"),
    Visit("newsletter issue", lambda live_site: f"/newsletter/archive/{live_site.issue}/"),
    # Accounts (allauth)
    Visit("login", "/accounts/login/"),
    Visit(
        "login error",
        "/accounts/login/",
        then=_fill_and_submit(login="nobody@example.org", password="wrong password"),
    ),
    Visit("signup", "/accounts/signup/"),
    Visit("signup errors", "/accounts/signup/", then=_fill_and_submit(email="not an address")),
    Visit("password reset", "/accounts/password/reset/"),
    Visit(
        "password reset sent",
        "/accounts/password/reset/",
        then=_fill_and_submit(email="someone@example.org"),
    ),
    Visit("email verification sent", "/accounts/confirm-email/"),
    Visit("email confirm", _email_confirmation_path),
    # Half logged in: a context of its own, so that the other visits stay anonymous.
    Visit("two-factor login", "/accounts/login/", role="logging in", then=_mfa_authenticate),
    # An applicant
    Visit("under review", "/portal/", role="applicant"),
    # A member
    Visit("portal home", "/portal/", role="member"),
    Visit("home, with members-only events", "/", role="member"),
    Visit("my event bookings and calendar feed", "/portal/events/", role="member"),
    Visit("directory", "/portal/members/", role="member"),
    Visit("directory search", "/portal/members/?q=transaction+monitoring", role="member"),
    Visit("directory empty", "/portal/members/?q=zyxwvut", role="member"),
    Visit(
        "profile of a connection",
        lambda live_site: f"/portal/members/{live_site.tom}/",
        role="member",
    ),
    Visit(
        "profile, request sent",
        lambda live_site: f"/portal/members/{live_site.lucas}/",
        role="member",
    ),
    Visit("profile edit", "/portal/profile/edit/", role="member"),
    Visit(
        "profile edit errors",
        "/portal/profile/edit/",
        role="member",
        then=_fill_and_submit(first_name="", organisation="", website="not a link"),
    ),
    Visit("connections", "/portal/connections/", role="member"),
    Visit("conversations", "/portal/messages/", role="member"),
    Visit("thread", lambda live_site: f"/portal/messages/{live_site.thread}/", role="member"),
    Visit("report", lambda live_site: f"/portal/members/{live_site.tom}/report/", role="member"),
    Visit("block", lambda live_site: f"/portal/members/{live_site.tom}/block/", role="member"),
    Visit(
        "remove connection",
        lambda live_site: f"/portal/members/{live_site.tom}/disconnect/",
        role="member",
    ),
    Visit("blocked people", "/portal/blocked/", role="member"),
    Visit("settings", "/portal/account/", role="member"),
    Visit("newsletter settings", "/newsletter/account/", role="member"),
    Visit("email address", "/accounts/email/", role="member"),
    Visit("password change", "/accounts/password/change/", role="member"),
    Visit("sessions", "/accounts/sessions/", role="member"),
    Visit("data export", "/portal/account/data/", role="member"),
    Visit("account deletion", "/portal/account/delete/", role="member"),
    Visit("members-only page", "/member-resources/", role="member"),
    Visit("members-only page, refused", "/member-resources/", role="applicant"),
    # Two-factor authentication
    Visit("two-factor overview", "/accounts/2fa/", role="member"),
    Visit("two-factor activate", "/accounts/2fa/totp/activate/", role="member"),
    Visit("two-factor overview, active", "/accounts/2fa/", role="mfa"),
    Visit("recovery codes", "/accounts/2fa/recovery-codes/", role="mfa"),
    Visit("two-factor deactivate", "/accounts/2fa/totp/deactivate/", role="mfa"),
]


@pytest.fixture(scope="module")
def tabs(live_site, browser):
    """One browser tab per kind of visitor, in a context of its own (their cookies, the HTTP
    cache, axe-core loaded in every page, other hosts refused), shared by the module's tests:
    a new context or tab costs more than the page load itself (a new renderer process)."""
    tabs = {}

    def tab_for(role: str) -> tuple[Page, list[str]]:
        """The visitor's tab, and the list of what went wrong in it: requests to other hosts,
        server errors."""
        if role not in tabs:
            context, problems = checked_context(
                browser, live_site.base, storage_state=live_site.states.get(role)
            )
            page = context.new_page()
            page.on(
                "response",
                lambda response: (
                    response.status >= 500 and problems.append(f"{response.status} {response.url}")
                ),
            )
            tabs[role] = (page, problems)
        return tabs[role]

    yield tab_for
    for page, _ in tabs.values():
        page.context.close()


@pytest.fixture
def open_page(live_site, tabs):
    """Open a visit's page in its visitor's tab; fail if it asked another host for anything or
    the server answered with an error."""
    opened = []

    def open_(visit: Visit, viewport: dict) -> Page:
        page, problems = tabs(visit.role)
        opened.append((problems, len(problems)))
        page.set_viewport_size(viewport)
        visit.open(page, live_site)
        return page

    yield open_
    for problems, before in opened:
        assert problems[before:] == []


@pytest.mark.parametrize("visit", VISITS, ids=[visit.name for visit in VISITS])
def test_page_is_accessible_and_fits_320_and_1280_px(open_page, visit):
    """axe finds nothing and the page never scrolls sideways, at 320 and at 1280 px.

    One page load serves both widths: the layout follows a change of viewport."""
    assert_accessible(open_page(visit, PHONE))


def test_requests_to_other_hosts_are_refused_and_reported(live_site, browser):
    context = browser.new_context(bypass_csp=True)  # the CSP would stop the fetch first
    foreign = guard_hosts(context, live_site.base)
    page = context.new_page()
    page.goto(live_site.base + "/newsletter/check-your-inbox/")
    fetched = page.evaluate(
        "() => fetch('https://cdn.example.org/font.woff2').then(() => 'fetched', () => 'refused')"
    )
    context.close()
    assert fetched == "refused"
    assert foreign == ["https://cdn.example.org/font.woff2"]


# What every focused element must have: a focus outline of at least 2 px, a place inside the
# viewport (the browser scrolls it in), and nothing drawn over it (WCAG 2.4.7, 2.4.11).
CHECKS = ("outline", "inViewport", "uncovered")
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
  const top = document.elementFromPoint(x, y);
  return {
    html: el.outerHTML.slice(0, 120),
    id: el.id,
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    inViewport: box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth
      && box.width > 0 && box.height > 0,
    uncovered: !!top && (el === top || el.contains(top) || top.contains(el)),
  };
}"""


KEYBOARD_VISITS = [
    (Visit("home", "/"), DESKTOP),
    (Visit("home", "/"), PHONE),
    (Visit("signup errors", "/accounts/signup/", then=_fill_and_submit(email="x")), PHONE),
    (Visit("directory", "/portal/members/?q=research", role="member"), DESKTOP),
]


@pytest.mark.parametrize(
    ("visit", "viewport"),
    KEYBOARD_VISITS,
    ids=[f"{visit.name} at {viewport['width']}px" for visit, viewport in KEYBOARD_VISITS],
)
def test_keyboard_focus_is_visible_and_the_skip_link_works(open_page, visit, viewport):
    page = open_page(visit, viewport)

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to main content")
    skip_state = page.evaluate(FOCUS_STATE)
    assert skip_state["inViewport"]
    assert skip_state["uncovered"]
    assert skip_state["outline"]
    box = skip.bounding_box()
    assert box["height"] >= 24
    assert box["width"] >= 24
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # Tab on from main: the main content, the footer, then (after the browser's own controls)
    # the skip link and the header, until the first control of main comes round again.
    order, problems = [], []
    for _ in range(250):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None:
            continue
        if order and state["html"] == order[0]:
            break
        order.append(state["html"])
        problems += [f"{check}: {state['html']}" for check in CHECKS if not state[check]]
    first_in_main = page.locator("main :focus").count()
    assert first_in_main == 1  # the skip link led past the header
    assert len(order) > 30
    assert order.count(skip_state["html"]) == 1
    assert any('href="/sitemap.xml"' in html for html in order)  # the end of the page
    assert any("header-search-q" in html or "nav-toggle" in html for html in order)
    assert problems == []
