"""Staff open Wagtail's admin only from a session that passed a second factor.

Having an authenticator is not enough: a session that signed in some other way (a password
alone, a future login method, a session made before the authenticator was added) must prove
the second factor before the admin opens. allauth records each way a session authenticated
(`get_authentication_records`); the admin wants an "mfa" record for the signed-in user.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from portal import mfa
from portal.access import ADMIN_PERMISSION


def session_passed_mfa(request) -> bool:
    """Whether this session's sign-in (or a later re-authentication) included a second factor."""
    return mfa.request_passed_second_factor(request, request.user)


class StaffMFAMiddleware:
    """Sends the admin's and Wagtail's own login forms to allauth's, and asks an admin-capable
    account for its second factor before the admin opens.

    The three addresses it compares paths with are reversed on the first request (the URLconf is
    not loaded yet when middleware is built) and kept on the instance: they follow from the
    URLconf alone, like a URL reversed at import, and cost nothing on later requests.
    """

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
            if user.is_authenticated and user.has_perm(ADMIN_PERMISSION):
                if not mfa.has_authenticator(user):
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
                    return mfa.second_factor_redirect(request)
        return self.get_response(request)
