"""Staff open Wagtail's admin only from a session that passed a second factor.

Having an authenticator is not enough: a session that signed in some other way (a password
alone, a future login method, a session made before the authenticator was added) must prove
the second factor before the admin opens. allauth records each way a session authenticated
(`get_authentication_records`); the admin wants an "mfa" record for the signed-in user.
"""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse


def session_passed_mfa(request) -> bool:
    """Whether this session's sign-in (or a later re-authentication) included a second factor."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class StaffMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._admin_prefix = None

    def __call__(self, request):
        if self._admin_prefix is None:
            self._admin_prefix = reverse("wagtailadmin_home")
            self._admin_login = reverse("wagtailadmin_login")
            # Wagtail's front-end login (for restricted pages) is Django's plain LoginView.
            self._frontend_login = reverse("wagtailcore_login")
        path = request.path_info
        if path == self._frontend_login or path == self._admin_login:
            # Neither form knows anything of MFA or rate limits: allauth's login does both.
            next_url = request.GET.get("next") or (
                self._admin_prefix if path == self._admin_login else "/"
            )
            return HttpResponseRedirect(
                f"{reverse('account_login')}?{urlencode({'next': next_url})}"
            )
        if path.startswith(self._admin_prefix):
            user = request.user
            if user.is_authenticated and user.has_perm("wagtailadmin.access_admin"):
                if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
                    messages.warning(
                        request,
                        "Staff need two-factor authentication. Set up an authenticator app to "
                        "open the admin.",
                    )
                    return HttpResponseRedirect(reverse("mfa_activate_totp"))
                if not session_passed_mfa(request):
                    messages.info(
                        request,
                        "Enter the code from your authenticator app to open the admin.",
                    )
                    query = urlencode({"next": request.get_full_path()})
                    return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return self.get_response(request)
