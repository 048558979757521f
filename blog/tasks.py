"""Celery tasks of the public site. Thin: they call services."""

from __future__ import annotations

from celery import shared_task

from icmec.celery import RETRY_POLICY


# A run that waits longer than a minute (a retry included) is overtaken by the next one from beat.
@shared_task(**RETRY_POLICY, expires=55)
def publish_scheduled() -> bool:
    """Publish pages whose go-live time has come and unpublish expired ones (every minute)."""
    from blog.services import scheduled_pages_publish

    return scheduled_pages_publish()
