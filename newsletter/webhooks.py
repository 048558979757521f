"""Email service events (via django-anymail's webhooks): bounces, complaints, inbound mail.

The webhooks work whatever sends the newsletter: an email API, or SMTP through a relay that
posts tracking events (they are switched on by `ANYMAIL_WEBHOOK_SECRET`, not by the sending
backend). Inbound mail is either a bounce message (a DSN mailed back to the signed bounce
address of one delivery) or an email to the List-Unsubscribe mailto: address.
"""

from __future__ import annotations

import logging
from typing import Any

from newsletter import bounces
from newsletter.services import events

logger = logging.getLogger(__name__)


def on_tracking_event(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    events.subscriber_record_delivery_event(
        email=event.recipient or "",
        event_type=event.event_type,
        description=event.description or "",
        mta_response=event.mta_response or "",
        esp_name=esp_name,
        reject_reason=event.reject_reason,
        esp_event=event.esp_event,
    )


def on_inbound_email(sender: Any, event: Any, esp_name: str, **kwargs: Any) -> None:
    """Mail routed here by the email service's inbound webhook.

    A delivery status notification sent to a delivery's signed bounce address records that
    bounce (a report sent anywhere else is ignored: nothing proves which delivery it is
    about). An email to the List-Unsubscribe mailto: address has the subject "unsubscribe
    <token>" (the token signs the subscriber), so a forged email cannot unsubscribe anyone
    else. Other mail is left alone.
    """
    message = event.message
    if message is None:
        return
    report = bounces.delivery_status_report(message)
    if report is not None:
        delivery_id = bounces.bounced_delivery_id(
            message, getattr(message, "envelope_recipient", None)
        )
        if delivery_id is None:
            # Not sent to a signed bounce address: nothing proves which delivery it is about.
            logger.info("Ignored a bounce message that names no delivery")
            return
        events.delivery_record_bounce_report(
            delivery_id=delivery_id, recipients=report, source=f"Bounce message ({esp_name})"
        )
        return
    subject = message.get("Subject") or ""
    words = subject.split()
    if len(words) >= 2 and words[-2].lower() == "unsubscribe":
        events.subscriber_unsubscribe_by_mailto(token=words[-1])
