"""The portal's screens in Wagtail's admin: the review queue, members, decisions, reports.

Registered with `register_admin_urls` (Wagtail checks admin access); each view also checks its
own permission: `portal.review_membership` to vet, `portal.handle_report` for reports,
`portal.change_memberprofile` to edit a profile. Editors have none of them.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import CharField, Count, F, Max, Q, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from icmec.forms import add_service_errors
from icmec.pagination import page_of
from icmec.text import text_param
from portal import safeguarding, selectors, services
from portal.forms import DecisionForm, ProfileForm, ReportResolveForm, StaffEraseForm
from portal.models import MemberProfile, Membership, MembershipDecision, Report

REVIEW = "portal.review_membership"
REPORTS = "portal.handle_report"
EDIT_PROFILE = "portal.change_memberprofile"

ACTIONS_FOR_STATUS = {
    Membership.Status.PENDING: [
        MembershipDecision.Action.APPROVE,
        MembershipDecision.Action.REJECT,
    ],
    Membership.Status.REJECTED: [MembershipDecision.Action.APPROVE],
    Membership.Status.APPROVED: [MembershipDecision.Action.SUSPEND],
    Membership.Status.SUSPENDED: [MembershipDecision.Action.REINSTATE],
    Membership.Status.UNVERIFIED: [],
}
ACTION_VERBS = {
    MembershipDecision.Action.APPROVE: "Approve",
    MembershipDecision.Action.REJECT: "Reject",
    MembershipDecision.Action.SUSPEND: "Suspend",
    MembershipDecision.Action.REINSTATE: "Reinstate",
}


class PermissionMixin:
    permission = REVIEW

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AdminPage(PermissionMixin, WagtailAdminTemplateMixin, TemplateView):
    header_icon = "group"
    _breadcrumbs = []

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + self._breadcrumbs + [{"url": "", "label": self.page_title}]


def _paginate(request, queryset, per_page=25):
    return page_of(Paginator(queryset, per_page), request.GET.get("p"))


class ApplicationQueueView(AdminPage):
    template_name = "portal/admin/application_queue.html"
    page_title = "Applications to review"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = _paginate(
            self.request,
            selectors.pending_applications()
            .prefetch_related("user__emailaddress_set")
            .annotate(earlier=Count("earlier_applications")),
        )
        flags = safeguarding.records_matching_users(m.user for m in page.object_list)
        for membership in page.object_list:
            membership.flags = flags.get(membership.user_id, [])
        context["page_obj"] = page
        return context


class MemberListView(AdminPage):
    template_name = "portal/admin/member_list.html"
    page_title = "Members and applicants"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        q = text_param(self.request.GET, "q", max_length=200)
        memberships = Membership.objects.select_related("user__profile").order_by(
            "user__last_name", "user__first_name", "pk"
        )
        if status in Membership.Status.values:
            memberships = memberships.filter(status=status)
        if q:
            memberships = memberships.filter(
                Q(user__email__icontains=q)
                | Q(user__first_name__icontains=q)
                | Q(user__last_name__icontains=q)
                | Q(user__profile__organisation__icontains=q)
            )
        context.update(
            page_obj=_paginate(self.request, memberships),
            statuses=Membership.Status.choices,
            status=status,
            q=q,
        )
        return context


class ApplicationDetailView(AdminPage):
    template_name = "portal/admin/application_detail.html"
    page_title = "Membership"

    def get_breadcrumbs_items(self):
        self._breadcrumbs = [
            {"url": reverse("portal_admin:members"), "label": "Members and applicants"}
        ]
        return super().get_breadcrumbs_items()

    def get_page_subtitle(self):
        return str(self.membership.user)

    def dispatch(self, request, *args, **kwargs):
        self.membership = get_object_or_404(
            Membership.objects.select_related("user__profile"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.membership
        actions = ACTIONS_FOR_STATUS.get(membership.status, [])
        user = membership.user
        can_approve = MembershipDecision.Action.APPROVE in actions
        context.update(
            membership=membership,
            profile=getattr(user, "profile", None),
            decisions=user.membership_decisions.select_related("decided_by"),
            actions=[(action, ACTION_VERBS[action]) for action in actions],
            form=kwargs.get("form") or DecisionForm(),
            failed_action=kwargs.get("failed_action"),
            can_edit_profile=self.request.user.has_perm(EDIT_PROFILE),
            reports=Report.objects.filter(reported=user).order_by("-created_at")[:10],
            flags=safeguarding.records_matching(user),
            can_approve=can_approve,
            earlier_applications=membership.earlier_applications.select_related(
                "decision__decided_by"
            ),
            can_erase=not (user.is_staff or user.is_superuser),
            erase_form=kwargs.get("erase_form") or StaffEraseForm(),
        )
        return context


class DecideView(ApplicationDetailView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        action = kwargs["action"]
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                services.membership_decide(
                    membership_id=self.membership.pk,
                    action=action,
                    decided_by=request.user,
                    note=form.cleaned_data["note"],
                    override_note=form.cleaned_data["override_note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                verb = MembershipDecision.Action(action).label.lower()
                messages.success(request, f"{self.membership.user}: {verb}. They are emailed.")
                if action in (MembershipDecision.Action.APPROVE, MembershipDecision.Action.REJECT):
                    return redirect("portal_admin:applications")
                return redirect("portal_admin:application", self.membership.pk)
        self.membership.refresh_from_db()
        context = self.get_context_data(form=form, failed_action=action)
        return self.render_to_response(context, status=400)


class EraseView(ApplicationDetailView):
    """Staff erase a member's account on request: the way for a suspended member, or one a
    report is open about, who cannot erase it themselves."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = StaffEraseForm(request.POST)
        user = self.membership.user
        if form.is_valid():
            try:
                services.account_delete(user=user, erased_by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "The account is erased. Its safeguarding record stays.")
                return redirect("portal_admin:members")
        return self.render_to_response(self.get_context_data(erase_form=form), status=400)


class DecisionHistoryView(AdminPage):
    template_name = "portal/admin/decision_history.html"
    page_title = "Decision history"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        decisions = MembershipDecision.objects.select_related(
            "user__membership", "decided_by"
        ).order_by("-created_at", "-pk")
        context["page_obj"] = _paginate(self.request, decisions, per_page=50)
        return context


class ReportListView(AdminPage):
    permission = REPORTS
    template_name = "portal/admin/report_list.html"
    page_title = "Reports about members"
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        """Reports grouped by the person reported (the hash of their address, so the group
        holds across an erasure), the group with the latest report first."""
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", Report.Status.OPEN)
        # A report made before reports carried the hash, about an account erased since, is a
        # group of its own.
        keyed = Report.objects.annotate(
            group_key=Coalesce(
                NullIf(F("subject_hash"), Value("")),
                Concat(Value("report:"), Cast("pk", CharField())),
            )
        )
        reports = keyed
        if status in Report.Status.values:
            reports = reports.filter(status=status)
        groups = _paginate(
            self.request,
            reports.values("group_key")
            .annotate(count=Count("pk"), latest=Max("created_at"))
            .order_by("-latest", "group_key"),
        )
        keys = [group["group_key"] for group in groups.object_list]
        by_key: dict[str, list[Report]] = {key: [] for key in keys}
        for report in (
            reports.filter(group_key__in=keys)
            .select_related("reporter", "reported")
            .order_by("-created_at", "-pk")
        ):
            by_key[report.group_key].append(report)
        totals = dict(
            keyed.filter(group_key__in=keys)
            .values("group_key")
            .annotate(n=Count("pk"))
            .values_list("group_key", "n")
        )
        for group in groups.object_list:
            group["reports"] = by_key[group["group_key"]]
            group["reported"] = next((r.reported for r in group["reports"] if r.reported), None)
            group["others"] = totals.get(group["group_key"], 0) - group["count"]
        context.update(page_obj=groups, status=status, statuses=Report.Status.choices)
        return context


class ReportDetailView(AdminPage):
    permission = REPORTS
    template_name = "portal/admin/report_detail.html"
    page_title = "Report"
    header_icon = "warning"

    def get_breadcrumbs_items(self):
        self._breadcrumbs = [{"url": reverse("portal_admin:reports"), "label": "Reports"}]
        return super().get_breadcrumbs_items()

    def dispatch(self, request, *args, **kwargs):
        self.report = get_object_or_404(
            Report.objects.select_related(
                "reporter", "reported", "resolved_by", "safeguarding_record"
            ),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.report
        reported_membership = (
            Membership.objects.filter(user=report.reported).first() if report.reported else None
        )
        others = (
            Report.objects.filter(subject_hash=report.subject_hash).exclude(pk=report.pk)
            if report.subject_hash
            else Report.objects.none()
        )
        context.update(
            report=report,
            # The copy made when the report was made: never the live conversation.
            thread=report.messages.all(),
            reported_membership=reported_membership,
            other_reports=others.order_by("-created_at"),
            record=report.safeguarding_record,
            form=kwargs.get("form") or ReportResolveForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ReportResolveForm(request.POST)
        if form.is_valid():
            try:
                services.report_resolve(
                    report_id=self.report.pk,
                    resolved_by=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, "The report is resolved. The reporter is emailed that it is closed."
                )
                return redirect("portal_admin:reports")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ProfileEditView(AdminPage):
    permission = EDIT_PROFILE
    template_name = "portal/admin/profile_edit.html"
    page_title = "Edit member profile"

    def dispatch(self, request, *args, **kwargs):
        self.profile = get_object_or_404(
            MemberProfile.objects.select_related("user__membership"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.profile.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            profile=self.profile,
            form=kwargs.get("form") or ProfileForm(instance=self.profile),
            membership=getattr(self.profile.user, "membership", None),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = ProfileForm(request.POST, request.FILES, instance=self.profile)
        if form.is_valid():
            services.profile_update(profile=self.profile, **form.profile_update_arguments())
            if form.cleaned_data.get("photo"):
                services.profile_photo_set(profile=self.profile, upload=form.cleaned_data["photo"])
            elif form.cleaned_data.get("remove_photo"):
                services.profile_photo_remove(profile=self.profile)
            messages.success(request, "The profile is saved.")
            membership = getattr(self.profile.user, "membership", None)
            if membership is not None:
                return redirect("portal_admin:application", membership.pk)
            return redirect("portal_admin:members")
        return self.render_to_response(self.get_context_data(form=form), status=400)
