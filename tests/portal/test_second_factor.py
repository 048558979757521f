"""The second factor covers everything staff can see, and guards members' sensitive changes.

Any account that can open the admin sees members' content only from a session that passed its
second factor; a member with an authenticator app re-authenticates with it (never with the
password or an emailed code alone) for export, deletion, email and password changes.
"""

import io

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.contrib.auth.models import Group, Permission
from django.core.management.color import no_style

from portal import selectors, services
from portal.models import User
from tests.factories.accounts import StaffFactory, login_staff, totp_activate, totp_code
from tests.factories.portal import PASSWORD, MemberFactory, UserFactory
from tests.portal.test_photos import _image, _upload

pytestmark = pytest.mark.django_db


def _superuser():
    return StaffFactory(
        superuser=True,
        first_name="",
        last_name="",
        email="root@example.org",
        password=PASSWORD,
    )


def _editor():
    user = UserFactory(email="editor@example.org")
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    return user


def _staff_member():
    """A member of staff who is also an approved member with a profile."""
    user = MemberFactory(first_name="Sam", last_name="Staff", email="sam@example.org")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


ADMIN_CAPABLE = {
    "superuser": _superuser,
    "reviewer": lambda: StaffFactory(reviewer=True, email="rhea@example.org"),
    "editor": _editor,
    "staff member": _staff_member,
}


@pytest.fixture
def resources(home):
    """The demo's members-only Wagtail page (restricted to the Members group)."""
    from blog import demo

    demo.load_member_pages(stdout=io.StringIO(), style=no_style())
    return "/member-resources/"


@pytest.fixture
def member_urls(member, peer, resources):
    services.profile_photo_set(profile=member.profile, upload=_upload(_image()))
    member.profile.refresh_from_db()
    return [
        "/portal/",
        "/portal/members/",
        "/portal/members/?q=amelia",
        f"/portal/members/{member.profile.public_id}/",
        f"/portal/photos/{member.profile.photo_key}-128.jpg",
        "/portal/connections/",
        "/portal/messages/",
        "/portal/account/data/",
        resources,
    ]


@pytest.mark.parametrize("kind", ADMIN_CAPABLE)
def test_staff_who_logged_in_with_a_password_alone_see_nothing_a_member_sees(
    client, kind, member_urls
):
    # No authenticator yet: allauth's login is complete with the password alone.
    user = ADMIN_CAPABLE[kind]()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)

    for url in member_urls:
        response = client.get(url)
        assert (url, response.status_code, response.get("Location")) == (
            url,
            302,
            "/accounts/2fa/totp/activate/",
        )


@pytest.mark.parametrize("kind", ["superuser", "staff member"])
def test_staff_with_an_authenticator_enter_their_code_then_see_members_content(
    client, kind, member, member_urls
):
    user = ADMIN_CAPABLE[kind]()
    secret = totp_activate(user)
    client.force_login(user)  # signed in, but this session passed no second factor

    for url in member_urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/2fa/reauthenticate/?next="), url
    directory = client.get("/portal/members/")
    passed = client.post(directory["Location"], {"code": totp_code(secret)})

    assert passed["Location"] == "/portal/members/"
    page = client.get("/portal/members/")
    assert page.status_code == 200
    assert member.get_full_name() in page.content.decode()
    resources_page = client.get("/member-resources/")
    assert resources_page.status_code == 200
    assert "Red-flag indicators" in resources_page.content.decode()


def test_the_membership_rule_wants_the_second_factor_from_admin_capable_accounts(member):
    staff = _staff_member()

    # Outside a request no session passed anything: the account counts as no member.
    assert not selectors.user_is_approved_member(staff)
    assert not selectors.user_has_member_profile(staff)
    # Members are members wherever they are asked about.
    assert selectors.user_is_approved_member(member)


def test_a_staff_member_whose_session_passed_the_second_factor_takes_part(client, peer):
    staff = _staff_member()
    login_staff(client, staff)

    response = client.get("/portal/members/")
    assert response.status_code == 200
    assert peer.get_full_name() in response.content.decode()
    assert client.get("/portal/messages/").status_code == 200


# --- Re-authentication with the second factor ------------------------------------------------


def _age_authentication(client, seconds: int = 600) -> None:
    """Make every way this session authenticated `seconds` older (as if time had passed)."""
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": record["at"] - seconds}
        for record in session[AUTHENTICATION_METHODS_SESSION_KEY]
    ]
    session.save()


@pytest.fixture
def mfa_member(client, member):
    secret = totp_activate(member)
    login_staff(client, member)
    _age_authentication(client)
    return member, secret


SENSITIVE = {
    "data export": ("/portal/account/data/", {}),
    "account deletion": ("/portal/account/delete/", {"confirm": "on"}),
    "email change": ("/accounts/email/", {"action_add": "", "email": "amelia.new@example.org"}),
    "password change": (
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a-new-pass-2026", "password2": "a-new-pass-2026"},
    ),
}


@pytest.mark.parametrize("operation", SENSITIVE)
def test_members_with_an_authenticator_re_authenticate_with_it_not_the_password(
    client, mfa_member, operation
):
    member, secret = mfa_member
    url, data = SENSITIVE[operation]

    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/?next=")

    # The password and an emailed code are not offered, and posting them proves nothing.
    for alternative in ("/accounts/reauthenticate/", "/accounts/reauthenticate/code/"):
        offered = client.get(f"{alternative}?next={url}")
        assert offered.status_code == 302
        assert offered["Location"].startswith("/accounts/2fa/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    client.post("/accounts/reauthenticate/code/", {"email": member.email})
    again = client.post(url, data)
    assert again["Location"].startswith("/accounts/2fa/reauthenticate/")

    # The code from the authenticator app does it.
    client.post(again["Location"], {"code": totp_code(secret)})
    done = client.post(url, data)
    assert not done.get("Location", "").startswith("/accounts/2fa/reauthenticate/")
    assert not done.get("Location", "").startswith("/accounts/reauthenticate/")
    if operation == "data export":
        assert done["Content-Disposition"].startswith("attachment;")
    elif operation == "account deletion":
        assert not User.objects.filter(pk=member.pk).exists()
    elif operation == "password change":
        member.refresh_from_db()
        assert member.check_password("a-new-pass-2026")
    else:
        assert member.emailaddress_set.filter(email="amelia.new@example.org").exists()


def test_members_without_an_authenticator_still_re_authenticate_with_their_password(client, member):
    client.force_login(member)

    response = client.post("/portal/account/data/")
    assert response["Location"].startswith("/accounts/reauthenticate/?next=")
    client.post(response["Location"], {"password": PASSWORD})
    assert client.post("/portal/account/data/")["Content-Disposition"].startswith("attachment;")


def test_right_after_logging_in_nobody_is_asked_for_their_password_again(client, member):
    client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})

    assert client.post("/portal/account/data/")["Content-Disposition"].startswith("attachment;")
    _age_authentication(client)
    assert client.post("/portal/account/data/")["Location"].startswith("/accounts/reauthenticate/")


def test_who_can_open_the_admin_is_what_djangos_permission_check_says(member):
    from portal import access

    direct = UserFactory(email="direct@example.org")
    direct.user_permissions.add(Permission.objects.get(codename="access_admin"))
    inactive = StaffFactory(email="gone@example.org", is_active=False)
    people = [make(**{}) for make in ADMIN_CAPABLE.values()] + [member, direct, inactive]

    for person in people:
        fresh = User.objects.get(pk=person.pk)
        expected = fresh.is_active and (
            fresh.is_staff or fresh.is_superuser or fresh.has_perm("wagtailadmin.access_admin")
        )
        assert access.can_open_admin(User.objects.get(pk=person.pk)) == expected, person.email
    assert not access.can_open_admin(User.objects.get(pk=member.pk))
    assert access.can_open_admin(User.objects.get(pk=direct.pk))
