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


def on_inbound_email(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """Mail to the List-Unsubscribe mailto: address, routed here by the email service.

    The subject is "unsubscribe <token>" (the token signs the subscriber), so a forged email
    cannot unsubscribe anyone else. Other mail is left alone.
    """
    subject = (event.message.get("Subject") or "") if event.message is not None else ""
    words = subject.split()
    if len(words) >= 2 and words[-2].lower() == "unsubscribe":
        services.subscriber_unsubscribe_by_mailto(token=words[-1])
