"""allauth in the site: login, rate limits, re-authentication, staff MFA, the pages' layout."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.models import Permission

from tests.factories.accounts import StaffFactory, login_staff, totp_activate, totp_code
from tests.factories.portal import PASSWORD

pytestmark = pytest.mark.django_db


def test_members_log_in_with_their_email_and_land_in_the_portal(client, member):
    response = client.post(
        "/accounts/login/", {"login": "AMELIA@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    assert "Welcome, Amelia" in client.get("/portal/").content.decode()


def test_a_wrong_password_says_so_without_revealing_whether_the_account_exists(client, member):
    known = client.post("/accounts/login/", {"login": member.email, "password": "wrong-password!"})
    unknown = client.post(
        "/accounts/login/", {"login": "nobody@example.org", "password": "wrong-password!"}
    )

    assert known.status_code == unknown.status_code == 200
    assert "not correct" in known.content.decode()
    assert known.context["form"].errors == unknown.context["form"].errors


def test_repeated_failed_logins_are_answered_with_429(client, member):
    statuses = []
    for attempt in range(40):
        response = client.post(
            "/accounts/login/",
            {"login": f"guess{attempt % 3}@example.org", "password": "not-the-password"},
        )
        statuses.append(response.status_code)
        if response.status_code == 429:
            break

    assert statuses[0] == 200
    assert statuses[-1] == 429
    assert "Too many attempts" in response.content.decode()
    # Even the right password is refused while the limit holds.
    blocked = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    assert blocked.status_code == 429


def test_failed_logins_for_one_account_lock_it_briefly(client, member):
    for _ in range(5):
        client.post("/accounts/login/", {"login": member.email, "password": "not-the-password"})

    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()


def _staff(**extra):
    user = StaffFactory(**extra)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def test_staff_without_an_authenticator_are_sent_to_set_one_up_before_the_admin(client):
    staff = _staff()
    client.force_login(staff)

    for url in ("/admin/", "/admin/pages/", "/admin/members/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/totp/activate/")

    page = client.get("/accounts/2fa/totp/activate/", follow=True)
    assert "Staff need two-factor authentication" in page.content.decode()


def test_staff_enter_the_admin_from_a_session_that_passed_a_second_factor(client):
    staff = _staff()
    login_staff(client, staff)

    assert client.get("/admin/").status_code == 200


def test_an_authenticator_is_not_enough_the_session_must_have_used_it(client):
    # A session that signed in without the second factor (here: any login that skipped it)
    # is asked for a code before the admin opens, even though the account has an authenticator.
    staff = _staff()
    secret = totp_activate(staff)
    client.force_login(staff)

    response = client.get("/admin/pages/?q=x")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/reauthenticate/?next=%2Fadmin%2Fpages%2F%3Fq%3Dx"
    page = client.get(response["Location"])
    assert "Enter the code from your authenticator app" in page.content.decode()

    wrong = client.post(response["Location"], {"code": "000000"})
    assert wrong.status_code == 200
    assert client.get("/admin/").status_code == 302

    passed = client.post(response["Location"], {"code": totp_code(secret)})
    assert passed.status_code == 302
    assert passed["Location"] == "/admin/pages/?q=x"
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db(transaction=True)  # allauth sends authenticator_added on commit
def test_setting_up_the_authenticator_counts_as_this_sessions_second_factor(client):
    staff = _staff(email="new-staff@example.org")
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert client.get("/admin/")["Location"] == "/accounts/2fa/totp/activate/"

    # Just after the login, the set-up needs no second password prompt.
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session["mfa.totp.secret"]
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wagtails_front_end_login_form_is_not_a_way_round_mfa(client):
    staff = _staff(email="staff@example.org")
    totp_activate(staff)

    response = client.get("/_util/login/?next=/members/")
    assert (response.status_code, response["Location"]) == (
        302,
        "/accounts/login/?next=%2Fmembers%2F",
    )
    posted = client.post("/_util/login/", {"username": staff.email, "password": PASSWORD})
    assert posted.status_code == 302
    assert posted["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith("/accounts/login/")


def test_staff_log_in_with_password_then_their_code(client):
    staff = _staff(email="staff@example.org")
    secret = totp_activate(staff)

    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/")["Location"].startswith("/accounts/login/")

    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_wagtails_own_login_form_is_not_a_way_round_mfa(client):
    response = client.get("/admin/login/?next=/admin/pages/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fpages%2F"
    posted = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert posted.status_code == 302
    assert posted["Location"].startswith("/accounts/login/")


def test_members_need_no_mfa_for_the_portal(client, member):
    client.force_login(member)

    assert client.get("/portal/members/").status_code == 200
    assert not Authenticator.objects.filter(user=member).exists()


def test_changing_the_email_address_needs_a_recent_authentication(client, member):
    client.force_login(member)

    response = client.post(
        "/accounts/email/", {"action_add": "", "email": "amelia.new@example.org"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")


ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/confirm-email/",
]
MEMBER_PAGES = [
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
    "/accounts/sessions/",
    "/accounts/logout/",
    "/portal/account/",
    "/portal/account/data/",
]


@pytest.mark.parametrize("url", [*ANONYMOUS_PAGES, "/accounts/reauthenticate/"])
def test_account_pages_use_the_sites_layout(client, member, url):
    if url == "/accounts/reauthenticate/":
        client.force_login(member)
    response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html
    assert 'class="site-footer"' in html
    assert "account-page" in html
    assert "<script>" not in html
    assert " style=" not in html


@pytest.mark.parametrize("url", MEMBER_PAGES)
def test_signed_in_account_pages_use_the_sites_layout_and_account_menu(client, member, url):
    client.force_login(member)

    response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="site-header"' in html
    assert 'aria-label="My account"' in html
    assert "<script>" not in html
    assert " style=" not in html


def test_the_sessions_page_offers_to_sign_out_other_sessions(client, member):
    other = type(client)()
    other.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})

    html = client.get("/accounts/sessions/").content.decode()

    assert "Sign Out Other Sessions" in html


def test_changing_the_email_address_after_re_authentication_sends_a_link(
    client, member, django_capture_on_commit_callbacks
):
    from django.core import mail

    client.force_login(member)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/email/", {"action_add": "", "email": "amelia.new@example.org"}
        )

    assert response.status_code == 302
    page = client.get("/accounts/email/").content.decode()
    assert "Waiting for confirmation" in page
    assert "amelia.new@example.org" in page
    assert " style=" not in page
    assert any(m.to == ["amelia.new@example.org"] for m in mail.outbox)


def test_after_an_action_members_only_go_back_to_pages_of_this_site(client, member, peer):
    from portal import services

    request = services.connection_request_send(sender=peer, recipient=member)
    client.force_login(member)

    response = client.post(
        f"/portal/requests/{request.pk}/decline/", {"next": "/\\\\evil.example/"}
    )

    assert response["Location"] == "/portal/connections/"


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_a_password_reset_reveals_nothing_about_whether_the_account_exists(
    client, member, django_capture_on_commit_callbacks
):
    from django.core import mail

    answers = []
    for email in (member.email, "nobody.here@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/accounts/password/reset/", {"email": email}, follow=True)
        answers.append(
            (
                response.status_code,
                response.redirect_chain,
                _without_tokens(response.content.decode()).replace(email, "EMAIL"),
            )
        )

    assert answers[0] == answers[1]
    # Each address gets an email: a link for the account, a "no account here" note otherwise.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([member.email, "nobody.here@example.org"])
    assert "password/reset/key/" in next(m.body for m in mail.outbox if m.to == [member.email])
    assert "password/reset/key/" not in next(
        m.body for m in mail.outbox if m.to == ["nobody.here@example.org"]
    )


def test_adding_an_address_that_another_account_uses_reveals_nothing(
    client, member, peer, django_capture_on_commit_callbacks
):
    client.force_login(member)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})

    answers = []
    for email in (peer.email, "free.address@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/accounts/email/", {"action_add": "", "email": email}, follow=True
            )
        html = _without_tokens(response.content.decode()).replace(email, "EMAIL")
        answers.append((response.status_code, "already" in html.lower()))

    assert answers[0] == answers[1] == (200, False)
