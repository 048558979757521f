"""The account page (email preferences), "Download my data", applying again after a rejection,
and "Delete my account"."""

from __future__ import annotations

import json

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from icmec.forms import add_service_errors
from portal import mfa, selectors, services
from portal.forms import DeleteAccountForm, NotificationPreferencesForm, ReapplyForm
from portal.models import MemberProfile
from portal.views.decorators import second_factor_step, status_page


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    profile = MemberProfile.objects.filter(user=user).first()
    form = None
    if profile is not None:
        form = NotificationPreferencesForm(
            request.POST if request.method == "POST" else None,
            initial={
                "email_on_request": profile.email_on_request,
                "email_on_accept": profile.email_on_accept,
                "email_on_message": profile.email_on_message,
            },
        )
        if request.method == "POST" and form.is_valid():
            services.notification_preferences_update(profile=profile, **form.cleaned_data)
            messages.success(request, "Your email preferences are saved.")
            return redirect("portal:account")
    elif request.method == "POST":
        raise PermissionDenied("Email preferences are for members with a profile.")
    return render(
        request,
        "portal/account.html",
        {
            "profile": profile,
            "membership": selectors.membership_for(user),
            "notifications_form": form,
            "is_member": selectors.user_is_approved_member(user),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def data_export(request: HttpRequest) -> HttpResponse:
    """GET explains; POST (after re-authentication) downloads the JSON file."""
    if mfa.needs_second_factor(request):
        return second_factor_step(request)
    if request.method == "GET":
        return render(request, "portal/data_export.html")
    data = services.account_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="icmec-portal-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def reapply(request: HttpRequest) -> HttpResponse:
    """A rejected applicant applies again, once the waiting period after the rejection is over."""
    membership = selectors.membership_for(request.user)
    available = selectors.reapply_available_from(membership) if membership else None
    if available is None or available > timezone.now():
        return status_page(request, status=403 if request.method == "POST" else 200)
    profile = MemberProfile.objects.filter(user=request.user).first()
    fields = ("organisation", "job_title", "sector", "country")
    form = ReapplyForm(
        request.POST if request.method == "POST" else None,
        initial={name: getattr(profile, name) for name in fields} if profile else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.application_reapply(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Thank you: your new application is with our staff.")
            return redirect("portal:home")
    return render(request, "portal/reapply.html", {"form": form, "membership": membership})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)
def account_delete(request: HttpRequest) -> HttpResponse:
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.user.is_staff or request.user.is_superuser:
        return render(request, "portal/account_delete.html", {"form": None, "is_staff": True})
    blocker = selectors.account_self_erasure_blocker(request.user)
    if blocker is not None:
        # Suspended, or a report about them is open: staff erase the account on request. The
        # page never says that a report exists (the reporter must not be exposed).
        return render(
            request,
            "portal/account_delete.html",
            {
                "form": None,
                "blocker": blocker,
                "privacy_email": settings.PORTAL_PRIVACY_EMAIL,
            },
            status=403 if request.method == "POST" else 200,
        )
    if request.method == "POST" and form.is_valid():
        user = request.user
        try:
            services.account_delete(user=user)
        except services.ErasureRefused:  # a suspension or a report arrived meanwhile
            return redirect("portal:account_delete")
        logout(request)
        messages.success(request, "Your account and your data have been deleted. Goodbye.")
        return redirect("/")
    return render(request, "portal/account_delete.html", {"form": form})
