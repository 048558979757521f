"""Staff onboarding: verified accounts from `createsuperuser` and the demo content, invitations
for accounts made in Wagtail's admin, and one flow from the link to the admin through TOTP."""

import re
import time
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import call_command

from portal import services
from portal.models import User
from tests.factories.accounts import StaffFactory, login_staff, totp_activate, totp_code
from tests.factories.portal import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "harbour-lantern-orbit-57"
LINK = re.compile(r"http://testserver(/portal/invitation/[^/\s]+/)")


def _invite(user, run_on_commit) -> str:
    """Invite `user` and return the path of the link in the email."""
    mail.outbox.clear()
    with run_on_commit(execute=True):
        services.staff_invitation_send(user=user)
    (message,) = mail.outbox
    assert message.to == [user.email]
    return LINK.search(message.body).group(1)


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def editors_group(db):
    group, _ = Group.objects.get_or_create(name="Editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    return group


def _assert_totp_set_up_page(client, response):
    """The response leads to the TOTP set-up page itself, not to a password prompt."""
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    page = client.get(response["Location"])
    assert page.status_code == 200, page.get("Location")
    html = page.content.decode()
    assert 'id="authenticator_secret"' in html
    assert "your application" not in html.lower()
    assert "Check your email" not in html
    return page


def test_createsuperuser_makes_an_account_with_a_verified_address(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", NEW_PASSWORD)
    call_command("createsuperuser", email="Root@Example.org", interactive=False, verbosity=0)

    user = User.objects.get(email="root@example.org")
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == ("root@example.org", True, True)

    # The first login goes to the admin, which sends the account to set up its authenticator
    # app at once: no "check your email", no applicant's page, no second password prompt.
    response = client.post("/accounts/login/", {"login": user.email, "password": NEW_PASSWORD})
    assert response["Location"] == "/admin/"
    _assert_totp_set_up_page(client, client.get("/admin/"))


def test_the_demo_staff_account_is_verified_even_when_it_was_made_before(db):
    import io

    from django.core.management.color import no_style

    from blog import demo

    demo.load_staff_account(stdout=io.StringIO(), style=no_style())
    user = User.objects.get(email=demo.STAFF_EMAIL)
    assert EmailAddress.objects.filter(user=user, verified=True, primary=True).count() == 1

    EmailAddress.objects.filter(user=user).delete()  # as loaded by an earlier version
    demo.load_staff_account(stdout=io.StringIO(), style=no_style())
    assert EmailAddress.objects.filter(user=user, verified=True, primary=True).count() == 1


def test_a_user_added_in_wagtails_admin_is_emailed_an_invitation(
    client, run_on_commit, editors_group
):
    admin = StaffFactory(
        superuser=True,
        first_name="",
        last_name="",
        email="boss@example.org",
        password=PASSWORD,
    )
    login_staff(client, admin)

    with run_on_commit(execute=True):
        response = client.post(
            "/admin/users/new/",
            {
                "email": "New.Editor@example.org",
                "first_name": "Nadia",
                "last_name": "Editor",
                "groups": [editors_group.pk],
            },
            follow=True,
        )

    assert response.status_code == 200
    assert "An invitation to set a password was emailed to" in response.content.decode()
    user = User.objects.get(email__iexact="new.editor@example.org")
    assert not user.has_usable_password()
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert message.subject.startswith("[ICMEC Australia] Your staff account")
    assert "Nadia" in message.body
    assert "expires in 3 days" in message.body
    assert LINK.search(message.body)


# allauth records the activation and mails its notice after the commit, inside the request.
@pytest.mark.django_db(transaction=True)
def test_the_invitation_link_sets_the_password_and_leads_through_totp_into_the_admin(
    client, run_on_commit, editors_group
):
    user = UserFactory(email="nadia@example.org", first_name="Nadia", verified_email=False)
    user.groups.add(editors_group)
    link = _invite(user, run_on_commit)

    form = client.get(link)
    assert form.status_code == 200
    assert "Set your password" in form.content.decode()
    assert "_auth_user_id" not in client.session  # a link scanner's GET signs nobody in

    mismatch = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": "other"})
    assert mismatch.status_code == 200
    assert "didn’t match" in mismatch.content.decode()
    weak = client.post(link, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200
    assert "too common" in weak.content.decode()

    with run_on_commit(execute=True):
        response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    page = _assert_totp_set_up_page(client, response)
    assert "Your password is set" in page.content.decode()

    # The code the authenticator app shows for the secret on the page activates it ...
    secret = client.session["mfa.totp.secret"]
    activated = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert activated["Location"] == "/accounts/2fa/recovery-codes/"
    # ... and the recovery codes are shown, once, with the way on to the admin.
    codes = client.get(activated["Location"])
    assert codes.status_code == 200
    html = codes.content.decode()
    shown = re.search(r"<textarea[^>]*>([^<]+)</textarea>", html).group(1).split()
    assert len(shown) == 10
    assert all(len(code) >= 8 for code in shown)
    assert 'href="/admin/"' in html
    assert "continue to the admin" in html
    again = client.get(activated["Location"]).content.decode()
    assert not any(code in again for code in shown)
    assert client.get("/admin/").status_code == 200


def test_an_invitation_link_works_once(client, run_on_commit):
    user = StaffFactory(email="once@example.org", verified_email=False)
    link = _invite(user, run_on_commit)
    client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    other = type(client)()
    used = other.get(link)
    assert used.status_code == 400
    assert "does not work any more" in used.content.decode()
    assert "once@example.org" not in used.content.decode()
    refused = other.post(link, {"new_password1": "x" * 20, "new_password2": "x" * 20})
    assert refused.status_code == 400
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_new_invitation_replaces_the_earlier_link(client, run_on_commit):
    user = StaffFactory(email="twice@example.org")
    first = _invite(user, run_on_commit)
    second = _invite(user, run_on_commit)

    assert first != second
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 200


def test_an_invitation_link_expires(client, run_on_commit, settings):
    settings.PORTAL_STAFF_INVITATION_DAYS = 3
    user = StaffFactory(email="late@example.org")
    link = _invite(user, run_on_commit)

    later = time.time() + 3 * 86400 + 60
    with mock.patch("time.time", return_value=later):
        assert client.get(link).status_code == 400
    assert client.get(link).status_code == 200


@pytest.mark.parametrize(
    "token", ["nonsense", "W1sxLCJhYmMiXV0:1t:forged", "%00", "a" * 400], ids=str.__len__
)
def test_a_forged_invitation_link_is_refused(client, token):
    assert client.get(f"/portal/invitation/{token}/").status_code in (400, 404)


def test_staff_without_an_authenticator_log_in_straight_to_its_set_up(client):
    staff = StaffFactory(email="staff@example.org")
    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))

    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})

    assert response["Location"] == "/admin/"
    _assert_totp_set_up_page(client, client.get("/admin/"))


def test_staff_with_an_authenticator_land_in_the_admin_after_their_code(client):
    staff = StaffFactory(email="staff@example.org")
    staff.user_permissions.add(Permission.objects.get(codename="access_admin"))
    secret = totp_activate(staff)

    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})

    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_sends_a_new_invitation_to_an_account_that_never_chose_a_password(
    client, run_on_commit
):
    admin = StaffFactory(
        superuser=True,
        first_name="",
        last_name="",
        email="boss@example.org",
        password=PASSWORD,
    )
    invited = StaffFactory(email="lost@example.org")
    first = _invite(invited, run_on_commit)
    member = UserFactory(email="has.password@example.org")
    login_staff(client, admin)

    listing = client.get("/admin/users/").content.decode()
    url = f"/admin/members/invitations/{invited.pk}/"
    assert f'href="{url}"' in listing
    assert f"/admin/members/invitations/{member.pk}/" not in listing
    assert "lost@example.org" in client.get(url).content.decode()
    mail.outbox.clear()
    with run_on_commit(execute=True):
        response = client.post(url)

    assert response["Location"] == "/admin/users/"
    (message,) = mail.outbox
    assert message.to == ["lost@example.org"]
    assert client.get(first).status_code == 400
    assert client.get(LINK.search(message.body).group(1)).status_code == 200
    # An account with a password is never reset this way (Wagtail turns the refusal into a
    # redirect with a message).
    mail.outbox.clear()
    assert client.post(f"/admin/members/invitations/{member.pk}/")["Location"] == "/admin/"
    assert mail.outbox == []
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_editors_cannot_send_invitations(client, editors_group):
    editor = UserFactory(email="ed@example.org")
    editor.groups.add(editors_group)
    invited = StaffFactory(email="lost@example.org")
    invited.set_unusable_password()
    invited.save()
    login_staff(client, editor)

    refused = client.post(f"/admin/members/invitations/{invited.pk}/")
    assert refused["Location"] == "/admin/"
    assert mail.outbox == []
