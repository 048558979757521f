"""Enqueueing tasks through the outbox, relaying them to the broker, noting when workers take them.

Every task that a request asks for goes through `enqueue(task, *args)`: the task is written in
the request's transaction, so the request never depends on the broker being up, and handed to
Celery after the commit and, if that failed or the broker lost it, again by `outbox_relay`
(Celery beat) until a worker starts it. A task may therefore run more than once (a copy still
queued when the first one started is skipped only once the first has finished): tasks stay
idempotent.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

from celery import Task
from celery.exceptions import Ignore
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from outbox.models import TASK_ID_PREFIX, OutboxTask

logger = logging.getLogger(__name__)


def enqueue(task: Task, *args: Any) -> OutboxTask:
    """Ask for `task(*args)` to run on a worker once the current transaction commits.

    The arguments must be JSON values (ids, short strings). Outside a transaction the task is
    relayed at once. If the broker is down, nothing fails: the relay hands it over later.
    """
    entry = OutboxTask.objects.create(task_name=task.name, args=list(args))
    transaction.on_commit(lambda: _relay_after_commit(entry))
    return entry


def _relay_after_commit(entry: OutboxTask) -> None:
    # Never raise here: the request's work is committed and its answer must not depend on
    # the broker.
    _publish_all([entry])


def _publish_all(entries: list[OutboxTask]) -> int:
    """Hand `entries` to the broker over one connection; stop at the first failure (the broker
    is down). Returns how many were handed over."""
    from icmec.celery import app

    if app.conf.task_always_eager:  # tasks run in this process (tests): no broker
        return sum(_publish(entry) for entry in entries)
    with app.connection_for_write() as connection:
        try:
            # One quick attempt: kombu's default is to retry for seconds, which a request
            # would wait for.
            connection.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        except Exception as exc:  # the broker's client raises many kinds; each means "not now"
            if entries:
                _note_failure(entries[0], f"{type(exc).__name__}: {exc}")
            return 0
        published = 0
        for entry in entries:
            if not _publish(entry, connection):
                break
            published += 1
        return published


def _publish(entry: OutboxTask, connection: Any = None) -> bool:
    from icmec.celery import app

    task = app.tasks.get(entry.task_name)
    now = timezone.now()
    if task is None:
        _note_failure(entry, f"No task named {entry.task_name}")
        return True  # not the broker's fault: go on with the others
    try:
        task.apply_async(
            args=entry.args, task_id=entry.celery_task_id, retry=False, connection=connection
        )
    except Exception as exc:  # the broker's client raises many kinds; each means "not now"
        if app.conf.task_always_eager:
            raise  # tasks run in this process (tests): a failing task must fail the test
        _note_failure(entry, f"{type(exc).__name__}: {exc}")
        return False
    OutboxTask.objects.filter(pk=entry.pk).update(
        relayed_at=now, relay_attempts=entry.relay_attempts + 1, last_error=""
    )
    return True


def _note_failure(entry: OutboxTask, error: str) -> None:
    logger.warning("Outbox: could not hand %s to the broker: %s", entry, error)
    OutboxTask.objects.filter(pk=entry.pk).update(
        relay_attempts=entry.relay_attempts + 1, last_error=error[:500]
    )


def outbox_relay(*, limit: int = 500) -> int:
    """Hand the broker every task no worker has taken yet (run by beat). Returns how many.

    New entries are left a few seconds to their own after-commit relay; an entry relayed but
    not taken within `OUTBOX_RELAY_AGAIN_SECONDS` (the broker lost it, or it is still waiting
    in a long queue) is relayed again. It stops at the first failure: the broker is down.
    """
    now = timezone.now()
    again = now - timedelta(seconds=settings.OUTBOX_RELAY_AGAIN_SECONDS)
    fresh = now - timedelta(seconds=2)
    with transaction.atomic():
        entries = list(
            OutboxTask.objects.select_for_update(skip_locked=True)
            .filter(taken_at__isnull=True)
            .filter(Q(relayed_at__isnull=True, created_at__lt=fresh) | Q(relayed_at__lt=again))
            .order_by("id")[:limit]
        )
        return _publish_all(entries)


def _entry_uuid(task_id: str | None) -> uuid.UUID | None:
    if not task_id or not task_id.startswith(TASK_ID_PREFIX):
        return None
    try:
        return uuid.UUID(task_id.removeprefix(TASK_ID_PREFIX))
    except ValueError:
        return None


def on_task_start(task: Task, task_id: str) -> None:
    """A worker starts a task: an outbox entry is taken (the relay stops); a copy of an entry
    that has already finished is skipped."""
    entry_uuid = _entry_uuid(task_id)
    if entry_uuid is None:
        return
    entry = OutboxTask.objects.filter(uuid=entry_uuid).only("pk", "taken_at", "done_at").first()
    if entry is None:
        return
    if entry.done_at is not None:
        raise Ignore()
    if entry.taken_at is None:
        OutboxTask.objects.filter(pk=entry.pk, taken_at__isnull=True).update(
            taken_at=timezone.now()
        )


def on_task_end(task: Task, task_id: str, state: str) -> None:
    """A task of the outbox finished (succeeded, or failed for good): keep only a tombstone."""
    entry_uuid = _entry_uuid(task_id)
    if entry_uuid is not None:
        OutboxTask.objects.filter(uuid=entry_uuid).update(done_at=timezone.now(), args=[])


def outbox_purge(*, older_than: timedelta = timedelta(days=7)) -> int:
    """Delete the tombstones of tasks finished long ago (no copy of them is still queued)."""
    deleted, _ = OutboxTask.objects.filter(done_at__lt=timezone.now() - older_than).delete()
    return deleted
