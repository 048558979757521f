"""Restricted pages and members-only posts: an anonymous visitor goes to the login page once and
comes back after logging in; a logged-in visitor without access gets a 403 page in the site's
layout that says why, never a redirect (allauth sends a logged-in visitor straight back to
`next`, which looped)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page, PageViewRestriction

from blog.models import BlogPostPage
from portal import demo as portal_demo
from portal.models import Membership, User
from tests.factories.accounts import StaffFactory, log_in
from tests.factories.blog import StandardPageFactory
from tests.factories.portal import ApplicantFactory, MemberFactory

SECRET_TEXT = "Red-flag indicators for partner banks"


def _restrict(page, kind, groups=()):
    restriction = PageViewRestriction.objects.create(
        page=Page.objects.get(pk=page.pk), restriction_type=kind
    )
    restriction.groups.set(groups)
    return restriction


@pytest.fixture
def resources(home):
    page = StandardPageFactory(
        parent=home, title="Member resources", slug="member-resources", introduction=SECRET_TEXT
    )
    _restrict(page, PageViewRestriction.GROUPS, [Group.objects.get_or_create(name="Members")[0]])
    return page


def _assert_site_403(response, *texts):
    html = response.content.decode()
    assert response.status_code == 403
    assert "site-header" in html
    assert "site-footer" in html
    assert SECRET_TEXT not in html
    assert "no-store" in response["Cache-Control"]
    for text in texts:
        assert text in html, text


def test_anonymous_visitors_go_to_log_in_once_and_come_back(client, resources):
    member = MemberFactory(email="amelia@example.org", password="a long passphrase 99")

    response = client.get("/member-resources/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/member-resources/"
    login = client.post(
        response["Location"],
        {"login": member.email, "password": "a long passphrase 99"},
    )
    assert login.status_code == 302
    assert login["Location"] == "/member-resources/"
    assert SECRET_TEXT in client.get("/member-resources/").content.decode()


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (Membership.Status.PENDING, "Your application is under review"),
        (Membership.Status.UNVERIFIED, "Confirm your email address"),
        (Membership.Status.REJECTED, "Your application was not approved"),
        (Membership.Status.SUSPENDED, "Your membership is suspended"),
    ],
)
def test_a_logged_in_applicant_gets_a_403_saying_where_the_application_stands(
    client, resources, status, says
):
    client.force_login(ApplicantFactory(status=status))

    response = client.get("/member-resources/", follow=True)

    assert response.redirect_chain == []  # no detour to the login page, so no loop
    _assert_site_403(response, says, "is for approved members", "log out")


def test_an_applicant_who_logs_in_to_open_the_page_gets_the_403_not_a_loop(client, resources):
    applicant = ApplicantFactory(email="noa@example.org", password="a long passphrase 98")

    login = client.post(
        "/accounts/login/?next=/member-resources/",
        {"login": applicant.email, "password": "a long passphrase 98"},
        follow=True,
    )

    assert [url for url, _ in login.redirect_chain] == ["/member-resources/"]
    _assert_site_403(login, "Your application is under review")
    # The login page itself, opened again while logged in, leads to the 403 as well, once.
    again = client.get("/accounts/login/?next=/member-resources/", follow=True)
    assert len(again.redirect_chain) == 1
    assert again.status_code == 403


def test_an_account_with_no_application_is_told_how_to_join(client, resources):
    client.force_login(User.objects.create_user(email="reader@example.org", password="x" * 20))

    _assert_site_403(client.get("/member-resources/"), "Apply to join")


def test_members_and_staff_read_the_members_page(client, resources):
    client.force_login(MemberFactory())
    member_page = client.get("/member-resources/")
    log_in(
        client, StaffFactory(reviewer=True)
    )  # staff (with their second factor), not in the Members group
    staff_page = client.get("/member-resources/")

    for response in (member_page, staff_page):
        assert response.status_code == 200
        assert SECRET_TEXT in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]


def test_a_page_restricted_to_another_group_names_it(client, home):
    page = StandardPageFactory(parent=home, slug="board", introduction=SECRET_TEXT)
    _restrict(page, PageViewRestriction.GROUPS, [Group.objects.create(name="Board")])
    client.force_login(MemberFactory())

    response = client.get("/board/", follow=True)

    assert response.redirect_chain == []
    _assert_site_403(response, "You cannot open this page", "“Board”", "log out")


def test_a_page_for_logged_in_visitors_sends_only_anonymous_ones_to_log_in(client, home):
    page = StandardPageFactory(parent=home, slug="logged-in", introduction=SECRET_TEXT)
    _restrict(page, PageViewRestriction.LOGIN)

    anonymous = client.get("/logged-in/")
    client.force_login(ApplicantFactory())
    applicant = client.get("/logged-in/")

    assert anonymous.status_code == 302
    assert anonymous["Location"] == "/accounts/login/?next=/logged-in/"
    assert applicant.status_code == 200
    assert SECRET_TEXT in applicant.content.decode()


def test_a_members_only_post_gives_a_logged_in_non_member_the_403(client, make_post):
    post = make_post(title="Members briefing", summary=SECRET_TEXT, members_only=True)
    client.force_login(ApplicantFactory())

    response = client.get(post.url, follow=True)

    assert response.redirect_chain == []
    _assert_site_403(response, "Your application is under review")


def test_every_restricted_page_of_the_demo_behaves_the_same(client, home):
    """The demo's members-only page and post, for an applicant, a member and a stranger."""
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo_content", stdout=StringIO())
    restricted = [
        page.url for page in Page.objects.filter(view_restrictions__isnull=False).specific()
    ]
    restricted += [post.url for post in BlogPostPage.objects.filter(members_only=True)]
    assert len(restricted) >= 2
    applicant = User.objects.get(email=portal_demo.APPLICANT["email"])
    for url in restricted:
        client.logout()
        anonymous = client.get(url)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith("/accounts/login/?next=")
        client.force_login(applicant)
        response = client.get(url, follow=True)
        assert response.redirect_chain == [], url
        assert response.status_code == 403, url
