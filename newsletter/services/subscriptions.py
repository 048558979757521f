"""Who is on the list: subscribing (double opt-in), confirming, unsubscribing, suppressing.

Every change of a subscription is recorded in the consent trail (`SubscriptionEvent`), and an
address that leaves the list has its deliveries not yet sent skipped at once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from icmec.text import clean_text
from newsletter import selectors, tokens
from newsletter.models import Delivery, Issue, Subscriber, SubscriptionEvent
from newsletter.tasks import send_already_subscribed_notice as send_already_subscribed_notice_task
from newsletter.tasks import send_confirmation as send_confirmation_task
from outbox.services import enqueue

Status = Subscriber.Status
Kind = SubscriptionEvent.Kind


def validated_email(email: str) -> str:
    email = selectors.normalise_email(email)
    max_length = Subscriber._meta.get_field("email").max_length
    if max_length is not None and len(email) > max_length:
        raise ValidationError("This address is too long.")
    validate_email(email)
    return email


def record_event(subscriber: Subscriber, kind: str, **fields: Any) -> None:
    SubscriptionEvent.objects.create(subscriber=subscriber, kind=kind, **fields)


def locked_subscriber(email: str, defaults: dict[str, Any]) -> tuple[Subscriber, bool]:
    """The row for `email`, locked for this transaction, created if missing (race-safe)."""
    try:
        with transaction.atomic():
            return Subscriber.objects.select_for_update().get_or_create(
                email=email, defaults=defaults
            )
    except IntegrityError:
        return Subscriber.objects.select_for_update().get(email=email), False


def subscriber_subscribe(
    *, email: str, first_name: str = "", source: str = Subscriber.Source.PAGE
) -> Subscriber:
    """Ask for `email` to be put on the list (double opt-in).

    Whatever state the address is in, the caller shows the same answer, so nobody can learn
    whether an address is subscribed. A new, pending, unsubscribed or suppressed address becomes
    pending and is sent a confirmation link; a confirmed one is sent a short "you are already
    subscribed" note instead.
    """
    email = validated_email(email)
    first_name = first_name.strip()[:100]
    with transaction.atomic():
        subscriber, created = locked_subscriber(
            email, {"first_name": first_name, "source": source, "status": Status.PENDING}
        )
        if subscriber.status == Status.CONFIRMED:
            enqueue(send_already_subscribed_notice_task, subscriber.pk)
            return subscriber
        if not created:
            if subscriber.status != Status.PENDING:
                subscriber.token_version += 1
            subscriber.status = Status.PENDING
            subscriber.source = source
            if first_name:
                subscriber.first_name = first_name
            subscriber.save(update_fields=["status", "source", "first_name", "token_version"])
        record_event(subscriber, Kind.REQUESTED, source=source)
        requested_at = timezone.now().isoformat()
        enqueue(send_confirmation_task, subscriber.pk, source, requested_at)
    return subscriber


def subscriber_confirm(*, token: str) -> Subscriber:
    """Confirm an address from the link in its confirmation email; records when and from where.

    Raises `tokens.ExpiredToken` after 7 days and `tokens.InvalidToken` for altered links or
    links issued before the address last left the list. Confirming twice is harmless.
    """
    claim = tokens.read_confirmation_token(token)
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update().filter(uuid=claim.subscriber_uuid).first()
        )
        if subscriber is None or subscriber.token_version != claim.version:
            raise tokens.InvalidToken("This link is no longer valid.")
        if subscriber.status == Status.CONFIRMED:
            return subscriber
        mark_confirmed(subscriber, source=claim.source)
    return subscriber


def mark_confirmed(
    subscriber: Subscriber, *, source: str, kind: str = Kind.CONFIRMED, **event: Any
) -> None:
    subscriber.status = Status.CONFIRMED
    subscriber.confirmed_at = timezone.now()
    subscriber.confirmed_source = source
    subscriber.unsubscribed_at = None
    subscriber.suppressed_reason = ""
    subscriber.save(
        update_fields=[
            "status",
            "confirmed_at",
            "confirmed_source",
            "unsubscribed_at",
            "suppressed_reason",
        ]
    )
    record_event(subscriber, kind, source=source, **event)


def subscriber_unsubscribe(
    *,
    subscriber: Subscriber,
    method: str,
    issue_id: int | None = None,
    actor: Any = None,
) -> Subscriber:
    """Take an address off the list at once; its deliveries not yet sent are skipped.

    Idempotent: unsubscribing an address that is not subscribed changes nothing.
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.status in (Status.UNSUBSCRIBED, Status.SUPPRESSED):
            return subscriber
        was_confirmed = subscriber.status == Status.CONFIRMED
        subscriber.status = Status.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.token_version += 1
        subscriber.save(update_fields=["status", "unsubscribed_at", "token_version"])
        if was_confirmed or issue_id:
            record_event(
                subscriber,
                Kind.UNSUBSCRIBED,
                source=method,
                issue_id=issue_id,
                actor=actor if getattr(actor, "pk", None) else None,
            )
        _skip_unsent_deliveries(subscriber, reason=f"Unsubscribed ({method})")
    return subscriber


def subscriber_unsubscribe_by_token(*, token: str, method: str) -> Subscriber:
    """Unsubscribe from a signed link (raises `tokens.InvalidToken` for a bad link)."""
    claim = tokens.read_unsubscribe_token(token)
    subscriber = Subscriber.objects.filter(uuid=claim.subscriber_uuid).first()
    if subscriber is None:
        raise tokens.InvalidToken("No such subscriber.")
    issue_id = claim.issue_id
    if issue_id is not None and not Issue.objects.filter(pk=issue_id).exists():
        issue_id = None
    return subscriber_unsubscribe(subscriber=subscriber, method=method, issue_id=issue_id)


def subscriber_suppress(
    *, email: str, kind: str, reason: str, issue_id: int | None = None
) -> Subscriber | None:
    """Stop mailing an address whose mailbox is dead or that complained (SMTP, webhook, DSN).

    Only `bounces.classify` decides that a mailbox is dead. Unknown addresses are ignored; an
    address already unsubscribed keeps that status but the event is still recorded.
    """
    email = selectors.normalise_email(email)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is None:
            return None
        if subscriber.status in (Status.CONFIRMED, Status.PENDING):
            subscriber.status = Status.SUPPRESSED
            subscriber.token_version += 1
        subscriber.suppressed_reason = reason[:255]
        subscriber.save(update_fields=["status", "token_version", "suppressed_reason"])
        record_event(subscriber, kind, detail=reason[:500], issue_id=issue_id)
        _skip_unsent_deliveries(subscriber, reason=f"Suppressed: {kind}")
    return subscriber


def subscriber_record_refusal(
    *, email: str, reason: str, issue_id: int | None = None
) -> Subscriber | None:
    """Record a permanent refusal that is not a dead mailbox (a policy or content refusal
    reported by a webhook or a bounce message): the address stays on the list."""
    subscriber = selectors.subscriber_for_email(email=email)
    if subscriber is None:
        return None
    record_event(subscriber, Kind.REFUSED, detail=reason[:500], issue_id=issue_id)
    return subscriber


def subscriber_lift_suppression(*, subscriber: Subscriber, actor: Any, reason: str) -> Subscriber:
    """Staff put a suppressed address back (e.g. the bounce was a mistake of the receiving
    server); who, when and why are recorded in the consent trail.

    An address that had confirmed (and not unsubscribed since) is subscribed again: the
    suppression was not its choice. Any other goes back to pending, and joins only by
    confirming. Raises `ValidationError` without a reason or if the address is not suppressed.
    """
    reason = clean_text(reason or "", max_length=500).strip()
    if not reason:
        raise ValidationError("Say why the suppression is lifted.")
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.status != Status.SUPPRESSED:
            raise ValidationError("This address is not suppressed.")
        consented = selectors.subscriber_still_consents(subscriber=subscriber)
        subscriber.status = Status.CONFIRMED if consented else Status.PENDING
        previous = subscriber.suppressed_reason
        subscriber.suppressed_reason = ""
        subscriber.save(update_fields=["status", "suppressed_reason"])
        detail = f"{reason} (was: {previous})" if previous else reason
        record_event(subscriber, Kind.LIFTED, source="staff", actor=actor, detail=detail[:500])
    return subscriber


def _skip_unsent_deliveries(subscriber: Subscriber, *, reason: str) -> None:
    Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SKIPPED, error=reason[:500]
    )


def member_has_verified_email(*, user: Any) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def subscriber_subscribe_member(
    *, user: Any, source: str = Subscriber.Source.ACCOUNT
) -> Subscriber:
    """Subscribe a logged-in member from their account (`source`: where they asked, their
    account page unless said otherwise, such as an event they booked).

    The account's email address was verified by allauth (a link mailed to it and clicked), which
    is the same proof of ownership as our confirmation email, so a verified address is confirmed
    at once. An unverified one goes through the usual confirmation email.
    """
    if not member_has_verified_email(user=user):
        return subscriber_subscribe(email=user.email, first_name=user.first_name, source=source)
    email = validated_email(user.email)
    with transaction.atomic():
        subscriber, created = locked_subscriber(
            email, {"first_name": user.first_name[:100], "source": source}
        )
        if subscriber.status != Status.CONFIRMED:
            if not created and subscriber.status != Status.PENDING:
                subscriber.token_version += 1
                subscriber.save(update_fields=["token_version"])
            mark_confirmed(
                subscriber,
                source=source,
                detail="Verified account email address",
                actor=user,
            )
    return subscriber


def subscriber_unsubscribe_member(*, user: Any) -> Subscriber | None:
    """Unsubscribe the logged-in member's account address, if it is on the list."""
    subscriber = selectors.subscriber_for_user(user=user)
    if subscriber is None:
        return None
    return subscriber_unsubscribe(subscriber=subscriber, method="account", actor=user)


def subscribers_purge_pending(*, older_than: timedelta = timedelta(days=30)) -> int:
    """Delete addresses that never confirmed within `older_than` (default 30 days)."""
    cutoff = timezone.now() - older_than
    deleted, _ = Subscriber.objects.filter(
        status=Status.PENDING, created_at__lt=cutoff, confirmed_at__isnull=True
    ).delete()
    return deleted


def subscriber_erase_for_user(user: Any) -> None:
    """Privacy eraser: delete the member's subscription and its history; anonymise deliveries."""
    subscriber = selectors.subscriber_for_user(user=user)
    if subscriber is None:
        return
    with transaction.atomic():
        Delivery.objects.filter(subscriber=subscriber).update(email="")
        subscriber.delete()
