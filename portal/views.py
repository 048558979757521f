"""Views of the member portal. Thin: they check who asks, validate forms, call services and
selectors, and render. Every object is looked up through the asker (404 for anyone else)."""

from __future__ import annotations

import json
from functools import wraps

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.core.paginator import Paginator
from django.db.models import Count, Window
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from icmec.forms import add_service_errors
from icmec.pagination import KnownPagePaginator, page_number, page_of, window_counted_page
from icmec.text import text_param
from portal import invitations, mfa, selectors, services
from portal.countries import COUNTRIES, name_sort_key
from portal.forms import (
    ConnectionRequestForm,
    DeleteAccountForm,
    InvitationPasswordForm,
    MessageForm,
    NotificationPreferencesForm,
    ProfileForm,
    ReapplyForm,
    ReportForm,
)
from portal.models import MemberProfile, Sector
from portal.photos import SIZES
from portal.refusals import membership_status_page


def _directory_page(request, filters: selectors.DirectoryFilters):
    """The directory's page of results and the number of matches.

    Without a search, two short queries: the page is the first rows of the listed profiles'
    index in directory order (PostgreSQL stops after them) and the count an index scan (a window
    count would make it read and join every match). A search must rank every match anyway, so
    its page brings the number of matches with it (a window count over the ranked rows): one
    pass over the full-text matches instead of two. A page past the end (an old link) is the
    last.
    """
    per_page = settings.PORTAL_DIRECTORY_PAGE_SIZE
    viewer = request.user
    if filters.q:
        results = selectors.directory_search(viewer=viewer, filters=filters).annotate(
            total_matches=Window(Count("pk"))
        )
        return window_counted_page(
            rows_for=lambda number: selectors.directory_rows(
                results[(number - 1) * per_page : number * per_page], viewer
            ),
            count_all=lambda: selectors.directory_matches(viewer=viewer, filters=filters).count(),
            value=request.GET.get("page"),
            per_page=per_page,
        )
    count = selectors.directory_matches(viewer=viewer, filters=filters).count()
    number = min(page_number(request.GET.get("page")), max(-(-count // per_page), 1))
    rows = []
    if count:
        results = selectors.directory_search(viewer=viewer, filters=filters)
        rows = selectors.directory_rows(
            results[(number - 1) * per_page : number * per_page], viewer
        )
    return KnownPagePaginator(rows, count, per_page).page(number)


def _status_page(request, status: int = 200):
    return membership_status_page(request, status=status)


def _second_factor_step(request):
    """Staff whose session has not passed the second factor go and pass it, then come back."""
    if mfa.has_authenticator(request.user):
        messages.info(request, "Enter the code from your authenticator app to continue.")
    else:
        messages.warning(
            request, "Staff need two-factor authentication. Set up an authenticator app first."
        )
    return mfa.second_factor_redirect(request)


def _approved_members_only(view):
    """Approved members; staff whose session has not passed the second factor go and pass it."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if mfa.needs_second_factor(request):
            return never_cache(_second_factor_step)(request)
        if not selectors.user_is_approved_member(request.user):
            return never_cache(_status_page)(request, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def member_required(view):
    """Approved members (and staff) only. Others who are logged in see where their application
    stands, with a 403; anonymous visitors are sent to log in; staff whose session has not
    passed the second factor are sent to pass it. No copy of what members see is kept anywhere
    (`no-store`)."""
    return _approved_members_only(never_cache(view))


def member_photo_required(view):
    """As `member_required`, but the view sets its own Cache-Control: a photo may be kept by
    the member's browser (`private`), so the directory does not download every thumbnail
    again on each visit."""
    return _approved_members_only(view)


def participant_required(view):
    """Approved members with a profile: the people who connect and message."""

    @wraps(view)
    @member_required
    def wrapper(request, *args, **kwargs):
        if not selectors.user_has_member_profile(request.user):
            raise PermissionDenied(
                "Connections, messages, blocks and reports are for members with a profile. Your "
                "account has none (staff accounts may browse the directory but do not take part)."
            )
        return view(request, *args, **kwargs)

    return wrapper


def _preview(text: str, length: int) -> str:
    """The start of `text`, at most `length` characters with the ellipsis (what the
    `truncatechars` filter gives for plain text, without its cost per row)."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _profile_or_404(request, public_id) -> MemberProfile:
    profile = selectors.profile_for_viewer(viewer=request.user, public_id=public_id)
    if profile is None:
        raise Http404("No such member.")
    return profile


def _back(request, fallback: str):
    """Back to the page the form was on (a local `next`), else to `fallback`.

    `next` is only ever a path on this site: never another host, never a view name (which
    `redirect()` would try to reverse), never a control character.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and target.isprintable()
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return HttpResponseRedirect(target)
    return redirect(fallback)


# --- Home and status ------------------------------------------------------------------------


@login_required
@never_cache
def home(request):
    """The portal's front door: the dashboard for members, where things stand for applicants."""
    if mfa.needs_second_factor(request):
        return _second_factor_step(request)
    if not selectors.user_is_approved_member(request.user):
        return _status_page(request)
    user = request.user
    has_profile = selectors.user_has_member_profile(user)
    context = {"has_profile": has_profile}
    if has_profile:
        counts = selectors.nav_counts(user)
        request._portal_nav_counts = counts  # the header shows the same counts (portal_tags)
        context.update(
            incoming=list(selectors.incoming_requests(user)[:5]),
            conversations=selectors.conversations_of(user, limit=5),
            counts=counts,
            profile=user.profile,
        )
    return render(request, "portal/home.html", context)


# --- Directory and profiles -----------------------------------------------------------------


@member_required
@require_GET
def directory(request):
    sectors = dict(Sector.choices)
    countries = dict(COUNTRIES)
    filters = selectors.DirectoryFilters(
        q=text_param(request.GET, "q", max_length=200),
        sector=request.GET.get("sector", "") if request.GET.get("sector") in sectors else "",
        country=request.GET.get("country", "") if request.GET.get("country") in countries else "",
        expertise=text_param(request.GET, "expertise", max_length=100),
    )
    page = _directory_page(request, filters)
    query = request.GET.copy()
    query.pop("page", None)
    options = selectors.directory_filter_options()
    return render(
        request,
        "portal/directory.html",
        {
            "page_obj": page,
            "profiles": page.object_list,
            "filters": filters,
            "sectors": Sector.choices,
            "countries": sorted(
                ((code, countries[code]) for code in options.countries if code in countries),
                key=lambda item: name_sort_key(item[1]),
            ),
            "expertise_options": options.expertise,
            "querystring": query.urlencode(),
            "is_filtered": any([filters.q, filters.sector, filters.country, filters.expertise]),
            "can_take_part": selectors.user_has_member_profile(request.user),
        },
    )


@member_required
@require_GET
def member(request, public_id):
    profile = _profile_or_404(request, public_id)
    user = request.user
    conversation = None
    if profile.user_id != user.pk:
        conversation = selectors.conversation_between(user, profile.user)
    return render(
        request,
        "portal/member.html",
        {
            "profile": profile,
            "is_self": profile.user_id == user.pk,
            "show_contact": selectors.contact_details_visible(viewer=user, profile=profile),
            "conversation": conversation,
            "can_take_part": selectors.user_has_member_profile(user),
            "request_form": ConnectionRequestForm(),
        },
    )


@require_GET
@member_photo_required
def photo(request, key: str, size: int):
    """A member's photo, for approved members only. Keys are random; the owner must still be
    visible to the viewer (approved, not blocked)."""
    if size not in SIZES or not key.isalnum():
        raise Http404
    if not selectors.photo_visible(viewer=request.user, key=key):
        raise Http404
    storage = storages["member_photos"]
    name = f"{key}-{size}.jpg"
    try:
        handle = storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    # A key names one version of a photo (a new upload gets a new key), so a copy never goes
    # stale; `private` keeps it out of shared caches (a proxy or CDN would serve it to anyone).
    response["Cache-Control"] = f"private, max-age={settings.PORTAL_PHOTO_MAX_AGE}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@participant_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = request.user.profile
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=profile,
    )
    if request.method == "POST" and form.is_valid():
        services.profile_update(
            profile=profile,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            expertise=form.expertise_list(),
            **form.profile_fields(),
        )
        if form.cleaned_data.get("photo"):
            try:
                services.profile_photo_set(profile=profile, upload=form.cleaned_data["photo"])
            except ValidationError as error:
                form.add_error("photo", error)
        elif form.cleaned_data.get("remove_photo"):
            services.profile_photo_remove(profile=profile)
        if not form.errors:
            messages.success(request, "Your profile is saved.")
            return redirect("portal:member", profile.public_id)
    return render(request, "portal/profile_edit.html", {"form": form, "profile": profile})


# --- Connections ----------------------------------------------------------------------------


@participant_required
@require_GET
def connections(request):
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
def connect(request, public_id):
    profile = _profile_or_404(request, public_id)
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
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request, f"Your request is on its way to {profile.user.get_full_name()}."
            )
        return _back(request, reverse("portal:member", args=[profile.public_id]))
    return render(request, "portal/connect.html", {"profile": profile, "form": form})


def _answer(request, request_id: int, action) -> HttpResponse:
    try:
        action(user=request.user, request_id=request_id)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return None
    return True


@participant_required
@require_POST
def request_accept(request, pk: int):
    incoming = selectors.pending_request_for_recipient(user=request.user, request_id=pk)
    if incoming is None:
        raise Http404
    if _answer(request, pk, services.connection_request_accept):
        messages.success(request, f"You are now connected with {incoming.sender.get_full_name()}.")
    return _back(request, reverse("portal:connections"))


@participant_required
@require_POST
def request_decline(request, pk: int):
    if selectors.pending_request_for_recipient(user=request.user, request_id=pk) is None:
        raise Http404
    if _answer(request, pk, services.connection_request_decline):
        messages.success(request, "Request declined.")
    return _back(request, reverse("portal:connections"))


@participant_required
@require_POST
def request_withdraw(request, pk: int):
    if selectors.pending_request_for_sender(user=request.user, request_id=pk) is None:
        raise Http404
    if _answer(request, pk, services.connection_request_withdraw):
        messages.success(request, "Request withdrawn.")
    return _back(request, reverse("portal:connections"))


@participant_required
@require_http_methods(["GET", "POST"])
def connection_remove(request, public_id):
    """GET asks for confirmation (a page of its own: no script needed); POST removes."""
    profile = _profile_or_404(request, public_id)
    if request.method == "GET":
        if not profile.is_connected:
            messages.error(request, "You are not connected with this member.")
            return redirect("portal:member", profile.public_id)
        return render(request, "portal/disconnect.html", {"profile": profile})
    try:
        services.connection_remove(user=request.user, peer=profile.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request, f"You are no longer connected with {profile.user.get_full_name()}."
        )
    return _back(request, reverse("portal:connections"))


@participant_required
@require_http_methods(["GET", "POST"])
def block(request, public_id):
    profile = _profile_or_404(request, public_id)
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
def blocked(request):
    blocks = request.user.blocks.select_related("blocked").order_by("-created_at")
    return render(request, "portal/blocked.html", {"blocks": blocks})


@participant_required
@require_POST
def unblock(request, block_id: int):
    block = request.user.blocks.filter(pk=block_id).select_related("blocked").first()
    if block is None:
        raise Http404
    services.member_unblock(blocker=request.user, blocked=block.blocked)
    messages.success(request, f"You unblocked {block.blocked.get_full_name()}.")
    return redirect("portal:blocked")


@participant_required
@require_http_methods(["GET", "POST"])
def report(request, public_id):
    profile = _profile_or_404(request, public_id)
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


# --- Messages -------------------------------------------------------------------------------


@participant_required
@require_GET
def conversations(request):
    per_page = settings.PORTAL_LIST_PAGE_SIZE
    count = selectors.conversation_count(request.user)
    number = min(page_number(request.GET.get("page")), max(-(-count // per_page), 1))
    items = selectors.conversations_of(request.user, offset=(number - 1) * per_page, limit=per_page)
    for item in items:
        item.last_body_preview = _preview(item.last_body or "", 120)
    conversations_page = KnownPagePaginator(items, count, per_page).page(number)
    return render(
        request, "portal/messages.html", {"conversations": items, "page_obj": conversations_page}
    )


@participant_required
@require_http_methods(["GET", "POST"])
def conversation(request, pk: int):
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
def message_member(request, public_id):
    """Start (or continue) the conversation with a connection."""
    profile = _profile_or_404(request, public_id)
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


# --- Account, notifications, privacy --------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def account(request):
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
def data_export(request):
    """GET explains; POST (after re-authentication) downloads the JSON file."""
    if mfa.needs_second_factor(request):
        return _second_factor_step(request)
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
def reapply(request):
    """A rejected applicant applies again, once the waiting period after the rejection is over."""
    membership = selectors.membership_for(request.user)
    available = selectors.reapply_available_from(membership) if membership else None
    if available is None or available > timezone.now():
        return _status_page(request, status=403 if request.method == "POST" else 200)
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
def account_delete(request):
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


# --- Staff invitations ----------------------------------------------------------------------


@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def staff_invitation(request, token: str):
    """The invitation link: choose a password, which verifies the address and signs in, then
    straight on to setting up the authenticator app (staff) or to the portal.

    GET only shows the form (mail scanners fetch links); a link that was used, replaced by a
    newer one or has expired says so, and names nobody.
    """
    user = invitations.user_for_invitation(token)
    if user is None:
        return render(request, "portal/invitation_invalid.html", status=400)
    form = InvitationPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        user = services.staff_invitation_accept(
            user=user, password=form.cleaned_data["new_password1"]
        )
        if mfa.can_open_admin(user):
            next_url = reverse("mfa_activate_totp")
            messages.success(
                request,
                "Your password is set. Now set up two-factor authentication: staff need it to "
                "open the admin.",
            )
        else:
            next_url = reverse("portal:home")
        return mfa.sign_in_with_password(request, user, redirect_url=next_url)
    return render(request, "portal/invitation.html", {"form": form, "invited": user})
