"""The admin's "Send a new invitation" screen, for accounts that never chose a password.

Accounts made in Settings → Users are emailed an invitation at once (see wagtail_hooks); this
screen sends a fresh one when the first expired or went astray. It needs the permission to add
users (as the account itself did) and never touches an account that has a password.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from portal import services
from portal.models import User

INVITE = "portal.add_user"


def can_invite(request_user, user: User) -> bool:
    return request_user.has_perm(INVITE) and user.is_active and not user.has_usable_password()


class InvitationView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "portal/admin/invitation.html"
    header_icon = "mail"
    page_title = "Send a new invitation"

    def dispatch(self, request, *args, **kwargs):
        self.invited = get_object_or_404(User, pk=kwargs["pk"])
        if not can_invite(request.user, self.invited):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("wagtailusers_users:index"), "label": "Users"},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            invited=self.invited, days=settings.PORTAL_STAFF_INVITATION_DAYS, **kwargs
        )

    def post(self, request, *args, **kwargs):
        services.staff_invitation_send(user=self.invited, invited_by=request.user)
        messages.success(
            request,
            f"A new invitation was emailed to {self.invited.email}. Earlier links stop working.",
        )
        return redirect("wagtailusers_users:index")
