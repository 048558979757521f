"""Profiles: what members write about themselves, their photo, their notification choices, and
what the directory reads of them (listing, order, search vector)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef, Value

from portal import selectors
from portal.models import MemberProfile, User, member_sort_name
from portal.photos import SIZES, reencode_photo, validate_photo


def _photo_storage() -> Storage:
    return storages["member_photos"]


def _is_listed() -> Exists:
    """Whether a profile's account is shown to members: active and in the Members group (the
    rule of `selectors.user_is_approved_member`, as SQL on the profile's row)."""
    return Exists(
        User.objects.filter(
            pk=OuterRef("user_id"), is_active=True, groups__name=selectors.MEMBERS_GROUP
        )
    )


def profile_listing_refresh(*, user_ids: Iterable[int]) -> None:
    """Recompute whether these accounts' profiles are listed (`MemberProfile.listed`: shown in
    the directory, as a profile page and as a photo). `portal.signals` calls it in the same
    transaction whenever an account's active flag or groups change, and `portal.wagtail_hooks`
    after the users listing's bulk "set active state" (an `update()`, which sends no signal)."""
    MemberProfile.objects.filter(user_id__in=list(user_ids)).update(listed=_is_listed())


def profiles_listing_rebuild(*, user_ids: Iterable[int] | None = None) -> None:
    """Recompute the directory order (`sort_name`) and `listed` of these accounts' profiles, or
    of every profile: for profiles written in bulk (benchmarks, tests), without their search
    vectors."""
    profiles = MemberProfile.objects.select_related("user").only(
        "pk", "user__first_name", "user__last_name"
    )
    if user_ids is not None:
        user_ids = list(user_ids)
        profiles = profiles.filter(user_id__in=user_ids)
    batch = []
    for profile in profiles.iterator(chunk_size=2000):
        profile.sort_name = member_sort_name(profile.user.first_name, profile.user.last_name)
        batch.append(profile)
    MemberProfile.objects.bulk_update(batch, ["sort_name"], batch_size=2000)
    everyone = MemberProfile.objects.all()
    if user_ids is not None:
        everyone = everyone.filter(user_id__in=user_ids)
    everyone.update(listed=_is_listed())


def profile_reindex(*, profile: MemberProfile) -> None:
    """Recompute what the directory reads of the profile: its full-text vector (name and
    organisation weigh most), its place in the order and whether it is listed."""
    user = profile.user
    tags = " ".join(profile.expertise.names()) if profile.pk else ""
    name = user.get_full_name()
    MemberProfile.objects.filter(pk=profile.pk).update(
        listed=_is_listed(),
        sort_name=member_sort_name(user.first_name, user.last_name),
        search_vector=(
            SearchVector(Value(name), weight="A", config="simple")
            + SearchVector(Value(profile.organisation), weight="A", config="simple")
            + SearchVector(Value(tags), weight="B", config="simple")
            + SearchVector(Value(tags), weight="B", config="english")
            + SearchVector(Value(profile.job_title), weight="C", config="english")
            + SearchVector(Value(profile.bio), weight="D", config="english")
        ),
    )


PROFILE_FIELDS = (
    "organisation",
    "job_title",
    "sector",
    "country",
    "bio",
    "phone",
    "website",
    "linkedin",
    "show_email",
    "contact_visibility",
)


@transaction.atomic
def profile_update(
    *,
    profile: MemberProfile,
    first_name: str,
    last_name: str,
    expertise: list[str],
    **fields: Any,
) -> MemberProfile:
    """Save a member's profile (by the member or by staff) and its search index."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown profile fields: {', '.join(sorted(unknown))}")
    user = profile.user
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.save(update_fields=["first_name", "last_name"])
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    cleaned = sorted({tag.strip()[:100] for tag in expertise if tag.strip()}, key=str.lower)
    profile.expertise.set(cleaned[:20])
    profile_reindex(profile=profile)
    return profile


@transaction.atomic
def profile_photo_set(*, profile: MemberProfile, upload: UploadedFile) -> MemberProfile:
    """Validate and re-encode an uploaded photo, store it privately, drop the previous one."""
    validate_photo(upload)
    encoded = reencode_photo(upload)
    storage = _photo_storage()
    old_key = profile.photo_key
    key = uuid.uuid4().hex
    for size, data in encoded.items():
        storage.save(f"{key}-{size}.jpg", ContentFile(data))
    profile.photo_key = key
    profile.save(update_fields=["photo_key", "updated_at"])
    if old_key:
        transaction.on_commit(lambda: delete_photo_files(old_key))
    return profile


def profile_photo_remove(*, profile: MemberProfile) -> MemberProfile:
    """Remove the member's photo and its files."""
    old_key = profile.photo_key
    profile.photo_key = ""
    profile.save(update_fields=["photo_key", "updated_at"])
    if old_key:
        transaction.on_commit(lambda: delete_photo_files(old_key))
    return profile


def delete_photo_files(key: str) -> None:
    storage = _photo_storage()
    for size in SIZES:
        storage.delete(f"{key}-{size}.jpg")


def notification_preferences_update(
    *, profile: MemberProfile, email_on_request: bool, email_on_accept: bool, email_on_message: bool
) -> MemberProfile:
    """Turn each kind of notification email on or off."""
    profile.email_on_request = email_on_request
    profile.email_on_accept = email_on_accept
    profile.email_on_message = email_on_message
    profile.save(update_fields=["email_on_request", "email_on_accept", "email_on_message"])
    return profile
