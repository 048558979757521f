"""The staff admin's view of bookings: each event's bookings, filtered by status, exported as
formula-safe CSV (names and addresses are typed by the public).

Bookings change only through the booking services (capacity, waiting list, emails), so the
admin lists and inspects them but neither adds, edits nor deletes them.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from events.models import Booking
from icmec.spreadsheets import FormulaSafeCSVExportMixin


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Staff with the "view" permission see bookings; nobody writes them from the admin."""

    READ_ONLY_ACTIONS = frozenset({"view"})

    def user_has_permission(self, user, action):
        return action in self.READ_ONLY_ACTIONS and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


class BookingIndexView(FormulaSafeCSVExportMixin, IndexView):
    pass


class BookingViewSet(SnippetViewSet):
    model = Booking
    icon = "date"
    menu_label = _("Bookings")
    menu_order = 260
    add_to_admin_menu = True
    index_view_class = BookingIndexView
    list_display = [
        "name",
        "email",
        Column("event", label=_("Event"), sort_key="event__start_at"),
        Column("get_status_display", label=_("Status"), sort_key="status"),
        DateColumn("created_at", label=_("Booked")),
    ]
    list_filter = ["event", "status"]
    list_export = ["event", "name", "email", "status", "created_at", "confirmed_at", "cancelled_at"]
    export_filename = "event-bookings"
    search_fields = ["name", "email"]
    search_backend_name = None
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "event",
        "name",
        "email",
        "status",
        "created_at",
        "confirmed_at",
        "cancelled_at",
    ]
    ordering = ["event", "created_at"]


register_permission_policy(Booking, ReadOnlyPermissionPolicy(Booking))
register_snippet(BookingViewSet)
