"""What the browser journeys share: logging in as a person does, the accessibility checks,
screenshots, links in the emails sent, the refusal of other hosts, and the fixtures a module
whose data is built once imports (see `module_live_server`).

The fixtures of every journey (`browser`, `new_page`, `page`) are in `tests/e2e/conftest.py`.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from allauth.mfa import app_settings as mfa_settings
from axe_playwright_python.base import AXE_FILE_PATH
from django.core import mail
from playwright.sync_api import BrowserContext, Page, expect

from tests.factories.accounts import totp_code
from tests.factories.portal import PASSWORD

PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}


# --- Logging in ---------------------------------------------------------------------------


def log_in(
    page: Page,
    base: str | None,
    email: str,
    *,
    password: str = PASSWORD,
    totp_secret: str | None = None,
    next_url: str = "",
) -> None:
    """Log in through allauth's form as a person would: the address and the password, then,
    given the account's `totp_secret` (`StaffFactory(mfa=True).totp_secret`), the code its
    authenticator app shows. Works with JavaScript off.

    `base` is the site's address; None when the page shows the login form already (a restricted
    page sent the visitor there). `next_url`: where to go afterwards (and wait to arrive).
    """
    if base is not None:
        query = f"?{urlencode({'next': next_url})}" if next_url else ""
        page.goto(f"{base}/accounts/login/{query}")
    page.locator("main input[name=login]").fill(email)
    page.locator("main input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    if totp_secret is not None:
        _enter_code(page, totp_secret)
    assert "/accounts/login/" not in page.url, f"{email} was not logged in"
    if next_url:
        page.wait_for_url(re.compile(re.escape(next_url)))


def _enter_code(page: Page, secret: str) -> None:
    """The second step: the code of this period. allauth refuses a code used once already (an
    earlier log-in of the same account in this period): then the next period's is typed."""
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    for attempt in range(2):
        page.locator("main input[name=code]").fill(totp_code(secret))
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
        if "/accounts/2fa/authenticate/" not in page.url or attempt:
            break
        period = mfa_settings.TOTP_PERIOD
        time.sleep(period - time.time() % period + 1)
    assert "/accounts/2fa/authenticate/" not in page.url, "the authenticator's code was refused"


# --- Accessibility ------------------------------------------------------------------------

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def load_axe(context: BrowserContext) -> None:
    """Put axe-core (bundled by axe-playwright-python: no network) in every page of `context`,
    for `accessibility_problems`."""
    context.add_init_script(path=AXE_FILE_PATH)


def violations_report(violations: list[dict]) -> str:
    """One paragraph per rule broken: the rule, then each element, its HTML and what to fix."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            summary = " ".join(node["failureSummary"].split())
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:200]}")
            lines.append(f"       {summary[:400]}")
    return "\n  ".join(lines)


def horizontal_overflow(page: Page) -> str:
    """The elements that stick out of the viewport, when the page scrolls sideways."""
    return page.evaluate(
        """() => {
          const root = document.documentElement;
          if (root.scrollWidth <= root.clientWidth) return '';
          return [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > root.clientWidth + 0.5)
            .slice(0, 8)
            .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                 + ' ends at ' + Math.round(el.getBoundingClientRect().right) + ' px')
            .join(', ');
        }"""
    )


def accessibility_problems(page: Page, name: str = "") -> dict[str, str]:
    """What axe-core finds and what sticks out sideways, at 320 and at 1280 px (one page load
    serves both widths: the layout follows a change of viewport), by kind ("" when none). The
    page's context must have `load_axe`."""
    expect(page.locator("main h1").first).to_be_visible()
    prefix = f"{name}: " if name else ""
    problems = {}
    for width, viewport in [("320 px", PHONE), ("1280 px", DESKTOP)]:
        page.set_viewport_size(viewport)
        problems[f"{prefix}wider than {width}"] = horizontal_overflow(page)
        problems[f"{prefix}axe-core violations at {width}"] = violations_report(
            page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
        )
    return problems


def problems_report(problems: dict[str, str]) -> str:
    return "\n".join(f"{kind}:\n  {found}" for kind, found in problems.items() if found)


def assert_accessible(page: Page) -> None:
    """axe-core finds nothing and the page does not scroll sideways, at 320 and at 1280 px."""
    report = problems_report(accessibility_problems(page))
    assert not report, f"{page.url}\n{report}"


# --- Other hosts --------------------------------------------------------------------------


def guard_hosts(context: BrowserContext, base_url: str) -> list[str]:
    """Refuse, and record in the list returned, every request of `context` to a host other than
    the site under test.

    The site must load nothing from elsewhere (fonts, scripts, images, analytics). Links to other
    sites are fine; only requests the browser makes count. The pattern is matched inside the
    browser driver, so requests to the site itself are not intercepted and cost nothing extra.
    """
    foreign: list[str] = []

    def refuse(route):
        foreign.append(route.request.url)
        route.abort()

    origin = urlsplit(base_url)
    context.route(re.compile(rf"^(?!{re.escape(f'{origin.scheme}://{origin.netloc}')}/)"), refuse)
    return foreign


def checked_context(browser, base_url: str, **options) -> tuple[BrowserContext, list[str]]:
    """A new browser context for `base_url` with axe-core in every page, the suite's timeout,
    and other hosts refused: the context, and the list of what it asked other hosts for."""
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    load_axe(context)
    return context, guard_hosts(context, base_url)


# --- Emails -------------------------------------------------------------------------------


def link_in_mail(path_pattern: str, message=None) -> str:
    """The path of the link matching `path_pattern` in `message` (the last email sent, when
    None), whatever host it names (the site's, or the request's)."""
    message = message or mail.outbox[-1]
    found = re.search(rf"https?://[^/\s]+({path_pattern})", message.body)
    assert found, f"no link to {path_pattern} in {message.subject!r}"
    return found.group(1)


# --- Screenshots --------------------------------------------------------------------------

# Set E2E_SCREENSHOTS to a folder to keep screenshots of the journeys' screens for a person to
# look at (`E2E_SCREENSHOTS=/tmp/shots make pytest ARGS=tests/e2e`).
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS", "")


def screenshots(page: Page, name: str, *, target=None, full_page: bool = False) -> None:
    """Screenshots of the page (or of `target`, one of its elements) at a phone's width and a
    desktop's, as `<name>-375.png` and `<name>-1280.png`, when E2E_SCREENSHOTS is set."""
    if not SCREENSHOTS:
        return
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in (375, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        options = {"full_page": full_page} if target is None else {}
        (target or page).screenshot(path=str(folder / f"{name}-{width}.png"), **options)
    if size:
        page.set_viewport_size(size)


# --- Modules whose data is built once -----------------------------------------------------
# A module that builds its data once for all its tests (`live_site_data`, `module_live_server`)
# imports these in place of the suite's autouse fixtures of the same names.


@pytest.fixture(autouse=True)
def _live_server_helper():
    """No emptying of every table after each test: see `module_live_server`."""


@pytest.fixture(autouse=True)
def _media_root():
    """The module's uploads live in `module_live_server`'s media folder, not in one per test."""


@pytest.fixture(autouse=True)
def _clear_cache():
    """The tests share the site's caches, as its visitors do (each page still renders once)."""
