"""Celery tasks of the outbox (beat): the relay and the purge. Thin: they call services."""

from __future__ import annotations

from celery import shared_task


@shared_task(ignore_result=True)
def relay_outbox() -> int:
    from outbox import services

    return services.outbox_relay()


@shared_task(ignore_result=True)
def purge_outbox() -> int:
    from outbox import services

    return services.outbox_purge()
