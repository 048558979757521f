"""Browser journeys: Playwright for Python driving the machine's headless Chromium.

The fixtures every journey uses are here; the helpers they share (logging in, accessibility
checks, screenshots, links in emails, other hosts refused) are in `tests/e2e/helpers.py`.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by the
# test itself (fixtures, assertions) are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Two cores shared by the whole suite: give pages time to answer.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# What Chromium logs when a page breaks the Content-Security-Policy or the Permissions-Policy
# header is malformed: the site's pages and the admin must do neither.
POLICY_ERRORS = ("Content Security Policy", "Permissions-Policy")


@pytest.fixture
def new_page(browser):
    """A factory of fresh pages, each in its own browser context (its own cookies). Every page
    of every journey is watched for Content-Security-Policy violations."""
    contexts = []
    violations = []

    def watch(message):
        if any(marker in message.text for marker in POLICY_ERRORS):
            violations.append(f"{message.page.url if message.page else ''}: {message.text}")

    def make(**context_options):
        context = browser.new_context(**context_options)
        context.set_default_timeout(15_000)
        context.on("console", watch)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
    assert violations == [], "\n".join(violations)


@pytest.fixture
def page(new_page):
    return new_page()
