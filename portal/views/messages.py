"""Messages: the list of conversations, a thread, and starting a conversation."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from icmec.pagination import CountedPaginator, page_of
from portal import selectors, services
from portal.forms import MessageForm
from portal.views.common import RowsBySlice, profile_or_404
from portal.views.decorators import participant_required


def _preview(text: str, length: int) -> str:
    """The start of `text`, at most `length` characters with the ellipsis (what the
    `truncatechars` filter gives for plain text, without its cost per row)."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


@participant_required
@require_GET
def conversations(request: HttpRequest) -> HttpResponse:
    user = request.user

    def rows(offset: int, limit: int) -> list:
        items = selectors.conversations_of(user, offset=offset, limit=limit)
        for item in items:
            item.last_body_preview = _preview(item.last_body or "", 120)
        return items

    conversations_page = page_of(
        CountedPaginator(
            lambda: RowsBySlice(rows),
            selectors.conversation_count(user),
            settings.PORTAL_LIST_PAGE_SIZE,
        ),
        request.GET.get("page"),
    )
    return render(
        request,
        "portal/messages.html",
        {"conversations": conversations_page.object_list, "page_obj": conversations_page},
    )


@participant_required
@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    thread = selectors.conversation_for(user=user, conversation_id=pk)
    if thread is None:
        raise Http404
    peer = thread.other(user)
    peer_state = selectors.thread_peer(viewer=user, peer=peer)
    can_reply = peer_state.can_reply
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_reply:
            raise PermissionDenied(
                "You can no longer message this member: you are not connected any more, or one of "
                "you has blocked the other. The messages you exchanged stay here for you to read."
            )
        if form.is_valid():
            try:
                services.message_send(sender=user, recipient=peer, body=form.cleaned_data["body"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect(f"{reverse('portal:conversation', args=[thread.pk])}#latest")
    services.conversation_mark_read(conversation=thread, user=user)
    peer_profile = getattr(peer, "profile", None) if peer else None
    before = request.GET.get("before", "")
    page = selectors.thread_page(
        conversation=thread,
        before=int(before) if before.isascii() and before.isdigit() and len(before) < 19 else None,
        size=settings.PORTAL_THREAD_PAGE_SIZE,
    )
    for message in page.messages:
        # Only the two of them write here: the viewer, or the peer (None once erased).
        message.mine = message.sender_id == user.pk
    return render(
        request,
        "portal/conversation.html",
        {
            "thread": thread,
            "peer": peer,
            "peer_profile": peer_profile,
            # How the peer's messages are signed: their first name, else their full name.
            "peer_name": (peer.first_name or peer.get_full_name()) if peer else "",
            "thread_page": page,
            "thread_messages": page.messages,
            "form": form,
            "can_reply": can_reply,
            "peer_state": peer_state,
        },
    )


@participant_required
@require_http_methods(["GET", "POST"])
def message_member(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Start (or continue) the conversation with a connection."""
    profile = profile_or_404(request, public_id)
    existing = selectors.conversation_between(request.user, profile.user)
    if existing is not None:
        return redirect("portal:conversation", existing.pk)
    if not selectors.are_connected(request.user, profile.user):
        messages.error(request, "You can message a member once you are connected.")
        return redirect("portal:member", profile.public_id)
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            message = services.message_send(
                sender=request.user, recipient=profile.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("portal:conversation", message.conversation_id)
    return render(request, "portal/message_new.html", {"profile": profile, "form": form})
