"""Wagtail's `page_published` and `page_unpublished` signals: the hooks that see every
publication of a page (the admin's, a scheduled one run by Celery beat, a workflow's approval)
and every unpublication."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from wagtail.signals import page_published, page_unpublished


def _event_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    from events.services.schedules import event_schedule_record

    event_schedule_record(event_id=instance.pk)


def _purge_listings(sender: Any, instance: Any, **kwargs: Any) -> None:
    # The blog's signals bump the content version (the application's own fragments); this
    # removes the proxy's copies of the pages that list the event, once the change is committed.
    from events.services.purge import frontend_cache_purge_event_listings

    page_id = instance.pk
    transaction.on_commit(lambda: frontend_cache_purge_event_listings(page_id=page_id))


def connect() -> None:
    from events.models import EventPage

    page_published.connect(_event_published, sender=EventPage, dispatch_uid="events.schedule")
    page_published.connect(_purge_listings, sender=EventPage, dispatch_uid="events.purge-pub")
    page_unpublished.connect(_purge_listings, sender=EventPage, dispatch_uid="events.purge-unpub")
