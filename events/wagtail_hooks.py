"""Events in Wagtail's admin: every booking (filtered by event and status, exported as
formula-safe CSV: names and addresses are typed by the public), and each event's own screen of
staff actions (`events.admin_views`), reached from the event's page in the admin (its header
and its row in the page listing) and from the Bookings listing.

Bookings change only through the booking services (capacity, waiting list, emails), so the
admin lists and inspects them but neither adds, edits nor deletes them.
"""

from __future__ import annotations

from django.urls import include, path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from events import admin_views
from events.models import Booking, EventPage
from icmec.spreadsheets import FormulaSafeCSVExportMixin

STAFF_ACTIONS_LABEL = _("Bookings and actions")


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Staff with the "view" permission see bookings; nobody writes them from the admin."""

    READ_ONLY_ACTIONS = frozenset({"view"})

    def user_has_permission(self, user, action):
        return action in self.READ_ONLY_ACTIONS and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


def _event_id(value: str | None) -> int | None:
    """An event's id from the listing's `?event=` filter (digits only), else None."""
    if value and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


class BookingIndexView(FormulaSafeCSVExportMixin, IndexView):
    """Each booking leads to its event's screen; filtered by one event, so does the header."""

    @cached_property
    def can_manage(self) -> bool:
        return self.request.user.has_perm(admin_views.MANAGE)

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        event_id = _event_id(self.request.GET.get("event"))
        if event_id is not None and self.can_manage:
            buttons.append(
                Button(
                    _("This event's bookings and actions"),
                    url=admin_views.event_admin_url(event_id),
                    icon_name="date",
                    priority=5,
                )
            )
        return buttons

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if self.can_manage:
            buttons.append(
                MenuItem(
                    _("The event's bookings and actions"),
                    url=admin_views.event_admin_url(instance.event_id),
                    icon_name="date",
                    priority=5,
                )
            )
        return buttons


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


class EventStaffActionsButton(PageMenuItem):
    """On an event's page in the admin (its header, its row in the page listing)."""

    label = STAFF_ACTIONS_LABEL
    icon_name = "date"
    url_name = "events_admin:event"

    def is_shown(self, user):
        return self.page.specific_class is EventPage and user.has_perm(admin_views.MANAGE)


@hooks.register("register_page_header_buttons")
def event_staff_actions_in_the_header(page, user, view_name, next_url=None):
    yield EventStaffActionsButton(page=page, priority=12)


@hooks.register("register_page_listing_more_buttons")
def event_staff_actions_in_the_listing(page, user, next_url=None):
    yield EventStaffActionsButton(page=page, priority=3)


@hooks.register("register_admin_urls")
def register_events_admin_urls():
    urls = [
        path("<int:pk>/", admin_views.EventView.as_view(), name="event"),
        path(
            "<int:pk>/registration/",
            admin_views.RegistrationView.as_view(),
            name="registration",
        ),
        path("<int:pk>/message/", admin_views.MessageView.as_view(), name="message"),
        path("<int:pk>/cancel/", admin_views.CancelView.as_view(), name="cancel"),
    ]
    return [path("events/", include((urls, "events_admin")))]


@hooks.register("register_log_actions")
def register_events_log_actions(actions):
    """What staff did to an event, in its page's history."""
    actions.register_action(
        "events.registration_close", _("Close registration"), _("Registration closed")
    )
    actions.register_action(
        "events.registration_reopen", _("Reopen registration"), _("Registration reopened")
    )
    actions.register_action("events.attendance", _("Take attendance"), _("Attendance taken"))
    actions.register_action(
        "events.message", _("Write to the attendees"), _("Message sent to the attendees")
    )
    actions.register_action("events.cancel", _("Cancel the event"), _("Event cancelled"))
