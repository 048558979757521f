"""Celery tasks of the public site. Thin: they call services."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from blog import services


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=3,
    # A run that waits longer than a minute is overtaken by the next one from beat.
    expires=55,
)
def publish_scheduled() -> bool:
    """Publish pages whose go-live time has come and unpublish expired ones (every minute)."""
    return services.scheduled_pages_publish()
