"""What members meet on profiles, requests and threads: limits on requests and their emails,
the state of a thread whose other side is suspended or blocked, the decline date, the
confirmation before removing a connection, the LinkedIn field, links in messages, photos'
caching and the order of countries."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal import selectors, services
from portal.countries import COUNTRIES
from portal.models import ConnectionRequest, Membership
from tests.factories.accounts import StaffFactory
from tests.factories.portal import ApplicantFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _connect(a, b):
    request = services.connection_request_send(sender=a, recipient=b)
    services.connection_request_accept(user=b, request_id=request.pk)


def _page(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


# --- Requests: how many, and how many emails ------------------------------------------------


def test_withdrawing_and_asking_again_emails_the_recipient_once_in_30_days(
    member, peer, django_capture_on_commit_callbacks
):
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            request = services.connection_request_send(sender=member, recipient=peer)
        services.connection_request_withdraw(user=member, request_id=request.pk)
    assert [m.to for m in mail.outbox] == [[peer.email]]

    # 30 days on, the next request is emailed again.
    ConnectionRequest.objects.update(request_email_sent_at=timezone.now() - timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        services.connection_request_send(sender=member, recipient=peer)
    assert [m.to for m in mail.outbox] == [[peer.email], [peer.email]]


def test_the_request_still_shows_in_the_portal_when_it_is_not_emailed(
    client, member, peer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.connection_request_send(sender=member, recipient=peer)
    services.connection_request_withdraw(user=member, request_id=first.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.connection_request_send(sender=member, recipient=peer)
    assert len(mail.outbox) == 1

    client.force_login(peer)
    page = _page(client.get("/portal/connections/"))
    assert member.get_full_name() in page.select_one("#incoming-heading").parent.get_text()


def test_a_member_can_send_only_so_many_requests_a_day(settings, member, peer, third):
    settings.PORTAL_CONNECTION_REQUESTS_PER_DAY = 3
    for _ in range(3):  # withdrawn requests count too
        request = services.connection_request_send(sender=member, recipient=peer)
        services.connection_request_withdraw(user=member, request_id=request.pk)

    with pytest.raises(ValidationError, match="in the last 24 hours"):
        services.connection_request_send(sender=member, recipient=third)

    ConnectionRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))
    services.connection_request_send(sender=member, recipient=third)


def test_the_daily_cap_is_shown_on_the_page(client, settings, member, peer, third):
    settings.PORTAL_CONNECTION_REQUESTS_PER_DAY = 1
    services.connection_request_send(sender=member, recipient=peer)
    client.force_login(member)

    response = client.post(
        f"/portal/members/{third.profile.public_id}/connect/", {"note": "Hello"}, follow=True
    )

    assert "the most a member can send in a day" in response.content.decode()
    assert not ConnectionRequest.objects.filter(sender=member, recipient=third).exists()


# --- After a decline ------------------------------------------------------------------------


def test_after_a_decline_the_profile_says_from_when_one_can_ask_again(client, member, peer):
    request = services.connection_request_send(sender=member, recipient=peer)
    services.connection_request_decline(user=peer, request_id=request.pk)
    declined = timezone.now() - timedelta(days=10)
    ConnectionRequest.objects.filter(pk=request.pk).update(responded_at=declined)
    client.force_login(member)

    page = _page(client.get(f"/portal/members/{peer.profile.public_id}/"))

    again = timezone.localdate(declined + timedelta(days=30))
    assert f"You can ask again from {again:%-d %B %Y}" in page.get_text(" ", strip=True)
    assert not page.select("form.connect-form")
    assert "Send connection request" not in page.get_text()
    # The directory shows the same, not a "Connect" button.
    directory = _page(client.get("/portal/members/"))
    card = directory.find(string=lambda s: s and "You can ask again from" in s)
    assert card is not None
    assert not directory.select(f'a[href="/portal/members/{peer.profile.public_id}/connect/"]')


def test_once_the_30_days_are_over_the_form_is_back(client, member, peer):
    request = services.connection_request_send(sender=member, recipient=peer)
    services.connection_request_decline(user=peer, request_id=request.pk)
    ConnectionRequest.objects.filter(pk=request.pk).update(
        responded_at=timezone.now() - timedelta(days=31)
    )
    client.force_login(member)

    page = _page(client.get(f"/portal/members/{peer.profile.public_id}/"))

    assert page.select("form.connect-form")
    assert "ask again" not in page.get_text()


def test_the_note_label_says_optional_once(client, member, peer):
    client.force_login(member)

    page = _page(client.get(f"/portal/members/{peer.profile.public_id}/connect/"))

    label = page.select_one('label[for="id_note"]').get_text(" ", strip=True)
    assert label.count("(optional)") == 1


# --- Removing a connection ------------------------------------------------------------------


def test_remove_connection_asks_first_and_removes_only_on_confirmation(client, member, peer):
    _connect(member, peer)
    client.force_login(member)
    profile_url = f"/portal/members/{peer.profile.public_id}/"

    link = _page(client.get(profile_url)).find("a", string="Remove connection")
    confirm = _page(client.get(link["href"]))

    assert selectors.are_connected(member, peer)  # opening the page changed nothing
    assert peer.get_full_name() in confirm.h1.get_text()
    form = confirm.select_one("form.button-row[method=post]")
    assert form.select_one("button[type=submit]").get_text(strip=True) == "Remove connection"
    response = client.post(link["href"])
    assert response.status_code == 302
    assert not selectors.are_connected(member, peer)


# --- Threads: suspended, blocked, links -----------------------------------------------------


def test_a_suspended_member_is_shown_as_not_available_instead_of_a_reply_box(client, member, peer):
    _connect(member, peer)
    message = services.message_send(sender=peer, recipient=member, body="Hello")
    reviewer = StaffFactory(reviewer=True, email="rev@example.org")
    services.membership_decide(
        membership_id=Membership.objects.get(user=peer).pk,
        action="suspend",
        decided_by=reviewer,
        note="Conduct under review",
    )
    client.force_login(member)

    page = _page(client.get(f"/portal/messages/{message.conversation_id}/"))

    assert not page.select("form.reply-form")
    assert "is not available at the moment" in page.get_text()
    assert "suspend" not in page.get_text().lower()
    assert not page.find("a", string="Profile")  # it would answer 404


@pytest.fixture
def thread(member, peer):
    _connect(member, peer)
    services.message_send(sender=member, recipient=peer, body="Our first exchange")
    return services.message_send(sender=peer, recipient=member, body="Reply").conversation


def test_the_blocker_keeps_the_thread_without_a_dead_profile_link(client, member, peer, thread):
    services.member_block(blocker=member, blocked=peer)
    client.force_login(member)

    page = _page(client.get(f"/portal/messages/{thread.pk}/"))

    assert "Our first exchange" in page.get_text()
    assert not page.find("a", string="Profile")
    assert not page.select("form.reply-form")
    assert "You blocked" in page.get_text()


def test_the_blocked_member_no_longer_sees_the_blocker_or_the_conversation(
    client, member, peer, thread
):
    services.message_send(sender=member, recipient=peer, body="Unread before the block")
    services.member_block(blocker=member, blocked=peer)
    client.force_login(peer)

    assert client.get(f"/portal/messages/{thread.pk}/").status_code == 404
    listing = client.get("/portal/messages/").content.decode()
    home = client.get("/portal/").content.decode()
    for html in (listing, home):
        assert member.get_full_name() not in html
        assert member.profile.job_title not in html
        assert "Our first exchange" not in html
    assert selectors.nav_counts(peer).unread_messages == 0


def test_links_in_messages_are_links_and_everything_else_is_escaped(client, member, peer):
    _connect(member, peer)
    body = (
        "See https://example.org/report?id=1&x=2, and www.example.net.\n"
        '<script>alert(1)</script> <a href="javascript:alert(2)">x</a> javascript:alert(3)'
    )
    message = services.message_send(sender=member, recipient=peer, body=body)
    client.force_login(peer)

    page = _page(client.get(f"/portal/messages/{message.conversation_id}/"))

    bubble = page.select(".bubble__body")[-1]
    links = bubble.find_all("a")
    assert [(a["href"], a.get_text()) for a in links] == [
        ("https://example.org/report?id=1&x=2", "https://example.org/report?id=1&x=2"),
        ("https://www.example.net", "www.example.net"),
    ]
    assert all(a["rel"] == ["nofollow", "noopener"] for a in links)
    assert not bubble.find("script")
    assert "<script>alert(1)</script>" in bubble.get_text()
    assert bubble.find("br") is not None


# --- Profile fields -------------------------------------------------------------------------


PROFILE_FORM = {
    "first_name": "Amelia",
    "last_name": "Chen",
    "organisation": "AFP",
    "job_title": "Investigator",
    "sector": "law_enforcement",
    "country": "AU",
    "bio": "",
    "expertise_text": "",
    "show_email": "on",
    "phone": "",
    "website": "",
    "contact_visibility": "members",
}


@pytest.mark.parametrize(
    "typed",
    [
        "https://evil.example/in/amelia",
        "https://linkedin.com.evil.example/in/amelia",
        "https://www.linkedin.com/company/icmec",
        "https://www.linkedin.com/in/",
        "javascript:alert(1)//www.linkedin.com/in/amelia",
        "https://user@www.linkedin.com/in/amelia",
    ],
)
def test_the_linkedin_field_refuses_what_is_not_a_linkedin_profile(client, member, typed):
    client.force_login(member)

    response = client.post("/portal/profile/edit/", PROFILE_FORM | {"linkedin": typed})

    html = response.content.decode()
    assert response.status_code == 200
    error = BeautifulSoup(html, "html.parser").select_one("#id_linkedin_error").get_text()
    assert "LinkedIn profile" in error or "valid URL" in error
    member.profile.refresh_from_db()
    assert member.profile.linkedin == ""


@pytest.mark.parametrize(
    "typed",
    [
        "https://www.linkedin.com/in/amelia-chen-42/",
        "linkedin.com/in/amelia-chen-42",
        "https://au.linkedin.com/in/amelia-chen-42?originalSubdomain=au",
    ],
)
def test_linkedin_profile_addresses_are_kept_in_one_form(client, member, typed):
    client.force_login(member)

    response = client.post("/portal/profile/edit/", PROFILE_FORM | {"linkedin": typed})

    assert response.status_code == 302
    member.profile.refresh_from_db()
    assert member.profile.linkedin == "https://www.linkedin.com/in/amelia-chen-42"


def test_an_old_non_linkedin_address_is_not_linked_from_the_profile(client, member, peer):
    type(peer.profile).objects.filter(pk=peer.profile.pk).update(
        linkedin="https://evil.example/", contact_visibility="members"
    )
    client.force_login(member)

    page = _page(client.get(f"/portal/members/{peer.profile.public_id}/"))

    assert not page.select('a[href="https://evil.example/"]')


# --- Photos and countries -------------------------------------------------------------------


def test_photos_may_be_kept_by_the_browser_only_and_pages_never(client, member, peer):
    from tests.portal.test_photos import _image, _upload

    services.profile_photo_set(profile=peer.profile, upload=_upload(_image()))
    peer.profile.refresh_from_db()
    client.force_login(member)

    photo = client.get(f"/portal/photos/{peer.profile.photo_key}-128.jpg")
    page = client.get("/portal/members/")

    assert photo.status_code == 200
    directives = {d.strip() for d in photo["Cache-Control"].split(",")}
    assert "private" in directives
    assert "max-age=86400" in directives
    assert not directives & {"no-store", "no-cache", "public", "max-age=0"}
    assert "s-maxage" not in photo["Cache-Control"]
    assert "no-store" in page["Cache-Control"]


def test_countries_sort_as_readers_expect_accents_aside():
    names = [name for _, name in COUNTRIES]

    assert names.index("Côte d'Ivoire") < names.index("Croatia") < names.index("Czechia")
    assert names.index("Åland Islands") < names.index("Albania")
    assert names.index("Réunion") < names.index("Romania")


def test_the_directorys_country_filter_is_in_the_same_order(client, member):
    MemberFactory(email="ci@example.org", country="CI")
    MemberFactory(email="cz@example.org", country="CZ")
    MemberFactory(email="cr@example.org", country="HR")
    client.force_login(member)

    page = _page(client.get("/portal/members/"))

    options = [o.get_text(strip=True) for o in page.select("select[name=country] option")]
    present = [name for name in options if name in ("Côte d'Ivoire", "Croatia", "Czechia")]
    assert present == ["Côte d'Ivoire", "Croatia", "Czechia"]


# --- Who emails come from -------------------------------------------------------------------


def _reject(reviewer, django_capture_on_commit_callbacks):
    applicant = ApplicantFactory(email="applicant@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_decide(
            membership_id=Membership.objects.get(user=applicant).pk,
            action="reject",
            decided_by=reviewer,
            note="We could not confirm your role.",
        )
    [message] = mail.outbox
    return message


def test_portal_emails_come_from_the_portal_sender_and_replies_reach_staff(
    settings, reviewer, django_capture_on_commit_callbacks
):
    settings.PORTAL_FROM_EMAIL = "ICMEC Australia Member Portal <members@icmec.example>"
    settings.PORTAL_REPLY_TO_EMAIL = "membership@icmec.example"

    message = _reject(reviewer, django_capture_on_commit_callbacks)

    assert message.from_email == "ICMEC Australia Member Portal <members@icmec.example>"
    assert message.reply_to == ["membership@icmec.example"]
    assert "reply to this email" in message.body


def test_without_a_staff_mailbox_emails_do_not_ask_for_a_reply(
    settings, reviewer, django_capture_on_commit_callbacks
):
    settings.PORTAL_REPLY_TO_EMAIL = ""

    message = _reject(reviewer, django_capture_on_commit_callbacks)

    assert message.reply_to == []
    assert "reply" not in message.body
    assert f"{settings.SITE_URL}/contact/" in message.body


def test_the_message_digest_does_not_name_a_member_who_has_since_blocked_the_recipient(
    member, peer, third
):
    from portal import notifications
    from portal.models import Message

    _connect(member, peer)
    _connect(third, peer)
    services.message_send(sender=member, recipient=peer, body="Before the block")
    services.message_send(sender=third, recipient=peer, body="Hello")
    services.member_block(blocker=member, blocked=peer)
    Message.objects.update(created_at=timezone.now() - timedelta(hours=1))
    mail.outbox.clear()

    assert notifications.message_digest_send(user_id=peer.pk) == 1

    [message] = mail.outbox
    assert third.get_full_name() in message.body
    assert member.get_full_name() not in message.body
