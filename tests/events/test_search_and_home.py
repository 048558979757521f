"""Events in the blog's pages, through the blog's registries (blog.extensions): the site's
search (labelled "Event" with their day, members-only events for approved members only,
paginated as before) and the home page's next three events (not started, not cancelled), with
the caches that keep them: a publication updates and purges them, and an event that starts
leaves the home page within HOME_EVENTS_REFRESH. Query counts equal with 5 and 50 events."""

import itertools
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from events import pages
from events.models import Audience, EventPage
from tests.blog import frontend_cache_backend
from tests.blog.test_query_counts import queries  # cold (after a publication) and warm
from tests.events.factories import EventPageFactory
from tests.factories.blog import BlogIndexPageFactory, BlogPostPageFactory, SiteImageFactory

pytestmark = pytest.mark.django_db

SYDNEY = ZoneInfo("Australia/Sydney")


def soon(days: float) -> datetime:
    return timezone.now() + timedelta(days=days)


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def results(client, query: str, **params) -> list[dict[str, str]]:
    page = soup(client.get("/search/", {"q": query, **params}))
    return [
        {
            "title": " ".join(result.select_one(".search-result__title").get_text().split()),
            "meta": " ".join(result.select_one(".card__meta").get_text().split()),
        }
        for result in page.select(".search-result")
    ]


def home_events(client) -> list[str]:
    section = soup(client.get("/")).find(
        "section", attrs={"aria-labelledby": "home-events-heading"}
    )
    assert section.select_one(".section__header a")["href"] == "/events/"
    return [title.get_text(strip=True) for title in section.select(".card__title")]


@pytest.fixture
def search_events(make_event, home):
    blog = BlogIndexPageFactory(parent=home)
    BlogPostPageFactory(parent=blog, title="Safeguarding in payments", summary="A post.")
    # 23:30 UTC is the next morning in Sydney: the result shows the event's own day.
    make_event(
        title="Safeguarding webinar",
        summary="Safeguarding for analysts.",
        start_at=datetime(2031, 3, 4, 23, 30, tzinfo=ZoneInfo("UTC")),
        end_at=datetime(2031, 3, 5, 1, 0, tzinfo=ZoneInfo("UTC")),
    )
    make_event(
        title="Members safeguarding clinic",
        summary="Cases, in confidence.",
        audience=Audience.MEMBERS,
        start_at=datetime(2031, 6, 1, 10, tzinfo=SYDNEY),
        end_at=datetime(2031, 6, 1, 12, tzinfo=SYDNEY),
    )


def test_search_finds_visible_events_labelled_with_their_day(client, search_events, member):
    anonymous = results(client, "safeguarding")
    client.force_login(member)
    members = results(client, "safeguarding")

    by_title = {result["title"]: result["meta"] for result in members}
    assert {result["title"] for result in anonymous} == {
        "Safeguarding in payments",
        "Safeguarding webinar",
    }
    assert set(by_title) == {
        "Safeguarding in payments",
        "Safeguarding webinar",
        "Members safeguarding clinic",
    }
    assert by_title["Safeguarding webinar"] == "Event · 5 March 2031"
    assert by_title["Members safeguarding clinic"] == "Event · 1 June 2031 Members only"
    assert by_title["Safeguarding in payments"].startswith("News · ")
    page = soup(client.get("/search/", {"q": "clinic"}))
    assert page.select_one(".search-result time")["datetime"] == "2031-06-01"
    assert (
        page.select_one(".search-result__title a")["href"] == "/events/members-safeguarding-clinic/"
    )


def test_a_members_only_event_is_found_by_nothing_in_it_for_others(client, search_events):
    # Its summary and its body are indexed: neither finds it for a reader.
    assert results(client, "confidence") == []
    assert results(client, "clinic") == []


def test_search_results_with_events_page_ten_at_a_time(client, make_event):
    for n in range(12):
        make_event(title=f"Sextortion briefing {n:02}", start_at=soon(n + 1), end_at=soon(n + 1.1))

    first = soup(client.get("/search/", {"q": "sextortion"}))
    second = results(client, "sextortion", page=2)

    assert "12 results for “sextortion”" in first.select_one(".search-count").get_text()
    assert len(first.select(".search-result")) == 10
    assert len(second) == 2
    assert all(result["meta"].startswith("Event · ") for result in second)


def test_the_home_page_shows_the_next_three_events_the_visitor_may_see(client, make_event, member):
    make_event(title="Under way", start_at=soon(-0.01), end_at=soon(0.1))
    make_event(title="Cancelled", start_at=soon(0.5), end_at=soon(0.6), cancelled=True)
    make_event(title="Fourth", start_at=soon(9), end_at=soon(9.1))
    make_event(title="Third", start_at=soon(5), end_at=soon(5.1))
    make_event(title="First", start_at=soon(1), end_at=soon(1.1))
    make_event(
        title="Members second", start_at=soon(2), end_at=soon(2.1), audience=Audience.MEMBERS
    )
    make_event(title="Unpublished", start_at=soon(0.7), end_at=soon(0.8), live=False)

    assert home_events(client) == ["First", "Third", "Fourth"]
    client.force_login(member)
    assert home_events(client) == ["First", "Members second", "Third"]


def test_publishing_an_event_shows_it_on_the_home_page_at_once_and_purges_its_listings(
    client, settings, make_event, django_capture_on_commit_callbacks
):
    settings.WAGTAILFRONTENDCACHE = {
        "cdn": {"BACKEND": "tests.blog.frontend_cache_backend.RecordingBackend"}
    }
    assert home_events(client) == []
    draft = make_event(title="Fresh webinar", live=False)
    frontend_cache_backend.purged.clear()

    with django_capture_on_commit_callbacks(execute=True):
        draft.save_revision().publish()

    assert home_events(client) == ["Fresh webinar"]
    assert "Fresh webinar" in client.get("/events/").content.decode()
    assert {
        "http://localhost/",
        "http://localhost/events/",
        "http://localhost/events/past/",
        "http://localhost/events/calendar/",
        "http://localhost/sitemap.xml",
        "http://localhost/events/fresh-webinar/",
        "http://localhost/events/fresh-webinar/calendar/",
    } <= set(frontend_cache_backend.purged)

    frontend_cache_backend.purged.clear()
    draft.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        draft.unpublish()
    assert home_events(client) == []
    assert {"http://localhost/", "http://localhost/events/"} <= set(frontend_cache_backend.purged)


def test_an_event_that_starts_leaves_the_home_page_within_the_refresh_time(
    client, make_event, monkeypatch
):
    event = make_event(title="Starting soon", start_at=soon(1), end_at=soon(1.1))
    assert home_events(client) == ["Starting soon"]
    # It starts: nothing is published, the cached section still lists it for a while...
    EventPage.objects.filter(pk=event.pk).update(start_at=soon(-0.001))
    assert home_events(client) == ["Starting soon"]
    # ...at most HOME_EVENTS_REFRESH seconds.
    later = time.time() + pages.HOME_EVENTS_REFRESH
    monkeypatch.setattr(time, "time", lambda: later)
    assert home_events(client) == []


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_home_search_and_listing_queries_do_not_grow_with_the_number_of_events(
    client, events_index, member, who
):
    if who == "member":
        client.force_login(member)
    images = [SiteImageFactory() for _ in range(3)]
    counter = itertools.count()

    def add(number: int) -> None:
        for _ in range(number):
            n = next(counter)
            EventPageFactory(
                parent=events_index,
                title=f"Briefing {n}",
                image=images[n % 3],
                start_at=soon(n + 1),
                end_at=soon(n + 1.1),
                audience=Audience.MEMBERS if n % 2 else Audience.PUBLIC,
                capacity=20,
            )

    urls = ["/", "/search/?q=briefing", "/events/"]
    add(5)
    few = {url: queries(client, url) for url in urls}
    add(45)
    many = {url: queries(client, url) for url in urls}

    assert many == few
    for url, (cold, warm) in many.items():
        assert warm <= cold, url
