"""A member's profile page, their photo, and editing one's own profile."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from portal import selectors, services
from portal.forms import ConnectionRequestForm, ProfileForm
from portal.photos import SIZES
from portal.views.common import profile_or_404
from portal.views.decorators import member_photo_required, member_required, participant_required


@member_required
@require_GET
def member(request: HttpRequest, public_id: UUID) -> HttpResponse:
    profile = profile_or_404(request, public_id)
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
def photo(request: HttpRequest, key: str, size: int) -> HttpResponse:
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
def profile_edit(request: HttpRequest) -> HttpResponse:
    profile = request.user.profile
    form = ProfileForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=profile,
    )
    if request.method == "POST" and form.is_valid():
        services.profile_update(profile=profile, **form.profile_update_arguments())
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
