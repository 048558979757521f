"""The outbox: tasks that requests asked for, kept in the database until a worker takes them."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

# Celery task ids of outbox entries start with this, so that a worker recognises them without a
# query.
TASK_ID_PREFIX = "outbox-"


class OutboxTask(models.Model):
    """One Celery task to run, written in the transaction of the request that asked for it.

    It is handed to the broker after that transaction commits, and again by the periodic relay
    until a worker starts it (`taken_at`). Once it has finished (`done_at`), a copy that the
    broker still held is skipped, and its arguments are cleared.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    relayed_at = models.DateTimeField(null=True, blank=True)
    relay_attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The relay reads only the entries no worker has taken: a small index.
            models.Index(fields=["id"], name="outbox_waiting", condition=Q(taken_at__isnull=True)),
            models.Index(fields=["done_at"], name="outbox_done"),
        ]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"

    @property
    def celery_task_id(self) -> str:
        return f"{TASK_ID_PREFIX}{self.uuid}"
