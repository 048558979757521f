"""The key of each member's private calendar feed: made the first time the member's events page
shows the feed's address, replaced when the member resets the link."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from events.models import CalendarFeedKey

if TYPE_CHECKING:
    from portal.models import User


def calendar_feed_key_ensure(*, user: User) -> CalendarFeedKey:
    """The member's feed key, made on first use (two requests at once make one: the user is
    unique, and `get_or_create` reads the other's row back)."""
    key, _created = CalendarFeedKey.objects.get_or_create(user=user)
    return key


def calendar_feed_key_reset(*, user: User) -> CalendarFeedKey:
    """Replace the member's feed key: the address made from the old one answers 404 from now
    on, and the member subscribes again with the new one."""
    with transaction.atomic():
        key, created = CalendarFeedKey.objects.select_for_update().get_or_create(user=user)
        if not created:
            key.key = uuid.uuid4()
            key.created_at = timezone.now()
            key.save(update_fields=["key", "created_at"])
    return key
