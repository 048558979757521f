"""Each member's private calendar feed: the key its address names.

The address carries the key signed with the site's secret (`events.tokens.feed_token`), so it
cannot be guessed or altered; resetting the link puts a new key in the row, and the old address
then names a key that no longer exists (404).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CalendarFeedKey(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_key"
    )
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("link made"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed key")

    def __str__(self) -> str:
        return f"Calendar feed of user {self.user_id}"
