"""Adding a CSV list of addresses staff bring from elsewhere (the admin's import form)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from icmec.text import clean_text
from newsletter.models import Subscriber, SubscriptionEvent
from newsletter.services.subscriptions import (
    locked_subscriber,
    mark_confirmed,
    record_event,
    validated_email,
)
from newsletter.tasks import send_confirmation as send_confirmation_task
from outbox.services import enqueue

Status = Subscriber.Status
Kind = SubscriptionEvent.Kind


@dataclass
class ImportResult:
    """What an import did, line by line, for the report staff see after it."""

    added: int = 0
    confirmed: int = 0
    unchanged: int = 0
    left_out: list[str] = field(default_factory=list)
    invalid: list[tuple[int, str]] = field(default_factory=list)


def subscribers_import(
    *,
    rows: Iterable[tuple[str, str]],
    consent_attested: bool,
    actor: Any,
    note: str = "",
) -> ImportResult:
    """Add (email, first name) rows to the list.

    With `consent_attested` (staff confirm these people already agreed to receive the
    newsletter, and say how in `note`), addresses are confirmed at once and the attestation is
    recorded against each of them. Without it they become pending and get a confirmation
    email. Addresses that unsubscribed or were suppressed are never put back by an import.
    """
    result = ImportResult()
    to_confirm_by_email: list[int] = []
    seen: set[str] = set()
    with transaction.atomic():
        for line_number, (raw_email, first_name) in enumerate(rows, start=1):
            try:
                email = validated_email(raw_email)
            except ValidationError:
                result.invalid.append((line_number, raw_email[:100]))
                continue
            if email in seen:
                continue
            seen.add(email)
            subscriber, created = locked_subscriber(
                email,
                {
                    "first_name": clean_text(first_name or "", max_length=100),
                    "source": Subscriber.Source.IMPORT,
                    "status": Status.PENDING,
                },
            )
            if not created and subscriber.status in (Status.UNSUBSCRIBED, Status.SUPPRESSED):
                result.left_out.append(email)
                continue
            if not created and subscriber.status == Status.CONFIRMED:
                result.unchanged += 1
                continue
            result.added += int(created)
            if consent_attested:
                mark_confirmed(
                    subscriber,
                    source=Subscriber.Source.IMPORT,
                    kind=Kind.CONSENT_ATTESTED,
                    actor=actor,
                    detail=note[:500],
                )
                result.confirmed += 1
            else:
                record_event(
                    subscriber, Kind.IMPORTED, source=Subscriber.Source.IMPORT, actor=actor
                )
                to_confirm_by_email.append(subscriber.pk)
        requested_at = timezone.now().isoformat()
        for subscriber_id in to_confirm_by_email:
            enqueue(send_confirmation_task, subscriber_id, Subscriber.Source.IMPORT, requested_at)
    return result
