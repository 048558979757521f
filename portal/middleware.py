"""Staff must have an authenticator app (TOTP) before Wagtail's admin opens."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse


class StaffMFAMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._admin_prefix = None

    def __call__(self, request):
        if self._admin_prefix is None:
            self._admin_prefix = reverse("wagtailadmin_home")
            self._admin_login = reverse("wagtailadmin_login")
        path = request.path_info
        if path.startswith(self._admin_prefix):
            if path == self._admin_login:
                # Wagtail's own login form knows nothing of MFA or rate limits: use allauth's.
                next_url = request.GET.get("next") or self._admin_prefix
                return HttpResponseRedirect(
                    f"{reverse('account_login')}?{urlencode({'next': next_url})}"
                )
            user = request.user
            if (
                user.is_authenticated
                and user.has_perm("wagtailadmin.access_admin")
                and not is_mfa_enabled(user, [Authenticator.Type.TOTP])
            ):
                messages.warning(
                    request,
                    "Staff need two-factor authentication. Set up an authenticator app to "
                    "open the admin.",
                )
                return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
