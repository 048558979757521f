"""The newsletter in Wagtail's admin: issues, subscribers, and the send/report/import screens."""

from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    DeleteView,
    EditView,
    IndexView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from icmec.spreadsheets import FormulaSafeCSVExportMixin
from newsletter import admin_views
from newsletter.models import Issue, Subscriber


def _send_url(issue: Issue) -> str:
    return reverse("newsletter_admin:send", args=[issue.pk])


def _report_url(issue: Issue) -> str:
    return reverse("newsletter_admin:report", args=[issue.pk])


class IssueIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if self.request.user.has_perm(admin_views.SEND_PERMISSION):
            if instance.is_editable:
                buttons.append(
                    Button(_("Send or schedule"), url=_send_url(instance), icon_name="mail")
                )
            else:
                buttons.append(Button(_("Report"), url=_report_url(instance), icon_name="doc-full"))
        return buttons


class IssueEditView(EditView):
    """Sent issues cannot change: their edit URL shows the report instead."""

    def dispatch(self, request, *args, **kwargs):
        if not self.object.is_editable:
            return redirect("newsletter_admin:report", pk=self.object.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_header_more_buttons(self):
        buttons = list(super().get_header_more_buttons())
        if self.request.user.has_perm(admin_views.SEND_PERMISSION):
            buttons.append(
                Button(_("Send or schedule"), url=_send_url(self.object), icon_name="mail")
            )
        return buttons


class IssueDeleteView(DeleteView):
    """An issue that went out stays: its deliveries are the record of who got what."""

    def dispatch(self, request, *args, **kwargs):
        if not self.object.is_editable:
            return redirect("newsletter_admin:report", pk=self.object.pk)
        return super().dispatch(request, *args, **kwargs)


class IssueViewSet(SnippetViewSet):
    model = Issue
    icon = "mail"
    menu_label = _("Issues")
    index_view_class = IssueIndexView
    edit_view_class = IssueEditView
    delete_view_class = IssueDeleteView
    list_display = [
        "subject",
        Column("status_summary", label=_("Status")),
        Column("recipient_count", label=_("Recipients")),
        DateColumn("updated_at", label=_("Updated")),
    ]
    list_filter = ["status"]
    ordering = ["-created_at"]


class SubscriberIndexView(FormulaSafeCSVExportMixin, IndexView):
    # Names and addresses are typed by the public: the CSV export must not run them.
    # The add view is the import (see SubscriberViewSet.add_view).
    add_item_label = _("Import subscribers")


class SubscriberViewSet(SnippetViewSet):
    model = Subscriber
    icon = "group"
    menu_label = _("Subscribers")
    index_view_class = SubscriberIndexView
    list_display = [
        "email",
        "first_name",
        Column("get_status_display", label=_("Status"), sort_key="status"),
        Column("get_source_display", label=_("Signed up through"), sort_key="source"),
        DateColumn("confirmed_at", label=_("Confirmed")),
        DateColumn("created_at", label=_("Added")),
    ]
    list_filter = ["status", "source"]
    list_export = [
        "email",
        "first_name",
        "status",
        "source",
        "created_at",
        "confirmed_at",
        "confirmed_source",
        "unsubscribed_at",
        "suppressed_reason",
    ]
    export_filename = "newsletter-subscribers"
    search_fields = ["email", "first_name"]
    search_backend_name = None
    form_fields = ["first_name"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_template_name = "newsletter/admin/subscriber_inspect.html"
    inspect_view_fields = [
        "email",
        "first_name",
        "status",
        "source",
        "created_at",
        "confirmation_sent_at",
        "confirmed_at",
        "confirmed_source",
        "unsubscribed_at",
        "suppressed_reason",
    ]
    ordering = ["-created_at"]

    @property
    def add_view(self):
        # Staff never type addresses in one by one: they import, attesting consent or not.
        return admin_views.SubscriberImportView.as_view()


class NewsletterGroup(SnippetViewSetGroup):
    items = (IssueViewSet, SubscriberViewSet)
    menu_icon = "mail"
    menu_label = _("Newsletter")
    menu_name = "newsletter"
    menu_order = 250


register_snippet(NewsletterGroup)


@hooks.register("register_admin_urls")
def register_newsletter_admin_urls():
    urls = [
        path("issues/<int:pk>/send/", admin_views.IssueSendView.as_view(), name="send"),
        path("issues/<int:pk>/report/", admin_views.IssueReportView.as_view(), name="report"),
        path("issues/<int:pk>/control/", admin_views.IssueControlView.as_view(), name="control"),
        path(
            "subscribers/<int:pk>/unsubscribe/",
            admin_views.SubscriberUnsubscribeView.as_view(),
            name="unsubscribe",
        ),
        path(
            "subscribers/<int:pk>/lift-suppression/",
            admin_views.SubscriberLiftSuppressionView.as_view(),
            name="lift_suppression",
        ),
    ]
    return [path("newsletter/", include((urls, "newsletter_admin")))]
