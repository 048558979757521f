"""How the services hand work to the workers: through the outbox (`outbox.services.enqueue`:
written in the service's transaction, relayed to Celery once it commits), unless notifications
are switched off for a block of code (the demo content)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from celery import Task

from outbox.services import enqueue

# Set inside `notifications_suppressed()`: services then email nobody.
_notifications_off: ContextVar[bool] = ContextVar("portal_notifications_off", default=False)


@contextmanager
def notifications_suppressed() -> Iterator[None]:
    """Run services without emailing anyone: the demo content's people are made up, and the
    reviewers it creates would otherwise be told of each demo application."""
    token = _notifications_off.set(True)
    try:
        yield
    finally:
        _notifications_off.reset(token)


def enqueue_unless_suppressed(task: Task, *args: Any) -> None:
    """Queue `task(*args)` for after the commit, unless inside `notifications_suppressed()`."""
    if _notifications_off.get():
        return
    enqueue(task, *args)
