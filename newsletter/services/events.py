"""What email services and receiving servers tell us after a message left: tracking events
(bounces, complaints, unsubscribes posted by a webhook), bounce messages mailed back (DSNs) and
unsubscribe requests mailed to the List-Unsubscribe address.

`newsletter.bounces` judges what a refusal means; these functions act on its verdict.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from newsletter import bounces, selectors, tokens
from newsletter.models import Delivery, Subscriber, SubscriptionEvent
from newsletter.services.subscriptions import (
    subscriber_record_refusal,
    subscriber_suppress,
    subscriber_unsubscribe,
    subscriber_unsubscribe_by_token,
)

logger = logging.getLogger(__name__)

Kind = SubscriptionEvent.Kind


SOFT_BOUNCE_MARKERS = ("soft", "transient", "temporary", "mailboxfull", "delayed")


def _is_soft_bounce(esp_event: Any) -> bool:
    """Some services report soft bounces as "bounced" with the detail in their own payload."""
    if not isinstance(esp_event, dict):
        return False
    for key in ("Type", "type", "bounceType", "bounce_type", "severity", "bounce_class"):
        value = str(esp_event.get(key, "")).lower().replace(" ", "")
        if any(marker in value for marker in SOFT_BOUNCE_MARKERS):
            return True
    return False


def subscriber_record_delivery_event(
    *,
    email: str,
    event_type: str,
    description: str,
    esp_name: str,
    reject_reason: str | None = None,
    esp_event: Any = None,
    mta_response: str = "",
) -> Subscriber | None:
    """Act on a tracking event from an email service or an SMTP relay that posts events.

    A hard bounce suppresses the address only when `bounces.classify` reads a dead mailbox in
    the receiving server's answer (`mta_response`, else the service's `description`); other
    hard bounces (policy, content) are recorded and keep the address. Complaints suppress.
    Unsubscribes reported by the service take the address off the list too. Other events
    (delivered, opened...) are not stored: the newsletter does not track readers.
    """
    words = " ".join(part for part in (mta_response, description) if part)
    reason = f"{esp_name}: {words}".strip(": ")
    if event_type == "complained":
        return subscriber_suppress(email=email, kind=Kind.COMPLAINED, reason=reason)
    if event_type == "bounced" and not _is_soft_bounce(esp_event):
        if bounces.classify(text=words, permanent=True).suppress:
            return subscriber_suppress(email=email, kind=Kind.BOUNCED, reason=reason)
        return subscriber_record_refusal(email=email, reason=reason)
    if event_type == "rejected" and reject_reason in ("invalid", "bounced"):
        # The service refused to send: the address is invalid or on its bounce list.
        return subscriber_suppress(email=email, kind=Kind.BOUNCED, reason=reason)
    if event_type == "rejected":
        return subscriber_record_refusal(email=email, reason=reason)
    if event_type == "unsubscribed":
        subscriber = selectors.subscriber_for_email(email=email)
        if subscriber is not None:
            return subscriber_unsubscribe(subscriber=subscriber, method=f"{esp_name} unsubscribe")
    return None


def subscriber_unsubscribe_by_mailto(*, token: str) -> Subscriber | None:
    """Unsubscribe from an email sent to the List-Unsubscribe mailto: address.

    A bad token is ignored (nothing to answer: the sender of an email gets no reply page).
    """
    try:
        return subscriber_unsubscribe_by_token(token=token, method="mailto")
    except tokens.InvalidToken:
        logger.info("Ignored an unsubscribe email with an invalid token")
        return None


def delivery_record_bounce_report(
    *, delivery_id: int, recipients: list[bounces.ReportedRecipient], source: str
) -> Subscriber | None:
    """Act on a bounce message (a DSN, RFC 3464) mailed back for one delivery.

    The delivery is named by the signed bounce address it was sent to (VERP), so a forged
    report cannot touch anyone else's address. A failure marks the delivery failed with the
    server's reason; a dead mailbox (`5.1.x`) also suppresses the address, any other failure
    is recorded and keeps it. Delays and successful deliveries change nothing. Safe to receive
    twice.
    """
    failures = [r.verdict for r in recipients if r.verdict.permanent]
    if not failures:
        return None
    # With several failed recipients (a forward), a dead mailbox outweighs a refusal.
    verdict = max(failures, key=lambda v: v.suppress)
    words = (
        verdict.reason if verdict.status in verdict.reason else f"{verdict.status} {verdict.reason}"
    )
    reason = f"{source}: {words.strip()}"
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status != Delivery.Status.SENT:
            # Only a message the server accepted can bounce later; one already marked failed
            # by an earlier copy of this report is not counted twice.
            return None
        delivery.status = Delivery.Status.FAILED
        delivery.error = f"Bounced later: {reason}"[:500]
        delivery.save(update_fields=["status", "error"])
        subscriber = delivery.subscriber
        email = subscriber.email if subscriber is not None else ""
        issue_id = delivery.issue_id
    if not email:
        return None
    if verdict.suppress:
        return subscriber_suppress(email=email, kind=Kind.BOUNCED, reason=reason, issue_id=issue_id)
    return subscriber_record_refusal(email=email, reason=reason, issue_id=issue_id)
