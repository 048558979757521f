"""An event page's schema.org Event (JSON-LD, parsed with json.loads) and its OpenGraph and
Twitter tags: the right fields, times with their offsets, never the joining link, and a title
that tries to close the element stays inside it."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from events.models import Audience, EventFormat
from tests.events.factories import SpeakerFactory
from tests.factories.blog import SiteImageFactory

pytestmark = pytest.mark.django_db

BRISBANE = ZoneInfo("Australia/Brisbane")
START = datetime(2030, 3, 4, 9, 30, tzinfo=BRISBANE)
HOSTILE = '</script><script>alert("x")</script> & <!-- Q&A <b>'


def page_of(client, event):
    response = client.get(event.url)
    assert response.status_code == 200
    return response, BeautifulSoup(response.content, "html.parser")


def json_ld(soup) -> dict:
    (block,) = soup.find_all("script", type="application/ld+json")
    return json.loads(block.string)


def meta(soup, name: str) -> str:
    tag = soup.find("meta", property=name) or soup.find("meta", attrs={"name": name})
    return tag["content"]


def test_an_in_person_event_is_a_schema_org_event_with_its_place(client, make_event):
    event = make_event(
        title="Roundtable on payments",
        summary="Banks and police compare notes.",
        format=EventFormat.IN_PERSON,
        venue="State Library",
        address="Level 3, Cultural Precinct\nStanley Place,\nSouth Brisbane QLD 4101",
        time_zone="Australia/Brisbane",
        start_at=START,
        end_at=START + timedelta(hours=2),
        registration_opens_at=START - timedelta(days=30),
        image=SiteImageFactory(title="Round table"),
        speakers=[SpeakerFactory(name="Dana Lee"), SpeakerFactory(name="Ari Stone")],
    )
    response, soup = page_of(client, event)
    data = json_ld(soup)
    url = f"{settings.SITE_URL}{event.url}"

    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Event"
    assert data["name"] == "Roundtable on payments"
    assert data["description"] == "Banks and police compare notes."
    assert data["startDate"] == "2030-03-04T09:30:00+10:00"
    assert data["endDate"] == "2030-03-04T11:30:00+10:00"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert data["location"] == {
        "@type": "Place",
        "name": "State Library",
        "address": {
            "@type": "PostalAddress",
            "streetAddress": "Level 3, Cultural Precinct, Stanley Place, South Brisbane QLD 4101",
        },
    }
    assert data["url"] == url
    assert data["offers"]["url"] == url
    assert data["offers"]["validFrom"] == "2030-02-02T09:30:00+10:00"
    assert data["organizer"]["@type"] == "Organization"
    assert data["organizer"]["name"] == settings.ORGANISATION_NAME
    assert [person["name"] for person in data["performer"]] == ["Ari Stone", "Dana Lee"]
    (image,) = data["image"]
    assert image.startswith(f"{settings.SITE_URL}/media/images/")
    assert image.endswith(".jpg")
    # The same picture as the page's og:image.
    assert meta(soup, "og:image") == image
    assert event.joining_link not in response.content.decode()


@pytest.mark.parametrize(
    ("event_format", "mode", "location_types"),
    [
        (EventFormat.ONLINE, "OnlineEventAttendanceMode", ["VirtualLocation"]),
        (EventFormat.HYBRID, "MixedEventAttendanceMode", ["Place", "VirtualLocation"]),
    ],
)
def test_an_online_event_is_found_at_its_page_never_at_its_joining_link(
    client, make_event, event_format, mode, location_types
):
    event = make_event(format=event_format, venue="Town hall", address="1 Main St")
    response, soup = page_of(client, event)
    data = json_ld(soup)
    locations = data["location"] if isinstance(data["location"], list) else [data["location"]]

    assert data["eventAttendanceMode"] == f"https://schema.org/{mode}"
    assert [location["@type"] for location in locations] == location_types
    assert locations[-1]["url"] == f"{settings.SITE_URL}{event.url}"
    assert "secret-room" not in json.dumps(data)
    assert "secret-room" not in response.content.decode()


def test_a_cancelled_event_says_so(client, make_event):
    _, soup = page_of(client, make_event(cancelled=True))

    assert json_ld(soup)["eventStatus"] == "https://schema.org/EventCancelled"


def test_a_hostile_title_cannot_leave_the_json_ld_block(client, make_event):
    event = make_event(title=HOSTILE, summary="Ends </script> here & there.")
    response, soup = page_of(client, event)
    html = response.content.decode()

    data = json_ld(soup)
    assert data["name"] == HOSTILE
    assert data["description"] == "Ends </script> here & there."
    (block,) = soup.find_all("script", type="application/ld+json")
    raw = block.string
    assert not {"<", ">", "&"} & set(raw)
    assert "\\u003C/script\\u003E" in raw
    assert '<script>alert("x")' not in html
    # The page runs no script of its own besides the site's file (the CSP allows no other).
    assert [tag.get("src") for tag in soup.find_all("script") if tag.get("type") is None] == [
        "/static/icmec/js/site.js"
    ]
    assert meta(soup, "og:title") == HOSTILE  # escaped in the attribute, read back whole
    assert "nonce-" not in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_opengraph_and_twitter_tags_describe_the_event(client, make_event):
    event = make_event(
        title="Following the money",
        summary="How payments reveal offenders.",
        image=SiteImageFactory(title="Coins", description="A pile of coins"),
    )
    _, soup = page_of(client, event)
    url = f"{settings.SITE_URL}{event.url}"

    assert meta(soup, "og:type") == "website"
    assert meta(soup, "og:title") == "Following the money"
    assert meta(soup, "og:description") == "How payments reveal offenders."
    assert meta(soup, "description") == "How payments reveal offenders."
    assert meta(soup, "og:url") == url
    assert soup.find("link", rel="canonical")["href"] == url
    assert meta(soup, "og:image").startswith(f"{settings.SITE_URL}/media/images/")
    assert meta(soup, "og:image:alt") == "A pile of coins"
    assert meta(soup, "twitter:card") == "summary_large_image"
    assert meta(soup, "twitter:title") == "Following the money"
    assert meta(soup, "twitter:image") == meta(soup, "og:image")
    # The search description, when staff give one, is what search engines and shares show.
    event.search_description = "A webinar for analysts."
    event.save_revision().publish()
    _, soup = page_of(client, event)
    assert meta(soup, "og:description") == "A webinar for analysts."
    assert json_ld(soup)["description"] == "A webinar for analysts."


def test_a_members_only_event_page_has_the_same_data_for_members(member_client, make_event):
    event = make_event(audience=Audience.MEMBERS)
    response, soup = page_of(member_client, event)

    assert json_ld(soup)["name"] == event.title
    assert event.joining_link not in response.content.decode()


def test_an_image_whose_file_is_lost_leaves_the_page_whole(client, make_event):
    image = SiteImageFactory()
    event = make_event(image=image)
    image.file.storage.delete(image.file.name)

    _, soup = page_of(client, event)

    assert "image" not in json_ld(soup)
    assert json_ld(soup)["name"] == event.title


def test_a_preview_shows_the_edited_events_data(make_event):
    event = make_event(title="As published")
    event.title = "As being edited"

    response = event.make_preview_request()

    assert response.status_code == 200
    assert json_ld(BeautifulSoup(response.content, "html.parser"))["name"] == "As being edited"
