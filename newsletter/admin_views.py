"""Newsletter screens in Wagtail's admin: send/schedule (with confirmation), report, import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from newsletter import selectors
from newsletter.forms import ImportForm, LiftSuppressionForm, ScheduleForm, SendConfirmForm
from newsletter.models import Issue, Subscriber
from newsletter.services import imports, issues, subscriptions

SEND_PERMISSION = "newsletter.send_issue"


def issues_index_url() -> str:
    return reverse("wagtailsnippets_newsletter_issue:list")


class IssueMixin(WagtailAdminTemplateMixin):
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(SEND_PERMISSION):
            raise PermissionDenied
        self.issue = get_object_or_404(Issue, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.issue.subject

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": issues_index_url(), "label": _("Newsletter issues")},
            {
                "url": reverse("wagtailsnippets_newsletter_issue:edit", args=[self.issue.pk])
                if self.issue.is_editable
                else "",
                "label": self.issue.subject,
            },
            {"url": "", "label": self.get_page_title()},
        ]


class IssueSendView(IssueMixin, TemplateView):
    """Send a test, send now (after confirming the number of recipients) or schedule."""

    template_name = "newsletter/admin/issue_send.html"
    page_title = _("Send")

    def get(self, request, *args, **kwargs):
        if not self.issue.is_editable:
            return redirect("newsletter_admin:report", pk=self.issue.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            issue=self.issue,
            recipient_count=selectors.confirmed_subscriber_count(),
            send_form=kwargs.get("send_form") or SendConfirmForm(),
            schedule_form=kwargs.get("schedule_form")
            or ScheduleForm(
                initial={"send_at": timezone.localtime(self.issue.scheduled_at)}
                if self.issue.scheduled_at
                else None
            ),
            edit_url=reverse("wagtailsnippets_newsletter_issue:edit", args=[self.issue.pk]),
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        issue = self.issue
        if not issue.is_editable:
            messages.error(request, _("This issue has already been sent."))
            return redirect("newsletter_admin:report", pk=issue.pk)
        if action == "test":
            issues.issue_send_test(issue=issue, to_email=request.user.email)
            messages.success(
                request, _("A test is on its way to %(email)s.") % {"email": request.user.email}
            )
            return redirect("newsletter_admin:send", pk=issue.pk)
        if action == "unschedule":
            try:
                issues.issue_unschedule(issue_id=issue.pk)
            except issues.IssueStateError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("The issue is back to draft: it will not be sent."))
            return redirect("newsletter_admin:send", pk=issue.pk)
        if action == "schedule":
            form = ScheduleForm(request.POST)
            if form.is_valid():
                try:
                    issues.issue_schedule(
                        issue_id=issue.pk, when=form.cleaned_data["send_at"], user=request.user
                    )
                except ValidationError as exc:
                    form.add_error("send_at", exc)
                except issues.IssueStateError as exc:
                    messages.error(request, str(exc))
                    return redirect("newsletter_admin:report", pk=issue.pk)
                else:
                    when = timezone.localtime(form.cleaned_data["send_at"])
                    messages.success(
                        request,
                        _("Scheduled: the issue will be sent at %(when)s.")
                        % {"when": when.strftime("%-d %B %Y, %H:%M")},
                    )
                    return redirect(issues_index_url())
            return self.render_to_response(self.get_context_data(schedule_form=form))
        if action == "send":
            form = SendConfirmForm(request.POST)
            if form.is_valid():
                try:
                    count = issues.issue_start_sending(issue_id=issue.pk, user=request.user)
                except issues.IssueStateError as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(
                        request,
                        ngettext(
                            "Sending to %(count)s subscriber.",
                            "Sending to %(count)s subscribers.",
                            count,
                        )
                        % {"count": f"{count:,}"},
                    )
                return redirect("newsletter_admin:report", pk=issue.pk)
            return self.render_to_response(self.get_context_data(send_form=form))
        return redirect("newsletter_admin:send", pk=issue.pk)


class IssueReportView(IssueMixin, TemplateView):
    """Progress while sending (the page refreshes itself), then the final report; the staff's
    controls of a send (pause, resume, cancel, resend)."""

    template_name = "newsletter/admin/issue_report.html"
    page_title = _("Report")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        issue = self.issue
        progress = selectors.issue_progress(issue_id=issue.pk, now=now)
        status = Issue.Status
        active = issue.status in (status.SENDING, status.PAUSED)
        context.update(
            issue=issue,
            progress=progress,
            stalled_minutes=selectors.issue_stalled_minutes(
                issue=issue, progress=progress, now=now
            ),
            next_retry_at=progress.next_retry_at if active else None,
            failures=selectors.issue_failures(issue_id=issue.pk),
            refresh=issue.status == status.SENDING,
            archive_url=issue.get_absolute_url(),
            can_pause=issue.status == status.SENDING,
            can_resume=issue.status == status.PAUSED,
            can_cancel=active,
            can_resend=issue.status in (status.SENDING, status.SENT)
            and bool(progress.temporary_failures or progress.next_retry_at),
        )
        return context


class IssueControlView(IssueMixin, View):
    """Pause, resume or cancel a send, or resend what failed temporarily (POST only)."""

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        issue_id = self.issue.pk
        try:
            if action == "pause":
                issues.issue_pause(issue_id=issue_id)
                messages.success(request, _("Paused: nothing more is sent until you resume."))
            elif action == "resume":
                issues.issue_resume(issue_id=issue_id)
                messages.success(request, _("Resumed: sending goes on."))
            elif action == "cancel":
                issues.issue_cancel(issue_id=issue_id)
                messages.success(request, _("Cancelled: nothing more of this issue is sent."))
            elif action == "resend":
                count = issues.issue_resend_failed(issue_id=issue_id)
                messages.success(
                    request,
                    ngettext(
                        "%(count)s delivery is being tried again.",
                        "%(count)s deliveries are being tried again.",
                        count,
                    )
                    % {"count": f"{count:,}"},
                )
        except issues.IssueStateError as exc:
            messages.error(request, str(exc))
        return redirect("newsletter_admin:report", pk=issue_id)


def _subscribers_breadcrumb() -> dict[str, Any]:
    return {"url": reverse("wagtailsnippets_newsletter_subscriber:list"), "label": _("Subscribers")}


class SubscriberImportView(WagtailAdminTemplateMixin, FormView):
    template_name = "newsletter/admin/subscriber_import.html"
    form_class = ImportForm
    page_title = _("Import subscribers")
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("newsletter.add_subscriber"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            _subscribers_breadcrumb(),
            {"url": "", "label": self.page_title},
        ]

    def form_valid(self, form):
        result = imports.subscribers_import(
            rows=form.cleaned_data["rows"],
            consent_attested=form.cleaned_data["consent_attested"],
            actor=self.request.user,
            note=form.cleaned_data["consent_note"],
        )
        return self.render_to_response(self.get_context_data(form=form, result=result))


class SubscriberUnsubscribeView(View):
    """Staff take an address off the list (e.g. a reader asked by email); it is recorded."""

    def post(self, request, pk):
        if not request.user.has_perm("newsletter.change_subscriber"):
            raise PermissionDenied
        subscriber = get_object_or_404(Subscriber, pk=pk)
        subscriptions.subscriber_unsubscribe(
            subscriber=subscriber, method="staff", actor=request.user
        )
        messages.success(request, _("%(email)s is unsubscribed.") % {"email": subscriber.email})
        return redirect("wagtailsnippets_newsletter_subscriber:inspect", pk)


class SubscriberLiftSuppressionView(WagtailAdminTemplateMixin, FormView):
    """Staff put a suppressed address back on the list, saying why (recorded with their name)."""

    template_name = "newsletter/admin/subscriber_lift_suppression.html"
    form_class = LiftSuppressionForm
    page_title = _("Lift the suppression")
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("newsletter.change_subscriber"):
            raise PermissionDenied
        self.subscriber = get_object_or_404(Subscriber, pk=kwargs["pk"])
        if self.subscriber.status != Subscriber.Status.SUPPRESSED:
            messages.info(request, _("%(email)s is not suppressed.") % {"email": self.subscriber})
            return redirect("wagtailsnippets_newsletter_subscriber:inspect", self.subscriber.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.subscriber.email

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            _subscribers_breadcrumb(),
            {
                "url": reverse(
                    "wagtailsnippets_newsletter_subscriber:inspect", args=[self.subscriber.pk]
                ),
                "label": self.subscriber.email,
            },
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["subscriber"] = self.subscriber
        context["will_subscribe"] = selectors.subscriber_still_consents(subscriber=self.subscriber)
        context["last_event"] = self.subscriber.events.filter(
            kind__in=["bounced", "complained"]
        ).last()
        return context

    def form_valid(self, form):
        try:
            subscriber = subscriptions.subscriber_lift_suppression(
                subscriber=self.subscriber,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error("reason", exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(email)s is no longer suppressed: %(status)s.")
            % {"email": subscriber.email, "status": subscriber.get_status_display().lower()},
        )
        return redirect("wagtailsnippets_newsletter_subscriber:inspect", subscriber.pk)
