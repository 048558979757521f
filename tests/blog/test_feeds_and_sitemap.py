"""RSS and Atom feeds, sitemap.xml and robots.txt."""

import datetime
import xml.etree.ElementTree as ET

import feedparser
import pytest

from tests.factories.blog import AuthorFactory, CategoryFactory, StandardPageFactory

pytestmark = pytest.mark.django_db

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def dated_posts(make_post, category):
    author = AuthorFactory(name="Jo Analyst")
    other = CategoryFactory(name="Events")
    return [
        make_post(
            title="Oldest",
            date_published=datetime.date(2022, 3, 1),
            categories=[category],
            authors=[author],
        ),
        make_post(title="Newest", date_published=datetime.date(2024, 5, 1), categories=[other]),
        make_post(title="Middle", date_published=datetime.date(2023, 7, 1), categories=[category]),
    ]


@pytest.mark.parametrize(
    ("url", "version"), [("/blog/feed/rss/", "rss20"), ("/blog/feed/atom/", "atom10")]
)
def test_feeds_are_valid_and_list_the_newest_posts_first(client, dated_posts, url, version):
    response = client.get(url)
    feed = feedparser.parse(response.content)

    assert response.status_code == 200
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == version
    assert [entry.title for entry in feed.entries] == ["Newest", "Middle", "Oldest"]
    newest = feed.entries[0]
    assert newest.link == "http://localhost/blog/newest/"
    assert newest.summary == "The summary of newest."
    assert newest.published_parsed[:3] == (2024, 5, 1)
    assert feed.entries[2].author == "Jo Analyst"
    assert [tag.term for tag in feed.entries[2].tags] == ["Research and insights"]
    assert "public" in response["Cache-Control"]


def test_category_feeds_hold_only_that_category(client, dated_posts, category):
    rss = feedparser.parse(client.get(f"/blog/category/{category.slug}/feed/rss/").content)
    atom = feedparser.parse(client.get(f"/blog/category/{category.slug}/feed/atom/").content)

    assert not rss.bozo
    assert not atom.bozo
    assert [entry.title for entry in rss.entries] == ["Middle", "Oldest"]
    assert [entry.title for entry in atom.entries] == ["Middle", "Oldest"]
    assert "Research and insights" in rss.feed.title
    assert client.get("/blog/category/nothing-here/feed/rss/").status_code == 404


def test_feeds_leave_out_drafts(client, dated_posts, blog):
    dated_posts[1].unpublish()

    feed = feedparser.parse(client.get("/blog/feed/rss/").content)

    assert [entry.title for entry in feed.entries] == ["Middle", "Oldest"]


def test_sitemap_is_valid_xml_listing_every_public_page(client, home, dated_posts):
    StandardPageFactory(parent=home, title="About us", slug="about")
    draft = StandardPageFactory(parent=home, title="Draft", slug="draft", live=False)

    response = client.get("/sitemap.xml")
    tree = ET.fromstring(response.content)  # noqa: S314 - our own sitemap

    assert response["Content-Type"].startswith("application/xml")
    locations = [node.text for node in tree.iter(f"{SITEMAP_NS}loc")]
    assert "http://localhost/" in locations
    assert "http://localhost/about/" in locations
    assert "http://localhost/blog/" in locations
    assert "http://localhost/blog/newest/" in locations
    assert not any(draft.slug in location for location in locations)
    assert all(node.text for node in tree.iter(f"{SITEMAP_NS}lastmod"))


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_private_areas(client, home):
    response = client.get("/robots.txt")
    body = response.content.decode()

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "Disallow: /admin/" in body
    assert "Disallow: /portal/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def _robots_allows(body: str, path: str) -> bool:
    """RFC 9309 matching for `User-agent: *`: the longest matching rule wins, `*` matches any
    characters and `$` ends the path; Allow wins a tie."""
    import re

    best = (-1, True)
    for line in body.splitlines():
        field, _, value = line.partition(":")
        if field.strip().lower() not in ("allow", "disallow") or not value.strip():
            continue
        rule = value.strip()
        pattern = re.escape(rule.rstrip("$")).replace(r"\*", ".*") + (
            "$" if rule.endswith("$") else ""
        )
        if re.match(pattern, path):
            allow = field.strip().lower() == "allow"
            if len(rule) > best[0] or (len(rule) == best[0] and allow):
                best = (len(rule), allow)
    return best[1]


def test_robots_txt_opens_the_newsletter_archive_and_closes_its_forms_and_tokens(client, home):
    body = client.get("/robots.txt").content.decode()

    for public in [
        "/newsletter/archive/",
        "/newsletter/archive/?page=2",
        "/newsletter/archive/issue-12-june/",
        "/newsletter/archive/feed/",
        "/blog/",
    ]:
        assert _robots_allows(body, public), public
    for private in [
        "/newsletter/",
        "/newsletter/?email=someone@example.org",
        "/newsletter/check-your-inbox/",
        "/newsletter/confirm/abc:def/",
        "/newsletter/unsubscribe/abc:def/",
        "/newsletter/account/",
        "/newsletter/webhooks/postmark/tracking/",
        "/accounts/login/",
        "/portal/",
        "/search/?q=x",
    ]:
        assert not _robots_allows(body, private), private
