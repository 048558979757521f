"""The second factor: who must pass it, whether this session did, and where to pass it.

An account that can open Wagtail's admin (staff, superusers, anyone with the admin's access
permission) must pass its second factor in the session before it sees anything, in the admin or
in the members' area: a stolen staff password alone must show nothing a member would see.

allauth records each way a session authenticated (`get_authentication_records`): the password,
a TOTP code at login, a re-authentication, the activation of an authenticator app. A session
"passed the second factor" when one of them is an "mfa" record for the signed-in user.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.core import context as allauth_context
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from portal.access import can_open_admin
from portal.allauth_internals import record_authentication


def has_authenticator(user) -> bool:
    return is_mfa_enabled(user, [Authenticator.Type.TOTP])


def request_passed_second_factor(request: HttpRequest, user) -> bool:
    """Whether this request's session signed `user` in (or re-authenticated them) with a second
    factor."""
    records = get_authentication_records(request, user)
    return any(record.get("method") == "mfa" for record in records)


def session_passed_second_factor(user) -> bool:
    """Whether the current request's session passed the second factor for `user`.

    Read from the request allauth's middleware keeps for the duration of each request, so that
    the membership rule (`portal.selectors.user_is_approved_member`), which every view, list and
    template of members' content goes through, needs no request argument. Outside a request
    (a task, a shell) nobody passed anything.
    """
    request = allauth_context.request
    if request is None or not hasattr(request, "session"):
        return False
    return request_passed_second_factor(request, user)


def needs_second_factor(request: HttpRequest) -> bool:
    """A signed-in admin-capable account whose session has not passed the second factor."""
    user = request.user
    return can_open_admin(user) and not request_passed_second_factor(request, user)


def second_factor_redirect(request: HttpRequest, next_url: str | None = None):
    """Where an admin-capable session goes to pass its second factor: setting up the
    authenticator app (accounts without one), else entering a code, then back to `next_url`."""
    if not has_authenticator(request.user):
        return HttpResponseRedirect(reverse("mfa_activate_totp"))
    query = urlencode({"next": next_url or request.get_full_path()})
    return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")


def authenticated_recently(request: HttpRequest, user, *, within: int) -> bool:
    """Whether the session's latest authentication that counts (a login or a re-authentication
    less than `within` seconds ago) proves the person is there now.

    For an account with an authenticator app only a second factor counts (a password or an
    emailed code alone never does); for others the password, an emailed code or a second
    factor does.
    """
    records = get_authentication_records(request, user)
    methods = {"mfa"} if has_authenticator(user) else {"password", "code", "mfa"}
    times = [record.get("at", 0) for record in records if record.get("method") in methods]
    return bool(times) and time.time() - max(times) < within


def sign_in_with_password(request: HttpRequest, user, *, redirect_url: str):
    """Sign `user` in through allauth's login flow after they proved their password some other
    way than the login form (choosing it from an invitation link), recording it as allauth's
    password login does, so that the session counts as freshly authenticated."""
    from allauth.account.utils import perform_login
    from django.contrib.auth import logout

    if request.user.is_authenticated:
        logout(request)  # someone else's session in this browser: start afresh
    record_authentication(request, user, "password", email=user.email)
    return perform_login(request, user, redirect_url=redirect_url)
