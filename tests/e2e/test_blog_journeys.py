"""Browser journeys on the public site and in Wagtail's admin (headless Chromium)."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from blog.models import BlogPostPage, HomePage
from tests.e2e.helpers import log_in
from tests.factories.accounts import StaffFactory
from tests.factories.blog import (
    AuthorFactory,
    BlogIndexPageFactory,
    BlogPostPageFactory,
    CategoryFactory,
    SiteImageFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site_content():
    home = HomePage.objects.get()
    home.mission_heading = "Every child deserves to grow up safe"
    home.save_revision().publish()
    blog = BlogIndexPageFactory(parent=home, show_in_menus=True)
    category = CategoryFactory(name="Awareness")
    author = AuthorFactory(name="Communications team")
    image = SiteImageFactory(title="Waves", description="Teal and navy waves")
    posts = [
        BlogPostPageFactory(
            parent=blog,
            title=title,
            summary=summary,
            date_published=date,
            featured_image=image,
            categories=[category],
            authors=[author],
            body=[{"type": "paragraph", "value": f"<p>{summary} " + "More detail. " * 80 + "</p>"}],
        )
        for title, summary, date in [
            (
                "World Day of the Fight Against Sexual Exploitation",
                "A day to face the scale of sexual exploitation.",
                datetime.date(2023, 2, 28),
            ),
            (
                "Embracing a Year of Change Together",
                "Looking back on a year of growth.",
                datetime.date(2023, 12, 18),
            ),
            (
                "Supporting innovative data-driven initiatives through our Child Protection Fund",
                "What the Child Protection Fund supports and how to apply.",
                datetime.date(2024, 4, 3),
            ),
        ]
    ]
    return {"home": home, "blog": blog, "posts": posts, "image": image}


def test_a_reader_finds_reads_searches_and_subscribes_to_the_feed(live_server, page, site_content):
    base = live_server.url
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(base + "/")
    expect(page.locator("h1")).to_have_text("Every child deserves to grow up safe")
    latest = page.locator("#latest-heading").locator("xpath=ancestor::section")
    first_card = latest.locator(".card").first
    expect(first_card.locator(".card__title")).to_have_text(
        "Supporting innovative data-driven initiatives through our Child Protection Fund"
    )
    first_card.get_by_role("link", name=re.compile("^Read more")).click()

    expect(page).to_have_url(re.compile(r"/blog/supporting-innovative-data-driven-[a-z-]+/$"))
    expect(page.locator("h1")).to_have_text(
        "Supporting innovative data-driven initiatives through our Child Protection Fund"
    )
    expect(page.locator(".post-body")).to_contain_text("What the Child Protection Fund supports")
    sidebar = page.locator(".latest-list")
    expect(sidebar.locator("h3")).to_have_text(
        [
            "Embracing a Year of Change Together",
            "World Day of the Fight Against Sexual Exploitation",
        ]
    )
    image = page.locator(".post-image img")
    expect(image).to_have_attribute("alt", "Teal and navy waves")
    assert page.evaluate("document.querySelector('.post-image img').naturalWidth") > 0

    page.fill("#header-search-q", "exploitation")
    page.locator(".header-search button").click()
    expect(page).to_have_url(re.compile(r"/search/\?q=exploitation"))
    expect(page.locator(".search-count")).to_contain_text("for “exploitation”")
    expect(page.locator(".search-result__title mark").first).to_have_text("Exploitation")
    page.locator(".search-result__title a").first.click()
    expect(page.locator("h1")).to_contain_text("Exploitation")

    rss = page.locator(".footer-links a", has_text="RSS feed")
    expect(rss).to_have_attribute("href", "/blog/feed/rss/")
    response = page.request.get(base + rss.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"].startswith("application/rss+xml")
    assert "Embracing a Year of Change Together" in response.text()
    assert problems == []  # no script error, nothing refused by the Content-Security-Policy


def test_the_core_pages_work_without_javascript(live_server, new_page, site_content):
    base = live_server.url
    page = new_page(java_script_enabled=False, viewport={"width": 375, "height": 800})

    page.goto(base + "/")
    nav = page.locator("#site-nav")
    expect(nav.get_by_role("link", name="News")).to_be_visible()  # the menu is open, not folded
    nav.get_by_role("link", name="News").click()
    expect(page.locator("h1")).to_have_text("News")
    page.locator(".card__title a").first.click()
    expect(page.locator(".post-body")).to_be_visible()
    page.fill("#header-search-q", "fund")
    page.locator(".header-search button").click()
    expect(page.locator(".search-result__title").first).to_contain_text("Fund")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scroll


def test_staff_write_submit_approve_and_publish_a_post(live_server, new_page, site_content):
    base = live_server.url
    editor = StaffFactory(editor=True, mfa=True, email="editor@example.org")
    moderator = StaffFactory(moderator=True, mfa=True, email="moderator@example.org")
    blog = site_content["blog"]

    # The editor writes a post with an image and submits it for moderation.
    page = new_page(viewport={"width": 1280, "height": 1000})
    log_in(page, base, editor.email, totp_secret=editor.totp_secret, next_url="/admin/")
    page.goto(f"{base}/admin/pages/add/blog/blogpostpage/{blog.pk}/")
    page.fill("#id_title", "Our new partnership with payment providers")
    page.fill("#id_summary", "Payment providers join our work to detect exploitation sooner.")
    page.get_by_role("button", name="Choose an image").first.click()
    page.locator(".modal a.image-choice[title='Waves']").click()
    expect(page.locator(".modal")).to_be_hidden()
    expect(page.locator("#id_featured_image")).to_have_value(str(site_content["image"].pk))
    page.locator("#body-root button[title='Insert a block']").first.click()
    page.get_by_role("option", name=re.compile("Paragraph")).first.click()
    editor_box = page.locator("#body-root .public-DraftEditor-content").first
    editor_box.click()
    page.keyboard.type("Banks and payment providers see patterns no one else can see.")
    expect(editor_box).to_contain_text("patterns no one else can see")
    page.locator("#id_summary").click()  # leaving the editor stores its content in the form
    expect(page.locator("input[name='body-0-value']")).to_have_value(
        re.compile("patterns no one else can see")
    )
    # Wagtail autosaves the new page as one types, which creates it and turns the form into the
    # edit form (its action and the address become /admin/pages/<id>/edit/). Submitting before
    # that would create the page a second time, as an editor's browser would, so wait for it.
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Saving…", exact=True)).to_be_hidden()
    page.locator("footer .w-dropdown__toggle").click()
    page.get_by_role("button", name="Submit to Moderators approval").click()
    expect(page.locator(".messages")).to_contain_text("submitted for moderation")

    post = BlogPostPage.objects.get(title="Our new partnership with payment providers")
    assert not post.live
    assert post.featured_image_id == site_content["image"].pk

    # The moderator approves it, which publishes it.
    review = new_page(viewport={"width": 1280, "height": 1000})
    log_in(review, base, moderator.email, totp_secret=moderator.totp_secret, next_url="/admin/")
    review.goto(f"{base}/admin/pages/{post.pk}/edit/")
    review.locator("footer .w-dropdown__toggle").click()
    review.get_by_role("button", name="Approve and Publish", exact=True).click()
    expect(review.locator(".messages")).to_contain_text("has been approved and published")

    post.refresh_from_db()
    assert post.live

    # Readers see it on the home page.
    reader = new_page()
    reader.goto(base + "/")
    expect(reader.locator(".card__title").first).to_have_text(
        "Our new partnership with payment providers"
    )
