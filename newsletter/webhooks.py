"""Email service events (via django-anymail's tracking webhooks): bounces and complaints."""

from __future__ import annotations

from typing import Any

from newsletter import services


def on_tracking_event(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    services.subscriber_record_delivery_event(
        email=event.recipient or "",
        event_type=event.event_type,
        description=event.description or event.mta_response or "",
        esp_name=esp_name,
        reject_reason=event.reject_reason,
        esp_event=event.esp_event,
    )
