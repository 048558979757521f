"""Connections: the list, asking to connect, answering a request, and ending a connection."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from icmec.pagination import page_of
from portal import selectors, services
from portal.forms import ConnectionRequestForm
from portal.models import ConnectionRequest
from portal.views.common import back, error_text, profile_or_404
from portal.views.decorators import participant_required


@participant_required
@require_GET
def connections(request: HttpRequest) -> HttpResponse:
    user = request.user
    connections_page = page_of(
        Paginator(selectors.connections_of(user), settings.PORTAL_LIST_PAGE_SIZE),
        request.GET.get("page"),
    )
    return render(
        request,
        "portal/connections.html",
        {
            "page_obj": connections_page,
            "connections": connections_page.object_list,
            "incoming": selectors.incoming_requests(user),
            "outgoing": selectors.outgoing_requests(user),
        },
    )


@participant_required
@require_http_methods(["GET", "POST"])
def connect(request: HttpRequest, public_id: UUID) -> HttpResponse:
    profile = profile_or_404(request, public_id)
    form = ConnectionRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "GET" and profile.ask_again_from:
        # Say so now rather than after they have written a note.
        messages.info(
            request,
            f"{profile.user.get_full_name()} declined your last request. You can ask again "
            f"from {timezone.localdate(profile.ask_again_from):%-d %B %Y}.",
        )
        return redirect("portal:member", profile.public_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_request_send(
                sender=request.user, recipient=profile.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request, f"Your request is on its way to {profile.user.get_full_name()}."
            )
        return back(request, reverse("portal:member", args=[profile.public_id]))
    return render(request, "portal/connect.html", {"profile": profile, "form": form})


def _request_answer_view(
    *,
    pending_request: Callable[..., ConnectionRequest | None],
    answer: Callable[..., object],
    success: Callable[[ConnectionRequest], str],
    name: str,
) -> Callable[..., HttpResponse]:
    """A POST that answers a pending connection request (accept, decline or withdraw): 404
    unless `pending_request` finds it among the asker's, then `answer` (a service), and back to
    the page the button was on with `success(request)` or the service's refusal."""

    @participant_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        pending = pending_request(user=request.user, request_id=pk)
        if pending is None:
            raise Http404
        try:
            answer(user=request.user, request_id=pk)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, success(pending))
        return back(request, reverse("portal:connections"))

    view.__name__ = view.__qualname__ = name
    return view


request_accept = _request_answer_view(
    pending_request=selectors.pending_request_for_recipient,
    answer=services.connection_request_accept,
    success=lambda pending: f"You are now connected with {pending.sender.get_full_name()}.",
    name="request_accept",
)
request_decline = _request_answer_view(
    pending_request=selectors.pending_request_for_recipient,
    answer=services.connection_request_decline,
    success=lambda pending: "Request declined.",
    name="request_decline",
)
request_withdraw = _request_answer_view(
    pending_request=selectors.pending_request_for_sender,
    answer=services.connection_request_withdraw,
    success=lambda pending: "Request withdrawn.",
    name="request_withdraw",
)


@participant_required
@require_http_methods(["GET", "POST"])
def connection_remove(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """GET asks for confirmation (a page of its own: no script needed); POST removes."""
    profile = profile_or_404(request, public_id)
    if request.method == "GET":
        if not profile.is_connected:
            messages.error(request, "You are not connected with this member.")
            return redirect("portal:member", profile.public_id)
        return render(request, "portal/disconnect.html", {"profile": profile})
    try:
        services.connection_remove(user=request.user, peer=profile.user)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request, f"You are no longer connected with {profile.user.get_full_name()}."
        )
    return back(request, reverse("portal:connections"))
