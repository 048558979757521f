"""allauth's account pages that the portal wraps, mounted under /accounts/ before allauth's own."""

from allauth.account import views as allauth_views
from allauth.account.decorators import reauthentication_required
from django.urls import path

from portal import mfa


def _has_authenticator(request) -> bool:
    return request.user.is_authenticated and mfa.has_authenticator(request.user)


urlpatterns = [
    # allauth's password change asks for the current password only. With an authenticator
    # app that is not enough: the session must have passed the second factor recently.
    path(
        "password/change/",
        reauthentication_required(allow_get=True, enabled=_has_authenticator)(
            allauth_views.password_change
        ),
        name="account_change_password",
    ),
]
