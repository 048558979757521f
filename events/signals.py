"""Wagtail's `page_published` signal: the one hook that sees every publication of a page (the
admin's, a scheduled one run by Celery beat, a workflow's approval)."""

from __future__ import annotations

from typing import Any

from wagtail.signals import page_published


def _event_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    from events.services.schedules import event_schedule_record

    event_schedule_record(event_id=instance.pk)


def connect() -> None:
    from events.models import EventPage

    page_published.connect(_event_published, sender=EventPage, dispatch_uid="events.schedule")
