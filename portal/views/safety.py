"""Blocking and unblocking a member, and reporting one to staff."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal import selectors, services
from portal.forms import ReportForm
from portal.views.common import profile_or_404
from portal.views.decorators import participant_required


@participant_required
@require_http_methods(["GET", "POST"])
def block(request: HttpRequest, public_id: UUID) -> HttpResponse:
    profile = profile_or_404(request, public_id)
    if profile.user_id == request.user.pk:
        raise Http404
    if request.method == "POST":
        services.member_block(blocker=request.user, blocked=profile.user)
        messages.success(
            request,
            f"You blocked {profile.user.get_full_name()}. Neither of you can find, ask or "
            "message the other. You can undo this under Blocked members.",
        )
        return redirect("portal:blocked")
    return render(request, "portal/block.html", {"profile": profile})


@participant_required
@require_GET
def blocked(request: HttpRequest) -> HttpResponse:
    blocks = request.user.blocks.select_related("blocked").order_by("-created_at")
    return render(request, "portal/blocked.html", {"blocks": blocks})


@participant_required
@require_POST
def unblock(request: HttpRequest, block_id: int) -> HttpResponse:
    block = request.user.blocks.filter(pk=block_id).select_related("blocked").first()
    if block is None:
        raise Http404
    services.member_unblock(blocker=request.user, blocked=block.blocked)
    messages.success(request, f"You unblocked {block.blocked.get_full_name()}.")
    return redirect("portal:blocked")


@participant_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, public_id: UUID) -> HttpResponse:
    profile = profile_or_404(request, public_id)
    if profile.user_id == request.user.pk:
        raise Http404
    form = ReportForm(request.POST if request.method == "POST" else None)
    has_conversation = selectors.conversation_between(request.user, profile.user) is not None
    if not has_conversation:
        del form.fields["share_conversation"]
    if request.method == "POST" and form.is_valid():
        try:
            services.member_report(
                reporter=request.user,
                reported=profile.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
                share_conversation=form.cleaned_data.get("share_conversation", False),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                "Thank you. Staff will look into your report. If a child is in immediate "
                "danger, call 000.",
            )
            return redirect("portal:member", profile.public_id)
    return render(request, "portal/report.html", {"profile": profile, "form": form})
