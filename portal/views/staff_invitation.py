"""The staff invitation link: choosing a password, then on to the second factor."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from portal import invitations, mfa, services
from portal.forms import InvitationPasswordForm


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def staff_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: choose a password, which verifies the address and signs in, then
    straight on to setting up the authenticator app (staff) or to the portal.

    GET only shows the form (mail scanners fetch links); a link that was used, replaced by a
    newer one or has expired says so, and names nobody.
    """
    user = invitations.user_for_invitation(token)
    if user is None:
        return render(request, "portal/invitation_invalid.html", status=400)
    form = InvitationPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = services.staff_invitation_accept(
            user=user, password=form.cleaned_data["new_password1"]
        )
        if mfa.can_open_admin(user):
            next_url = reverse("mfa_activate_totp")
            messages.success(
                request,
                "Your password is set. Now set up two-factor authentication: staff need it to "
                "open the admin.",
            )
        else:
            next_url = reverse("portal:home")
        return mfa.sign_in_with_password(request, user, redirect_url=next_url)
    return render(request, "portal/invitation.html", {"form": form, "invited": user})
