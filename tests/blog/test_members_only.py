"""Members-only posts: hidden from everyone else everywhere, readable by approved members."""

import datetime
import xml.etree.ElementTree as ET

import feedparser
import pytest
from bs4 import BeautifulSoup

from blog.models import HomePageFeaturedPost
from tests.factories.accounts import login_staff

pytestmark = pytest.mark.django_db

SECRET = "Members briefing on roundtable"


@pytest.fixture
def posts(home, make_post, category):
    public_old = make_post(
        title="Public older post", categories=[category], date_published=datetime.date(2022, 1, 1)
    )
    public = [
        make_post(title=f"Public post {n}", date_published=datetime.date(2023, 1, n + 1))
        for n in range(3)
    ]
    secret = make_post(
        title=SECRET,
        summary="Roundtable findings for members.",
        members_only=True,
        categories=[category],
        tags=["roundtable"],
        date_published=datetime.date(2024, 6, 1),
    )
    HomePageFeaturedPost.objects.create(page=home, post=secret)
    return {"secret": secret, "public": public, "public_old": public_old}


def page_text(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text().split())


LISTINGS = [
    "/",
    "/blog/",
    "/blog/category/research-and-insights/",
    "/blog/2024/",
    "/blog/tag/roundtable/",
]


@pytest.mark.parametrize("url", LISTINGS)
def test_hidden_from_anonymous_listings(client, posts, url):
    response = client.get(url)

    assert SECRET not in response.content.decode()


@pytest.mark.parametrize("url", LISTINGS)
def test_hidden_from_logged_in_non_members(client, posts, non_member, url):
    client.force_login(non_member)

    assert SECRET not in client.get(url).content.decode()


def test_listed_for_approved_members(client, posts, member):
    client.force_login(member)

    for url in ["/", "/blog/", "/blog/category/research-and-insights/", "/blog/2024/"]:
        assert SECRET in page_text(client, url), url
    assert "Members only" in page_text(client, "/blog/")


def test_hidden_from_search_unless_member(client, posts, member):
    assert SECRET not in page_text(client, "/search/", q="roundtable")
    assert "No results" in page_text(client, "/search/", q="roundtable")

    client.force_login(member)
    assert SECRET in page_text(client, "/search/", q="roundtable")


def test_hidden_from_feeds_even_for_members(client, posts, member):
    client.force_login(member)
    for url in [
        "/blog/feed/rss/",
        "/blog/feed/atom/",
        "/blog/category/research-and-insights/feed/rss/",
    ]:
        feed = feedparser.parse(client.get(url).content)
        titles = [entry.title for entry in feed.entries]
        assert SECRET not in titles, url
        assert titles, url


def test_hidden_from_the_sitemap(client, posts):
    tree = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 - our own sitemap
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    locations = [node.text for node in tree.iter(f"{namespace}loc")]

    assert not any(posts["secret"].slug in location for location in locations)
    assert any(posts["public"][0].slug in location for location in locations)


def test_hidden_from_latest_and_related_posts_of_other_posts(client, posts, member):
    url = posts["public_old"].url

    assert SECRET not in page_text(client, url)
    client.force_login(member)
    assert SECRET in page_text(client, url)


def test_direct_address_sends_anonymous_visitors_to_log_in(client, posts):
    response = client.get(posts["secret"].url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={posts['secret'].url}"
    assert "no-store" in response["Cache-Control"]


def test_direct_address_is_refused_to_logged_in_non_members(client, posts, non_member):
    client.force_login(non_member)

    response = client.get(posts["secret"].url)

    assert response.status_code == 403
    assert "is for approved members" in response.content.decode()
    assert SECRET not in response.content.decode()


def test_members_read_it_and_it_is_never_cached_publicly(client, posts, member):
    client.force_login(member)

    response = client.get(posts["secret"].url)

    assert response.status_code == 200
    assert SECRET in response.content.decode()
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_staff_who_review_content_count_as_members_once_past_their_second_factor(
    client, posts, editor
):

    login_staff(client, editor)

    assert client.get(posts["secret"].url).status_code == 200
    assert SECRET in page_text(client, "/blog/")


def test_staff_whose_session_has_not_passed_the_second_factor_see_no_members_only_post(
    client, posts, editor
):
    from tests.factories.accounts import totp_activate

    totp_activate(editor)
    client.force_login(editor)  # a password alone: no second factor in this session

    response = client.get(posts["secret"].url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/?next=")
    assert SECRET not in page_text(client, "/blog/")
    assert SECRET not in page_text(client, "/search/?q=roundtable")


def test_category_counts_leave_out_members_only_posts(client, posts, member):
    # The category holds an older public post and the members-only post.
    assert "Research and insights (1)" in page_text(client, "/blog/")

    client.force_login(member)
    assert "Research and insights (2)" in page_text(client, "/blog/")
