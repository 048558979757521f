"""The portal in Wagtail's admin: a "Members" menu and its screens (see admin_views)."""

from django.contrib import messages
from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem as LinkMenuItemComponent
from wagtail.admin.widgets import ListingButton

from portal import admin_invitations, admin_views, mfa, selectors, services
from portal.models import User


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


class QueueMenuItem(PermissionMenuItem):
    """Shows how many applications wait, e.g. "Applications to review (3)"."""

    def render_component(self, request):
        count = selectors.pending_applications().count()
        label = f"{self.label} ({count})" if count else self.label
        return LinkMenuItemComponent(
            self.name, label, self.url, icon_name=self.icon_name, attrs=self.attrs
        )


urls = [
    path("", admin_views.ApplicationQueueView.as_view(), name="applications"),
    path("all/", admin_views.MemberListView.as_view(), name="members"),
    path("decisions/", admin_views.DecisionHistoryView.as_view(), name="decisions"),
    path("<int:pk>/", admin_views.ApplicationDetailView.as_view(), name="application"),
    path("<int:pk>/decide/<str:action>/", admin_views.DecideView.as_view(), name="decide"),
    path("<int:pk>/erase/", admin_views.EraseView.as_view(), name="erase"),
    path("profiles/<int:pk>/", admin_views.ProfileEditView.as_view(), name="profile_edit"),
    path("reports/", admin_views.ReportListView.as_view(), name="reports"),
    path("reports/<int:pk>/", admin_views.ReportDetailView.as_view(), name="report"),
    path(
        "invitations/<int:pk>/",
        admin_invitations.InvitationView.as_view(),
        name="invitation",
    ),
]


@hooks.register("register_admin_urls")
def register_portal_admin_urls():
    return [path("members/", include((urls, "portal_admin"), namespace="portal_admin"))]


@hooks.register("register_admin_menu_item")
def register_members_menu():
    menu = Menu(
        items=[
            QueueMenuItem(
                "Applications to review",
                reverse("portal_admin:applications"),
                icon_name="tasks",
                permission=admin_views.REVIEW,
                order=100,
            ),
            PermissionMenuItem(
                "Members and applicants",
                reverse("portal_admin:members"),
                icon_name="group",
                permission=admin_views.REVIEW,
                order=200,
            ),
            PermissionMenuItem(
                "Decision history",
                reverse("portal_admin:decisions"),
                icon_name="history",
                permission=admin_views.REVIEW,
                order=300,
            ),
            PermissionMenuItem(
                "Reports",
                reverse("portal_admin:reports"),
                icon_name="warning",
                permission=admin_views.REPORTS,
                order=400,
            ),
        ]
    )
    return SubmenuMenuItem("Members", menu, icon_name="group", name="members", order=250)


@hooks.register("before_serve_page")
def second_factor_before_members_pages(page, request, serve_args, serve_kwargs):
    """A staff session that has not passed its second factor is sent to pass it before a page
    under a view restriction (members-only pages) or a members-only post, whatever Wagtail's
    own group check would say (superusers pass every restriction)."""
    if not mfa.needs_second_factor(request):
        return None
    if getattr(page, "members_only", False) or page.get_view_restrictions().exists():
        return mfa.second_factor_redirect(request)
    return None


@hooks.register("after_create_user")
def invite_user_created_in_the_admin(request, user):
    """An account made in Settings → Users has no password (Wagtail's password fields are off):
    its owner is emailed a link to choose one, which leads on to the authenticator app."""
    services.staff_invitation_send(user=user, invited_by=request.user)
    messages.success(request, f"An invitation to set a password was emailed to {user.email}.")


@hooks.register("register_user_listing_buttons")
def invitation_button(user, request_user):
    """Offer "Send a new invitation" beside accounts that never chose a password."""
    if not admin_invitations.can_invite(request_user, user):
        return []
    return [
        ListingButton(
            "Send a new invitation",
            reverse("portal_admin:invitation", args=[user.pk]),
            icon_name="mail",
            priority=50,
        )
    ]


@hooks.register("after_bulk_action")
def relist_users_after_bulk_action(request, action_type, objects, action_class_instance):
    """Bulk "set active state" in the users listing writes the active flag with `update()`,
    which sends no signal (every other change of an account reaches `portal.signals`)."""
    if action_type == "set_active_state" and getattr(action_class_instance, "model", None) is User:
        services.profile_listing_refresh(user_ids=[obj.pk for obj in objects])
