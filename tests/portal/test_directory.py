"""The directory: full-text search, filters, pagination, connection state, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal import selectors, services
from portal.models import MemberProfile
from tests.factories.portal import ApplicantFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(member):
    return {
        "janet": MemberFactory(
            first_name="Janet",
            last_name="Okoro",
            email="janet@example.org",
            organisation="Harbour Bank",
            sector="financial_services",
            country="NZ",
            bio="I investigate payments and money laundering typologies.",
            expertise=["Financial intelligence"],
        ),
        "marc": MemberFactory(
            first_name="Marc",
            last_name="Dubois",
            email="marc@example.org",
            organisation="Europol",
            sector="law_enforcement",
            country="FR",
            bio="Victim identification in online investigations.",
            expertise=["Victim identification", "OSINT"],
        ),
    }


def _names(response):
    return [profile.user.first_name for profile in response.context["profiles"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("jan", ["Janet"]),  # the beginning of a name
        ("Okoro", ["Janet"]),
        ("harbour", ["Janet"]),  # organisation
        ("investigating", ["Janet", "Marc"]),  # English stems ("investigate", "investigations")
        ("laundering", ["Janet"]),
        ("osint", ["Marc"]),  # expertise
        ("victim identification", ["Marc"]),
        ("nobody-matches-this", []),
    ],
)
def test_search_covers_name_organisation_bio_and_expertise(member_client, people, query, expected):
    response = member_client.get("/portal/members/", {"q": query})

    assert sorted(_names(response)) == expected


def test_filters_by_sector_country_and_expertise(member_client, people):
    by_sector = _names(member_client.get("/portal/members/", {"sector": "financial_services"}))
    by_country = _names(member_client.get("/portal/members/", {"country": "FR"}))
    by_expertise = _names(
        member_client.get("/portal/members/", {"expertise": "financial-intelligence"})
    )
    assert (by_sector, by_country, by_expertise) == (["Janet"], ["Marc"], ["Janet"])


def test_bad_filter_values_are_ignored_not_errors(member_client, people):
    response = member_client.get(
        "/portal/members/", {"sector": "<script>", "country": "ZZZ", "page": "nope", "q": "&|!"}
    )

    assert response.status_code == 200
    assert sorted(_names(response)) == ["Janet", "Marc"]


def test_the_viewer_applicants_and_suspended_members_never_appear(member_client, people, reviewer):
    ApplicantFactory(first_name="Pending", email="pending@example.org")
    services.membership_decide(
        membership_id=people["marc"].membership.pk,
        action="suspend",
        decided_by=reviewer,
        note="x",
    )

    names = _names(member_client.get("/portal/members/"))

    assert names == ["Janet"]


def test_each_row_shows_the_connection_state_and_action(member_client, member, people, third):
    services.connection_request_send(sender=member, recipient=people["janet"])
    services.connection_request_send(sender=people["marc"], recipient=member)
    request = services.connection_request_send(sender=member, recipient=third)
    services.connection_request_accept(user=third, request_id=request.pk)

    html = member_client.get("/portal/members/").content.decode()
    cards = html.split('<li class="member-card">')[1:]
    rows = {
        name: next(card for card in cards if f">{name}</a>" in card)
        for name in ("Janet Okoro", "Marc Dubois", "Priya Nair")
    }

    assert "Request sent" in rows["Janet Okoro"]
    assert "Withdraw" in rows["Janet Okoro"]
    assert "Wants to connect" in rows["Marc Dubois"]
    assert "Accept" in rows["Marc Dubois"]
    assert "Connected" in rows["Priya Nair"]
    assert "Message" in rows["Priya Nair"]


def test_results_are_paginated(member_client, settings):
    settings.PORTAL_DIRECTORY_PAGE_SIZE = 5
    MemberFactory.create_in_bulk(12)

    first = member_client.get("/portal/members/", {"q": "financial"})
    last = member_client.get("/portal/members/", {"q": "financial", "page": 3})

    assert first.context["page_obj"].paginator.count == 12
    assert len(first.context["profiles"]) == 5
    assert len(last.context["profiles"]) == 2
    assert "q=financial&amp;page=2" in first.content.decode()
    # The count comes with the rows; a page past the end (an old link) lands on the last page.
    assert last.context["page_obj"].paginator.count == 12
    beyond = member_client.get("/portal/members/", {"q": "financial", "page": 99})
    assert beyond.context["page_obj"].number == 3
    assert [p.pk for p in beyond.context["profiles"]] == [p.pk for p in last.context["profiles"]]
    nothing = member_client.get("/portal/members/", {"q": "no-such-word", "page": 4})
    assert nothing.context["page_obj"].paginator.count == 0
    assert list(nothing.context["profiles"]) == []


def _count_queries(client, url, params=None):
    # Warm up: the first visits create the session record and fill the site chrome's caches.
    client.get(url, params or {})
    client.get(url, params or {})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def test_the_directory_uses_the_same_number_of_queries_for_10_or_500_members(member_client, member):
    MemberFactory.create_in_bulk(10, prefix="few")
    few = _count_queries(member_client, "/portal/members/")
    few_search = _count_queries(member_client, "/portal/members/", {"q": "financial"})

    MemberFactory.create_in_bulk(490, prefix="many")
    assert MemberProfile.objects.count() == 501
    many = _count_queries(member_client, "/portal/members/")
    many_search = _count_queries(member_client, "/portal/members/", {"q": "financial"})

    assert few == many
    assert few_search == many_search
    assert many <= 24  # session, user, site chrome (base.html), the page's own reads


def test_a_profile_page_uses_the_same_number_of_queries_for_10_or_500_members(
    member_client, member
):
    users = MemberFactory.create_in_bulk(10, prefix="few")
    target = users[3].profile.public_id
    few = _count_queries(member_client, f"/portal/members/{target}/")

    MemberFactory.create_in_bulk(490, prefix="many")
    many = _count_queries(member_client, f"/portal/members/{target}/")

    assert few == many
    assert many <= 24  # session, user, site chrome (base.html), the page's own reads


def test_profile_shows_the_facts_and_escapes_what_members_write(member_client, people):
    janet = people["janet"]
    janet.profile.bio = "<script>alert(1)</script> Payments"
    janet.profile.save()

    html = member_client.get(f"/portal/members/{janet.profile.public_id}/").content.decode()

    assert "Harbour Bank" in html
    assert "New Zealand" in html
    assert "Financial intelligence" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_members_edit_their_own_profile_and_search_sees_it(member_client, member):
    response = member_client.post(
        "/portal/profile/edit/",
        {
            "first_name": "Amelia",
            "last_name": "Chen",
            "organisation": "Harbour Bank",
            "job_title": "Head of Financial Intelligence",
            "sector": "financial_services",
            "country": "AU",
            "bio": "Cryptocurrency tracing.",
            "expertise_text": "Blockchain analytics, AML",
            "contact_visibility": "members",
            "website": "harbour.example",
        },
    )

    assert response.status_code == 302
    profile = MemberProfile.objects.get(user=member)
    assert profile.website == "https://harbour.example"
    assert sorted(profile.expertise.names()) == ["AML", "Blockchain analytics"]
    viewer = MemberFactory(email="viewer@example.org")
    found = selectors.directory_search(
        viewer=viewer, filters=selectors.DirectoryFilters(q="blockchain")
    )
    assert [p.user_id for p in found] == [member.pk]


def test_a_profile_form_with_errors_keeps_the_input(member_client):
    response = member_client.post(
        "/portal/profile/edit/",
        {"first_name": "", "last_name": "Chen", "organisation": "Kept Org", "website": "not a url"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Kept Org"' in html
    assert "This field is required." in html
    assert "Enter a valid URL." in html
