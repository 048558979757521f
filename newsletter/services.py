"""Writes: subscriptions, consent, sending issues, recording deliveries.

Views, admin views, webhooks and Celery tasks call these functions and nothing else writes
newsletter data. Tasks that a request asks for go through the outbox (`_enqueue`: written in
the request's transaction, handed to Celery after the commit), with ids, never objects.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from icmec.text import clean_text
from newsletter import mail, rendering, selectors, tokens
from newsletter.models import Delivery, Issue, Subscriber, SubscriptionEvent
from outbox.services import enqueue

logger = logging.getLogger(__name__)

Status = Subscriber.Status
Kind = SubscriptionEvent.Kind


class IssueStateError(Exception):
    """The issue is not in a state that allows this (e.g. it has already been sent)."""


class TransientSendError(Exception):
    """The mail server is unreachable or busy: the batch should be retried later."""


# --- Subscriptions ---------------------------------------------------------------------------


def _validated_email(email: str) -> str:
    email = selectors.normalise_email(email)
    if len(email) > Subscriber._meta.get_field("email").max_length:
        raise ValidationError("This address is too long.")
    validate_email(email)
    return email


def _event(subscriber: Subscriber, kind: str, **fields: Any) -> None:
    SubscriptionEvent.objects.create(subscriber=subscriber, kind=kind, **fields)


def _locked_subscriber(email: str, defaults: dict[str, Any]) -> tuple[Subscriber, bool]:
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
    email = _validated_email(email)
    first_name = first_name.strip()[:100]
    with transaction.atomic():
        subscriber, created = _locked_subscriber(
            email, {"first_name": first_name, "source": source, "status": Status.PENDING}
        )
        if subscriber.status == Status.CONFIRMED:
            _enqueue("send_already_subscribed_notice", subscriber.pk)
            return subscriber
        if not created:
            if subscriber.status != Status.PENDING:
                subscriber.token_version += 1
            subscriber.status = Status.PENDING
            subscriber.source = source
            if first_name:
                subscriber.first_name = first_name
            subscriber.save(update_fields=["status", "source", "first_name", "token_version"])
        _event(subscriber, Kind.REQUESTED, source=source)
        requested_at = timezone.now().isoformat()
        _enqueue("send_confirmation", subscriber.pk, source, requested_at)
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
        _mark_confirmed(subscriber, source=claim.source)
    return subscriber


def _mark_confirmed(
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
    _event(subscriber, kind, source=source, **event)


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
            _event(
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
    issue_id = claim.issue_id if Issue.objects.filter(pk=claim.issue_id).exists() else None
    return subscriber_unsubscribe(subscriber=subscriber, method=method, issue_id=issue_id)


def subscriber_suppress(*, email: str, kind: str, reason: str) -> Subscriber | None:
    """Stop mailing an address that hard-bounced or complained (from SMTP or a webhook).

    Unknown addresses are ignored; an address already unsubscribed keeps that status but the
    event is still recorded.
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
        _event(subscriber, kind, detail=reason[:500])
        _skip_unsent_deliveries(subscriber, reason=f"Suppressed: {kind}")
    return subscriber


def _skip_unsent_deliveries(subscriber: Subscriber, *, reason: str) -> None:
    Delivery.objects.filter(subscriber=subscriber, status=Delivery.Status.QUEUED).update(
        status=Delivery.Status.SKIPPED, error=reason[:500]
    )


def member_has_verified_email(*, user: Any) -> bool:
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def subscriber_subscribe_member(*, user: Any) -> Subscriber:
    """Subscribe a logged-in member from their account.

    The account's email address was verified by allauth (a link mailed to it and clicked), which
    is the same proof of ownership as our confirmation email, so a verified address is confirmed
    at once. An unverified one goes through the usual confirmation email.
    """
    if not member_has_verified_email(user=user):
        return subscriber_subscribe(
            email=user.email, first_name=user.first_name, source=Subscriber.Source.ACCOUNT
        )
    email = _validated_email(user.email)
    with transaction.atomic():
        subscriber, created = _locked_subscriber(
            email, {"first_name": user.first_name[:100], "source": Subscriber.Source.ACCOUNT}
        )
        if subscriber.status != Status.CONFIRMED:
            if not created and subscriber.status != Status.PENDING:
                subscriber.token_version += 1
                subscriber.save(update_fields=["token_version"])
            _mark_confirmed(
                subscriber,
                source=Subscriber.Source.ACCOUNT,
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


def confirmation_email_send(*, subscriber_id: int, source: str, requested_at: str = "") -> bool:
    """Mail the confirmation link to a pending subscriber (the task behind `subscribe`).

    Safe to run twice: a request that was already answered is not mailed again.
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        if subscriber is None or subscriber.status != Status.PENDING:
            return False
        already_answered = requested_at and subscriber.confirmation_sent_at
        if already_answered and subscriber.confirmation_sent_at >= datetime.fromisoformat(
            requested_at
        ):
            return False
        token = tokens.confirmation_token(
            subscriber_uuid=subscriber.uuid, version=subscriber.token_version, source=source
        )
        confirm_url = rendering.absolute_url(reverse("newsletter:confirm", kwargs={"token": token}))
        rendered = rendering.render_transactional(
            "confirm", {"first_name": subscriber.first_name, "confirm_url": confirm_url}
        )
        _send_transactional(subscriber.email, rendered)
        subscriber.confirmation_sent_at = timezone.now()
        subscriber.save(update_fields=["confirmation_sent_at"])
    return True


def already_subscribed_notice_send(*, subscriber_id: int) -> bool:
    """Tell a confirmed subscriber who signed up again that nothing changed."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=Status.CONFIRMED).first()
    if subscriber is None:
        return False
    rendered = rendering.render_transactional(
        "already_subscribed", {"unsubscribe_url": unsubscribe_url(subscriber.uuid)}
    )
    _send_transactional(subscriber.email, rendered)
    return True


def unsubscribe_url(subscriber_uuid: Any, issue_id: int | None = None) -> str:
    token = tokens.unsubscribe_token(subscriber_uuid=subscriber_uuid, issue_id=issue_id)
    return rendering.absolute_url(reverse("newsletter:unsubscribe", kwargs={"token": token}))


def _send_transactional(
    to: str, rendered: rendering.RenderedEmail, headers: dict | None = None
) -> None:
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=mail.from_address(),
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(rendered.html, "text/html")
    message.send()


@dataclass
class ImportResult:
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
                email = _validated_email(raw_email)
            except ValidationError:
                result.invalid.append((line_number, raw_email[:100]))
                continue
            if email in seen:
                continue
            seen.add(email)
            subscriber, created = _locked_subscriber(
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
                _mark_confirmed(
                    subscriber,
                    source=Subscriber.Source.IMPORT,
                    kind=Kind.CONSENT_ATTESTED,
                    actor=actor,
                    detail=note[:500],
                )
                result.confirmed += 1
            else:
                _event(subscriber, Kind.IMPORTED, source=Subscriber.Source.IMPORT, actor=actor)
                to_confirm_by_email.append(subscriber.pk)
        requested_at = timezone.now().isoformat()
        for subscriber_id in to_confirm_by_email:
            _enqueue("send_confirmation", subscriber_id, Subscriber.Source.IMPORT, requested_at)
    return result


def subscriber_erase_for_user(user: Any) -> None:
    """Privacy eraser: delete the member's subscription and its history; anonymise deliveries."""
    subscriber = selectors.subscriber_for_user(user=user)
    if subscriber is None:
        return
    with transaction.atomic():
        Delivery.objects.filter(subscriber=subscriber).update(email="")
        subscriber.delete()


# --- Sending issues ----------------------------------------------------------------------------


def _enqueue(task_name: str, *args: Any) -> None:
    """Through the outbox: the task is written in the current transaction and relayed to the
    broker after the commit (and later, if the broker is down)."""
    from newsletter import tasks

    enqueue(getattr(tasks, task_name), *args)


def _enqueue_batches(issue_id: int, count: int = 1, *, countdown: float | None = None) -> None:
    """Batch tasks go straight to the broker: they are enqueued by workers, never by a request,
    and the sweeper sends again whatever a broker loses (the rows say what is left)."""
    from newsletter import tasks

    for _ in range(count):
        tasks.send_batch.apply_async(args=(issue_id,), countdown=countdown)


def issue_send_test(*, issue: Issue, to_email: str) -> None:
    """Send the issue as it stands now to one address (staff's own), marked as a test."""
    validate_email(to_email)
    _enqueue("send_test_issue", issue.pk, to_email)


def test_issue_send(*, issue_id: int, to_email: str) -> None:
    """The work behind `issue_send_test`, run by a worker."""
    issue = Issue.objects.get(pk=issue_id)
    rendered = rendering.render_issue_preview(issue=issue)
    rendered = rendering.RenderedEmail(
        subject=f"[Test] {rendered.subject}", html=rendered.html, text=rendered.text
    )
    _send_transactional(to_email, rendered)


def issue_schedule(*, issue_id: int, when: datetime, user: Any) -> Issue:
    """Schedule a draft to be sent at `when` (beat starts it within a minute of that time)."""
    if when <= timezone.now():
        raise ValidationError("Choose a time in the future.")
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue_id)
        if issue.status not in (Issue.Status.DRAFT, Issue.Status.SCHEDULED):
            raise IssueStateError("This issue has already been sent.")
        issue.status = Issue.Status.SCHEDULED
        issue.scheduled_at = when
        issue.sent_by = user
        issue.save(update_fields=["status", "scheduled_at", "sent_by"])
    return issue


def issue_unschedule(*, issue_id: int) -> Issue:
    """Return a scheduled issue to draft."""
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue_id)
        if issue.status != Issue.Status.SCHEDULED:
            raise IssueStateError("This issue is not scheduled.")
        issue.status = Issue.Status.DRAFT
        issue.scheduled_at = None
        issue.save(update_fields=["status", "scheduled_at"])
    return issue


def _unique_slug(issue: Issue, now: datetime) -> str:
    base = f"{timezone.localtime(now):%Y-%m-%d}-{slugify(issue.subject)[:150] or 'issue'}"
    slug, n = base, 2
    while Issue.objects.filter(slug=slug).exclude(pk=issue.pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def issue_start_sending(*, issue_id: int, user: Any = None) -> int:
    """Send an issue to every confirmed subscriber. Returns the number of recipients.

    One transaction locks the issue, moves it to "sending", freezes its content (rendered
    once, with the latest posts of this moment) and snapshots every confirmed subscriber into
    a `Delivery` row (unique per issue and subscriber, one INSERT ... SELECT). On commit, a
    dispatcher enqueues the batch tasks. An issue is sent at most once: a second call raises
    `IssueStateError`.
    """
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue_id)
        if issue.status not in (Issue.Status.DRAFT, Issue.Status.SCHEDULED):
            raise IssueStateError("This issue has already been sent.")
        now = timezone.now()
        issue.sending_started_at = now
        issue.slug = _unique_slug(issue, now)
        posts = selectors.issue_latest_posts(issue=issue) if issue.include_latest_posts else []
        issue.latest_post_ids = [post.pk for post in posts]
        rendered = rendering.render_issue(issue, posts=posts)
        issue.rendered_html, issue.rendered_text = rendered.html, rendered.text
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO newsletter_delivery (issue_id, subscriber_id, email, status,
                                                 attempts, error)
                SELECT %s, id, email, %s, 0, ''
                FROM newsletter_subscriber WHERE status = %s
                ON CONFLICT (issue_id, subscriber_id) DO NOTHING
                """,
                [issue.pk, Delivery.Status.QUEUED, Status.CONFIRMED],
            )
            issue.recipient_count = cursor.rowcount
        issue.status = Issue.Status.SENDING
        if user is not None and getattr(user, "pk", None):
            issue.sent_by = user
        issue.save()
        _enqueue("dispatch_issue", issue.pk)
    logger.info("Issue %s: sending to %s recipients", issue.pk, issue.recipient_count)
    return issue.recipient_count


def issues_start_due() -> list[int]:
    """Start every scheduled issue whose time has come (run by beat every minute)."""
    started = []
    for issue in selectors.issues_due(now=timezone.now()):
        try:
            issue_start_sending(issue_id=issue.pk, user=issue.sent_by)
        except IssueStateError:
            continue
        started.append(issue.pk)
    return started


def issue_dispatch(*, issue_id: int) -> int:
    """Enqueue enough batch tasks for the issue's queued deliveries. Returns how many."""
    queued = Delivery.objects.filter(issue_id=issue_id, status=Delivery.Status.QUEUED).count()
    if not queued:
        issue_finalise(issue_id=issue_id)
        return 0
    batches = math.ceil(queued / settings.NEWSLETTER_BATCH_SIZE)
    _enqueue_batches(issue_id, batches)
    return batches


def issue_finalise(*, issue_id: int) -> bool:
    """Mark the issue sent once no delivery is queued or in flight. Idempotent."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE newsletter_issue SET status = %s, sent_at = now()
            WHERE id = %s AND status = %s AND NOT EXISTS (
                SELECT 1 FROM newsletter_delivery
                WHERE issue_id = %s AND status IN (%s, %s))
            """,
            [
                Issue.Status.SENT,
                issue_id,
                Issue.Status.SENDING,
                issue_id,
                Delivery.Status.QUEUED,
                Delivery.Status.SENDING,
            ],
        )
        return cursor.rowcount == 1


@dataclass(frozen=True)
class ClaimedDelivery:
    id: int
    email: str
    attempts: int
    subscriber_status: str | None
    subscriber_uuid: Any


@dataclass
class BatchOutcome:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    deferred: int = 0


def _claim(issue_id: int, limit: int) -> list[ClaimedDelivery]:
    # SKIP LOCKED lets any number of batch tasks claim disjoint rows without waiting.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            WITH claimed AS (
                UPDATE newsletter_delivery SET status = %s, claimed_at = now()
                WHERE id IN (
                    SELECT id FROM newsletter_delivery
                    WHERE issue_id = %s AND status = %s
                      AND (next_attempt_at IS NULL OR next_attempt_at <= now())
                    ORDER BY id
                    LIMIT %s
                    FOR UPDATE SKIP LOCKED)
                RETURNING id, subscriber_id, email, attempts)
            SELECT c.id, c.email, c.attempts, s.status, s.uuid
            FROM claimed c LEFT JOIN newsletter_subscriber s ON s.id = c.subscriber_id
            ORDER BY c.id
            """,
            [Delivery.Status.SENDING, issue_id, Delivery.Status.QUEUED, limit],
        )
        return [ClaimedDelivery(*row) for row in cursor.fetchall()]


def _record(delivery_id: int, status: str, error: str = "") -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE newsletter_delivery
            SET status = %s, error = %s,
                sent_at = CASE WHEN %s = 'sent' THEN now() ELSE sent_at END
            WHERE id = %s AND status = %s
            """,
            [status, error[:500], status, delivery_id, Delivery.Status.SENDING],
        )


def _defer(delivery_id: int, error: str, delay: float) -> None:
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
        status=Delivery.Status.QUEUED,
        error=error[:500],
        attempts=F("attempts") + 1,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )


def _requeue(delivery_ids: list[int], error: str = "") -> None:
    if delivery_ids:
        Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.QUEUED, error=error[:500]
        )


def retry_delay(attempt: int) -> float:
    """Exponential backoff: base, 2x base, 4x base... capped."""
    base = settings.NEWSLETTER_RETRY_BASE_SECONDS
    return min(settings.NEWSLETTER_RETRY_MAX_SECONDS, base * (2 ** max(0, attempt)))


def _issue_factory(issue_id: int) -> mail.IssueMessageFactory:
    issue = Issue.objects.only(
        "pk", "subject", "rendered_html", "rendered_text", "sending_started_at"
    ).get(pk=issue_id)
    rendered = rendering.RenderedEmail(
        subject=issue.subject, html=issue.rendered_html, text=issue.rendered_text
    )
    started = int(issue.sending_started_at.timestamp()) if issue.sending_started_at else 0
    return mail.IssueMessageFactory(issue_id=issue.pk, started_at_ts=started, rendered=rendered)


@contextmanager
def _asynchronous_commit():
    """Record results without waiting for each commit to reach the disk.

    One fsync per message would cap sending at the disk's commit rate. With asynchronous commit
    a result is visible to every session (the sweeper, another worker) as soon as it is
    committed, so a worker that dies loses nothing it recorded; only a crash of PostgreSQL
    itself could forget the last fraction of a second of results (those messages would then be
    sent again, never lost).
    """
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def delivery_batch_send(*, issue_id: int, limit: int | None = None) -> BatchOutcome:
    """Claim up to `limit` queued deliveries of an issue and send them over one connection.

    Each result is recorded as soon as the server answers: sent; failed (a permanent refusal,
    whose reason is kept; a hard bounce also suppresses the address); deferred with backoff (a
    temporary refusal of one recipient); skipped (the address left the list since the issue
    was queued). If the connection fails, the unsent rows go back to the queue and
    `TransientSendError` asks the task to retry later. A row sent is never sent again: the
    claim only takes queued rows, and only a dead worker's rows are ever returned (sweeper).
    """
    outcome = BatchOutcome()
    rows = _claim(issue_id, limit or settings.NEWSLETTER_BATCH_SIZE)
    outcome.claimed = len(rows)
    if not rows:
        issue_finalise(issue_id=issue_id)
        return outcome
    factory = _issue_factory(issue_id)
    url_template = unsubscribe_url_template()
    remaining = list(rows)
    deferred_delay: float | None = None
    try:
        with mail.Sender() as sender, _asynchronous_commit():
            while remaining:
                row = remaining[0]
                if row.subscriber_status != Status.CONFIRMED:
                    _record(row.id, Delivery.Status.SKIPPED, "No longer subscribed")
                    outcome.skipped += 1
                    remaining.pop(0)
                    continue
                token = tokens.unsubscribe_token(
                    subscriber_uuid=row.subscriber_uuid, issue_id=issue_id
                )
                recipient = mail.Recipient(
                    delivery_id=row.id,
                    email=row.email,
                    unsubscribe_url=url_template.replace("TOKEN", token),
                    unsubscribe_mailto=mail.unsubscribe_mailto(token),
                )
                try:
                    sender.send(factory, recipient)
                except mail.RecipientRefused as exc:
                    _handle_refusal(row, exc, outcome)
                    if not exc.permanent and row.attempts + 1 < settings.NEWSLETTER_MAX_ATTEMPTS:
                        delay = retry_delay(row.attempts)
                        deferred_delay = min(deferred_delay or delay, delay)
                else:
                    _record(row.id, Delivery.Status.SENT)
                    outcome.sent += 1
                remaining.pop(0)
    except mail.ConnectionTrouble as exc:
        _requeue([row.id for row in remaining], str(exc))
        raise TransientSendError(str(exc)) from exc
    except BaseException:
        # Soft time limit or anything unexpected: give back what was not sent, then re-raise.
        _requeue([row.id for row in remaining], "Interrupted")
        raise
    if deferred_delay is not None:
        _enqueue_batches(issue_id, countdown=deferred_delay)
    issue_finalise(issue_id=issue_id)
    return outcome


def _handle_refusal(
    row: ClaimedDelivery, exc: mail.RecipientRefused, outcome: BatchOutcome
) -> None:
    if exc.permanent:
        _record(row.id, Delivery.Status.FAILED, str(exc))
        outcome.failed += 1
        if exc.hard_bounce:
            subscriber_suppress(email=row.email, kind=Kind.BOUNCED, reason=str(exc))
        return
    if row.attempts + 1 >= settings.NEWSLETTER_MAX_ATTEMPTS:
        _record(row.id, Delivery.Status.FAILED, f"Gave up after {row.attempts + 1} tries: {exc}")
        outcome.failed += 1
        return
    _defer(row.id, str(exc), retry_delay(row.attempts))
    outcome.deferred += 1


def unsubscribe_url_template() -> str:
    return rendering.absolute_url(reverse("newsletter:unsubscribe", kwargs={"token": "TOKEN"}))


@dataclass(frozen=True)
class SweepResult:
    returned: int
    redispatched: list[int]
    finalised: list[int]


def deliveries_sweep(*, stale_after: timedelta | None = None) -> SweepResult:
    """Recover from dead workers (run by beat every minute).

    Rows claimed longer ago than `stale_after` (longer than a batch task may live: its hard
    time limit) belong to a worker that died: they go back to the queue. An issue still
    "sending" whose queue has not moved for that long gets its batch tasks dispatched again
    (the tasks of a killed worker may be lost); one with nothing left to send is finalised.
    """
    if stale_after is None:
        stale_after = timedelta(seconds=settings.NEWSLETTER_STALE_AFTER_SECONDS)
    cutoff = timezone.now() - stale_after
    returned = Delivery.objects.filter(
        status=Delivery.Status.SENDING, claimed_at__lt=cutoff
    ).update(status=Delivery.Status.QUEUED, error="Returned to the queue by the sweeper")
    redispatched, finalised = [], []
    for issue_id in Issue.objects.filter(status=Issue.Status.SENDING).values_list("pk", flat=True):
        if issue_finalise(issue_id=issue_id):
            finalised.append(issue_id)
            continue
        progress = selectors.issue_progress(issue_id=issue_id)
        idle = progress.last_claimed_at is None or progress.last_claimed_at < cutoff
        if progress.queued and not progress.sending and idle:
            issue_dispatch(issue_id=issue_id)
            redispatched.append(issue_id)
    if returned or redispatched:
        logger.warning(
            "Sweeper returned %s deliveries; re-dispatched issues %s", returned, redispatched
        )
    return SweepResult(returned=returned, redispatched=redispatched, finalised=finalised)


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
) -> Subscriber | None:
    """Act on an email service's tracking event: suppress hard bounces and complaints.

    Unsubscribes reported by the service (its own unsubscribe link or list-unsubscribe
    handling) take the address off the list too. Other events (delivered, opened...) are not
    stored: the newsletter does not track readers.
    """
    reason = f"{esp_name}: {description}".strip(": ")
    if event_type == "complained":
        return subscriber_suppress(email=email, kind=Kind.COMPLAINED, reason=reason)
    if event_type == "bounced" and not _is_soft_bounce(esp_event):
        return subscriber_suppress(email=email, kind=Kind.BOUNCED, reason=reason)
    if event_type == "rejected" and reject_reason in ("invalid", "bounced"):
        # The service refused to send: the address is invalid or on its bounce list.
        return subscriber_suppress(email=email, kind=Kind.BOUNCED, reason=reason)
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
