"""Who may see and touch what. Every member-owned URL refuses other members (404 or 403)."""

import pytest

from portal import services
from portal.models import Membership, User
from tests.factories.accounts import log_in
from tests.factories.portal import ApplicantFactory, MemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(member, peer):
    """Amelia and Tom are connected and have talked; Amelia has a request to Priya, a block and
    a photo. `outsider` is another approved member who owns none of it."""
    request = services.connection_request_send(sender=member, recipient=peer)
    services.connection_request_accept(user=peer, request_id=request.pk)
    message = services.message_send(sender=member, recipient=peer, body="Private words")
    priya = MemberFactory(first_name="Priya", last_name="Nair", email="priya@example.org")
    pending = services.connection_request_send(sender=member, recipient=priya)
    blocked = MemberFactory(email="blocked@example.org")
    block = services.member_block(blocker=member, blocked=blocked)
    outsider = MemberFactory(first_name="Olive", last_name="Outsider", email="olive@example.org")
    return {
        "member": member,
        "outsider": outsider,
        "conversation": message.conversation_id,
        "pending": pending.pk,
        "block": block.pk,
        "blocked_profile": blocked.profile.public_id,
    }


# (method, url template, what the outsider must not achieve)
MEMBER_OWNED = [
    ("get", "/portal/messages/{conversation}/"),
    ("post", "/portal/messages/{conversation}/"),
    ("post", "/portal/requests/{pending}/withdraw/"),
    ("post", "/portal/requests/{pending}/accept/"),
    ("post", "/portal/requests/{pending}/decline/"),
    ("post", "/portal/blocked/{block}/unblock/"),
]


@pytest.mark.parametrize(("method", "url"), MEMBER_OWNED)
def test_another_member_cannot_read_or_change_what_is_not_theirs(client, world, method, url):
    client.force_login(world["outsider"])
    target = url.format(**world)

    response = getattr(client, method)(target, {"body": "intrusion"})

    assert response.status_code in (403, 404)
    assert "Private words" not in response.content.decode()
    # Nothing changed behind the refusal.
    from portal.models import Block, ConnectionRequest, Message

    assert ConnectionRequest.objects.get(pk=world["pending"]).status == "pending"
    assert Block.objects.filter(pk=world["block"]).exists()
    assert not Message.objects.filter(body="intrusion").exists()


def test_the_owner_can_use_the_same_urls(client, world):
    client.force_login(world["member"])

    assert (
        "Private words" in client.get(f"/portal/messages/{world['conversation']}/").content.decode()
    )
    assert client.post(f"/portal/requests/{world['pending']}/withdraw/").status_code == 302


def test_a_blocked_members_profile_is_not_found(client, world):
    client.force_login(world["member"])

    assert client.get(f"/portal/members/{world['blocked_profile']}/").status_code == 404


def test_settings_pages_only_ever_show_the_askers_own_data(client, world):
    client.force_login(world["outsider"])

    html = client.get("/portal/account/").content.decode()

    assert "olive@example.org" in html
    assert "amelia@example.org" not in html


MEMBERS_AREA = [
    "/portal/members/",
    "/portal/connections/",
    "/portal/messages/",
    "/portal/profile/edit/",
    "/portal/blocked/",
]


@pytest.mark.parametrize("url", MEMBERS_AREA)
def test_applicants_see_nothing_of_the_members_area(client, member, url):
    applicant = ApplicantFactory(email="waiting@example.org")
    client.force_login(applicant)

    response = client.get(url)

    assert response.status_code == 403
    html = response.content.decode()
    assert "Your application is under review" in html
    assert member.last_name not in html


@pytest.mark.parametrize("url", MEMBERS_AREA)
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_applicant_cannot_open_a_members_profile_by_its_address(client, member):
    applicant = ApplicantFactory(email="waiting@example.org")
    client.force_login(applicant)

    response = client.get(f"/portal/members/{member.profile.public_id}/")

    assert response.status_code == 403
    assert member.profile.organisation not in response.content.decode()


def test_a_suspended_member_vanishes_and_loses_access(client, member, peer, reviewer):
    services.membership_decide(
        membership_id=peer.membership.pk, action="suspend", decided_by=reviewer, note="Breach"
    )
    client.force_login(member)

    assert "Walker" not in client.get("/portal/members/").content.decode()
    assert client.get(f"/portal/members/{peer.profile.public_id}/").status_code == 404

    client.force_login(peer)
    response = client.get("/portal/members/")
    assert response.status_code == 403
    assert "Your membership is suspended" in response.content.decode()


def test_rejected_applicants_are_told_and_kept_out(client):
    applicant = ApplicantFactory(email="no@example.org", status=Membership.Status.REJECTED)
    client.force_login(applicant)

    response = client.get("/portal/")

    assert "not approved" in response.content.decode()
    assert client.get("/portal/members/").status_code == 403


def test_contact_details_follow_the_members_choice(client, member, peer):
    peer.profile.phone = "+61 400 000 000"
    peer.profile.contact_visibility = "connections"
    peer.profile.save()
    client.force_login(member)
    url = f"/portal/members/{peer.profile.public_id}/"

    assert "+61 400 000 000" not in client.get(url).content.decode()
    request = services.connection_request_send(sender=member, recipient=peer)
    services.connection_request_accept(user=peer, request_id=request.pk)
    assert "+61 400 000 000" in client.get(url).content.decode()


def test_sign_up_cannot_smuggle_in_a_group_or_staff_status(client):
    from tests.portal.test_signup import SIGNUP

    client.post(
        "/accounts/signup/", SIGNUP | {"groups": "1", "is_staff": "on", "status": "approved"}
    )

    user = User.objects.get(email=SIGNUP["email"])
    assert not user.groups.exists()
    assert not user.is_staff
    assert user.membership.status == Membership.Status.UNVERIFIED


def _assert_sites_own_403(response, *texts):
    html = response.content.decode()
    assert response.status_code == 403
    assert "<title>You cannot open this page | ICMEC Australia</title>" in html
    assert "site-header" in html
    assert "site-footer" in html
    for text in texts:
        assert text in html, text


def test_posting_to_a_thread_after_the_connection_ended_says_why(client, world, peer):
    services.connection_remove(user=peer, peer=world["member"])
    client.force_login(world["member"])

    response = client.post(f"/portal/messages/{world['conversation']}/", {"body": "Still there?"})

    _assert_sites_own_403(
        response, "You can no longer message this member", "you are not connected any more"
    )
    thread = client.get(f"/portal/messages/{world['conversation']}/").content.decode()
    assert "Private words" in thread
    assert "Still there?" not in thread


@pytest.mark.parametrize("url", ["/portal/connections/", "/portal/messages/", "/portal/blocked/"])
def test_staff_without_a_member_profile_are_told_why_they_cannot_take_part(client, reviewer, url):
    log_in(client, reviewer)  # with the second factor staff need for members' pages

    assert client.get("/portal/").status_code == 200  # the dashboard opens
    _assert_sites_own_403(client.get(url), "for members with a profile", "staff accounts")
