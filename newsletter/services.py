"""Writes: subscriptions, consent, sending issues, recording deliveries.

Views, admin views, webhooks and Celery tasks call these functions and nothing else writes
newsletter data. Tasks that a request asks for go through the outbox (`_enqueue`: written in
the request's transaction, handed to Celery after the commit), with ids, never objects.
"""

from __future__ import annotations

import contextlib
import logging
import math
import uuid
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from icmec.text import clean_text
from newsletter import bounces, interruptions, leases, mail, rendering, retry, selectors, tokens
from newsletter.models import Delivery, Issue, Subscriber, SubscriptionEvent
from outbox.services import enqueue

logger = logging.getLogger(__name__)

Status = Subscriber.Status
Kind = SubscriptionEvent.Kind


class IssueStateError(Exception):
    """The issue is not in a state that allows this (e.g. it has already been sent)."""


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
        _event(subscriber, kind, detail=reason[:500], issue_id=issue_id)
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
    _event(subscriber, Kind.REFUSED, detail=reason[:500], issue_id=issue_id)
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
        _event(subscriber, Kind.LIFTED, source="staff", actor=actor, detail=detail[:500])
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
        # No name in it: the address is not confirmed yet, so whatever name was typed with it
        # must not reach its inbox (it would let anyone mail their words to any address).
        rendered = rendering.render_transactional("confirm", {"confirm_url": confirm_url})
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
                                                 attempts, error, temporary_failure)
                SELECT %s, id, email, %s, 0, '', false
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
    """Enqueue enough batch tasks for the issue's queued deliveries that are due. Returns how many.

    Safe to run again: a batch task that finds nothing to claim ends at once.
    """
    if not Issue.objects.filter(pk=issue_id, status=Issue.Status.SENDING).exists():
        return 0
    now = timezone.now()
    due = (
        Delivery.objects.filter(issue_id=issue_id, status=Delivery.Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .count()
    )
    if not due:
        issue_finalise(issue_id=issue_id)
        return 0
    # A few chains of batches, each batch enqueueing its successor: the broker holds a handful
    # of tasks per issue, not one per batch, and a send keeps moving one batch at a time even
    # through a worker that takes a single task per publication (as after a broker restart).
    batches = min(math.ceil(due / settings.NEWSLETTER_BATCH_SIZE), settings.NEWSLETTER_CHAINS)
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


# --- Staff controls of a send --------------------------------------------------------------


def issue_pause(*, issue_id: int, reason: str = "") -> Issue:
    """Stop sending for now: batches stop before their next message and give back their rows.

    `reason` (e.g. the server refused the login) is shown on the report.
    """
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue_id)
        if issue.status != Issue.Status.SENDING:
            raise IssueStateError("Only an issue being sent can be paused.")
        issue.status = Issue.Status.PAUSED
        fields = ["status"]
        if reason:
            issue.last_error, issue.last_error_at = reason[:500], timezone.now()
            fields += ["last_error", "last_error_at"]
        issue.save(update_fields=fields)
    return issue


def issue_resume(*, issue_id: int) -> Issue:
    """Go on sending a paused issue (its batch tasks are dispatched again)."""
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue_id)
        if issue.status != Issue.Status.PAUSED:
            raise IssueStateError("Only a paused issue can be resumed.")
        issue.status = Issue.Status.SENDING
        issue.save(update_fields=["status"])
        _enqueue("dispatch_issue", issue.pk)
    return issue


def issue_cancel(*, issue_id: int) -> int:
    """Send nothing more of this issue. Returns how many deliveries will not be sent.

    Queued rows are marked "not sent" at once; a batch in flight marks its own remaining rows
    before its next message.
    """
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue_id)
        if issue.status not in (Issue.Status.SENDING, Issue.Status.PAUSED):
            raise IssueStateError("Only an issue being sent or paused can be cancelled.")
        issue.status = Issue.Status.CANCELLED
        issue.cancelled_at = timezone.now()
        issue.save(update_fields=["status", "cancelled_at"])
        return Delivery.objects.filter(issue=issue, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.CANCELLED, error="Cancelled by staff"
        )


def issue_resend_failed(*, issue_id: int) -> int:
    """Try again now the deliveries that failed temporarily (refused for a day) and those
    waiting for their next retry: staff fixed the problem. Returns how many.

    Recipients who left the list meanwhile are skipped as usual; nothing already sent is sent
    again.
    """
    with transaction.atomic():
        issue = Issue.objects.select_for_update().get(pk=issue_id)
        if issue.status not in (Issue.Status.SENDING, Issue.Status.SENT):
            raise IssueStateError("Only an issue being sent or sent can be resent.")
        now = timezone.now()
        again = Delivery.objects.filter(
            issue=issue, status=Delivery.Status.FAILED, temporary_failure=True
        ).update(
            status=Delivery.Status.QUEUED,
            attempts=0,
            next_attempt_at=None,
            temporary_failure=False,
            error="",
        )
        again += Delivery.objects.filter(
            issue=issue, status=Delivery.Status.QUEUED, next_attempt_at__gt=now
        ).update(next_attempt_at=now)
        if again:
            if issue.status == Issue.Status.SENT:
                issue.status, issue.sent_at = Issue.Status.SENDING, None
                issue.save(update_fields=["status", "sent_at"])
            _enqueue("dispatch_issue", issue.pk)
    return again


def _note_issue_error(issue_id: int, error: str) -> None:
    Issue.objects.filter(pk=issue_id).update(last_error=error[:500], last_error_at=timezone.now())


# --- Batches ---------------------------------------------------------------------------------


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
    cancelled: int = 0
    # Why the batch stopped early: "paused", "cancelled", "lease lost", "terminated".
    stopped: str = ""


def _claim(issue_id: int, limit: int, owner: uuid.UUID | None = None) -> list[ClaimedDelivery]:
    # SKIP LOCKED lets any number of batch tasks claim disjoint rows without waiting.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            WITH claimed AS (
                UPDATE newsletter_delivery
                SET status = %s, claimed_at = now(), lease_owner = %s,
                    lease_expires_at = now() + make_interval(secs => %s)
                WHERE id IN (
                    SELECT id FROM newsletter_delivery
                    WHERE issue_id = %s AND status = %s
                      AND (next_attempt_at IS NULL OR next_attempt_at <= now())
                    ORDER BY id
                    LIMIT %s
                    FOR UPDATE SKIP LOCKED)
                  AND EXISTS (SELECT 1 FROM newsletter_issue WHERE id = %s AND status = %s)
                RETURNING id, subscriber_id, email, attempts)
            SELECT c.id, c.email, c.attempts, s.status, s.uuid
            FROM claimed c LEFT JOIN newsletter_subscriber s ON s.id = c.subscriber_id
            ORDER BY c.id
            """,
            [
                Delivery.Status.SENDING,
                owner or uuid.uuid4(),
                settings.NEWSLETTER_LEASE_SECONDS,
                issue_id,
                Delivery.Status.QUEUED,
                limit,
                issue_id,
                Issue.Status.SENDING,
            ],
        )
        return [ClaimedDelivery(*row) for row in cursor.fetchall()]


class _Batch:
    """The rows one batch task holds under its lease, and what it records about them."""

    def __init__(self, issue_id: int, owner: uuid.UUID) -> None:
        self.issue_id = issue_id
        self.owner = owner

    def current_state(self, delivery_id: int) -> tuple[str | None, str] | None:
        """Right before a message goes to the server: the subscriber's status and the issue's,
        or None when this batch no longer holds the row. One lookup by primary keys."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT s.status, i.status
                FROM newsletter_delivery d
                JOIN newsletter_issue i ON i.id = d.issue_id
                LEFT JOIN newsletter_subscriber s ON s.id = d.subscriber_id
                WHERE d.id = %s AND d.status = %s AND d.lease_owner = %s
                """,
                [delivery_id, Delivery.Status.SENDING, self.owner],
            )
            return cursor.fetchone()

    def record(self, delivery_id: int, status: str, error: str = "", **extra: Any) -> None:
        Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.SENDING, lease_owner=self.owner
        ).update(
            status=status,
            error=error[:500],
            sent_at=timezone.now() if status == Delivery.Status.SENT else None,
            lease_owner=None,
            lease_expires_at=None,
            **extra,
        )

    def record_sent(self, delivery_id: int) -> None:
        # The hot path: one plain statement per message.
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE newsletter_delivery
                SET status = %s, error = '', sent_at = now(), lease_owner = NULL,
                    lease_expires_at = NULL
                WHERE id = %s AND status = %s AND lease_owner = %s
                """,
                [Delivery.Status.SENT, delivery_id, Delivery.Status.SENDING, self.owner],
            )

    def defer(self, delivery_id: int, error: str, delay: float) -> None:
        Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.SENDING, lease_owner=self.owner
        ).update(
            status=Delivery.Status.QUEUED,
            error=error[:500],
            attempts=F("attempts") + 1,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            lease_owner=None,
            lease_expires_at=None,
        )

    def give_back(
        self, delivery_ids: list[int], error: str = "", *, status: str = Delivery.Status.QUEUED
    ) -> int:
        """Return rows this batch did not send (to the queue, or as cancelled)."""
        if not delivery_ids:
            return 0
        fields: dict[str, Any] = {"status": status, "lease_owner": None, "lease_expires_at": None}
        if error:
            fields["error"] = error[:500]
        return Delivery.objects.filter(
            pk__in=delivery_ids, status=Delivery.Status.SENDING, lease_owner=self.owner
        ).update(**fields)


def retry_delay(attempt: int) -> float:
    """Exponential backoff, capped (see `newsletter.retry`)."""
    return retry.policy().delay(attempt)


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


class TransientSendError(Exception):
    """The mail server is unreachable or busy: the batch should be retried after `delay` s."""

    def __init__(self, message: str, delay: float = 0.0) -> None:
        super().__init__(message)
        self.delay = delay


def delivery_batch_send(
    *, issue_id: int, limit: int | None = None, attempt: int = 0
) -> BatchOutcome:
    """Claim up to `limit` queued deliveries of an issue and send them over one connection.

    The batch holds a lease on the rows it claimed, renewed by a heartbeat while it sends, so
    that only a dead worker's rows are ever given to another batch (by the sweeper). Right
    before each message it looks up the subscriber and the issue (one query by primary keys):
    an address that left the list meanwhile is skipped; a paused issue gives its rows back to
    the queue, a cancelled one marks them "not sent"; a row whose lease was lost is left alone.

    Each result is recorded as soon as the server answers: sent; failed (a permanent refusal,
    whose reason is kept; a hard bounce also suppresses the address); deferred with backoff (a
    temporary refusal of one recipient, retried for up to a day, see `newsletter.retry`). If
    the connection fails, the unsent rows wait in the queue for the retry and
    `TransientSendError` asks the task to retry then (`attempt` is the task's retry count). If
    the server refuses the login, the issue is paused with that reason: retrying cannot help.
    """
    outcome = BatchOutcome()
    owner = uuid.uuid4()
    rows = _claim(issue_id, limit or settings.NEWSLETTER_BATCH_SIZE, owner)
    outcome.claimed = len(rows)
    if not rows:
        issue_finalise(issue_id=issue_id)
        return outcome
    # SIGTERM waits for the message in flight to be recorded (see `newsletter.interruptions`).
    with interruptions.DeferredTermination() as termination:
        return _batch_send_rows(
            issue_id, rows, owner, outcome, attempt=attempt, termination=termination
        )


def _batch_send_rows(
    issue_id: int,
    rows: list,
    owner: uuid.UUID,
    outcome: BatchOutcome,
    *,
    attempt: int,
    termination: interruptions.DeferredTermination,
) -> BatchOutcome:
    batch = _Batch(issue_id, owner)
    factory = _issue_factory(issue_id)
    url_template = unsubscribe_url_template()
    policy = retry.policy()
    remaining = list(rows)
    deferred_delay: float | None = None
    last_error = ""
    try:
        with (
            leases.Heartbeat(owner=owner, delivery_ids=[row.id for row in rows]),
            mail.Sender() as sender,
            _asynchronous_commit(),
        ):
            while remaining and not termination.requested:
                row = remaining[0]
                state = batch.current_state(row.id)
                if state is None:
                    outcome.stopped = "lease lost"
                    remaining = []
                    break
                subscriber_status, issue_status = state
                if issue_status != Issue.Status.SENDING:
                    outcome.stopped = issue_status
                    break
                if subscriber_status != Status.CONFIRMED:
                    batch.record(row.id, Delivery.Status.SKIPPED, "No longer subscribed")
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
                    last_error = str(exc)
                    _handle_refusal(batch, row, exc, outcome, policy)
                    if not exc.permanent and not policy.gives_up(row.attempts + 1):
                        delay = policy.delay(row.attempts)
                        deferred_delay = min(deferred_delay or delay, delay)
                else:
                    batch.record_sent(row.id)
                    outcome.sent += 1
                remaining.pop(0)
    except mail.LoginRefused as exc:
        batch.give_back([row.id for row in remaining], f"Login refused: {exc}")
        reason = (
            f"The mail server refused the login ({exc}): check the user name and password in "
            "EMAIL_URL, then resume the send."
        )
        logger.error("Issue %s paused: %s", issue_id, reason)
        with contextlib.suppress(IssueStateError):
            issue_pause(issue_id=issue_id, reason=reason)
        outcome.stopped = "paused"
        return outcome
    except mail.ConnectionTrouble as exc:
        delay = policy.delay(attempt)
        unsent = [row.id for row in remaining]
        batch.give_back(unsent, str(exc))
        Delivery.objects.filter(pk__in=unsent, status=Delivery.Status.QUEUED).update(
            next_attempt_at=timezone.now() + timedelta(seconds=delay)
        )
        _note_issue_error(issue_id, str(exc))
        raise TransientSendError(str(exc), delay=delay) from exc
    except BaseException:
        # Soft time limit or anything unexpected: give back what was not sent, then re-raise.
        batch.give_back([row.id for row in remaining], "Interrupted")
        raise
    if termination.requested and remaining:
        # The process is being terminated: the rows not yet sent go back to the queue at once
        # (rather than when the lease runs out). No task is enqueued here (the broker may be
        # what went away): the sweeper sends them.
        outcome.stopped = "terminated"
        batch.give_back([row.id for row in remaining], "Interrupted")
        return outcome
    if outcome.stopped == Issue.Status.CANCELLED:
        outcome.cancelled = batch.give_back(
            [row.id for row in remaining], "Cancelled by staff", status=Delivery.Status.CANCELLED
        )
    elif outcome.stopped == Issue.Status.PAUSED:
        batch.give_back([row.id for row in remaining])
    if last_error:
        _note_issue_error(issue_id, last_error)
    if deferred_delay is not None:
        _enqueue_batches(issue_id, countdown=deferred_delay)
    if not outcome.stopped and _has_due_deliveries(issue_id):
        _enqueue_batches(issue_id)  # this chain's next batch
    issue_finalise(issue_id=issue_id)
    return outcome


def _has_due_deliveries(issue_id: int) -> bool:
    return (
        Delivery.objects.filter(issue_id=issue_id, status=Delivery.Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
        .exists()
    )


def _handle_refusal(
    batch: _Batch,
    row: ClaimedDelivery,
    exc: mail.RecipientRefused,
    outcome: BatchOutcome,
    policy: retry.RetryPolicy,
) -> None:
    if exc.permanent:
        batch.record(row.id, Delivery.Status.FAILED, str(exc))
        outcome.failed += 1
        # Only a dead mailbox is suppressed; a policy refusal (DMARC, blocklist) is recorded.
        if bounces.classify(code=exc.code, text=exc.text).suppress:
            subscriber_suppress(email=row.email, kind=Kind.BOUNCED, reason=str(exc))
        return
    tries = row.attempts + 1
    if policy.gives_up(tries):
        hours = policy.retry_for_seconds / 3600
        batch.record(
            row.id,
            Delivery.Status.FAILED,
            f"Refused temporarily for {hours:g} hours ({tries} tries): {exc}",
            temporary_failure=True,
        )
        outcome.failed += 1
        return
    batch.defer(row.id, str(exc), policy.delay(row.attempts))
    outcome.deferred += 1


def unsubscribe_url_template() -> str:
    return rendering.absolute_url(reverse("newsletter:unsubscribe", kwargs={"token": "TOKEN"}))


@dataclass(frozen=True)
class SweepResult:
    returned: int
    redispatched: list[int]
    finalised: list[int]


def deliveries_sweep() -> SweepResult:
    """Recover from dead workers and lost tasks (run by beat every 15 seconds).

    Rows whose lease has expired belong to a batch whose worker died (a live one renews its
    lease while it sends): they go back to the queue, and batch tasks are enqueued for them at
    once (the dead batch's task is gone, or comes back later and finds nothing to claim). An
    issue still "sending" with deliveries due, no live lease and no claim for a lease's length
    has lost its batch tasks (a broker that restarted empty): they are dispatched again. One
    with nothing left to send is finalised.
    """
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE newsletter_delivery
            SET status = %s, lease_owner = NULL, lease_expires_at = NULL,
                error = 'Returned to the queue: its worker stopped'
            WHERE status = %s AND (lease_expires_at < %s OR lease_expires_at IS NULL)
            RETURNING issue_id
            """,
            [Delivery.Status.QUEUED, Delivery.Status.SENDING, now],
        )
        returned_by_issue = Counter(issue_id for (issue_id,) in cursor.fetchall())
    sending = set(Issue.objects.filter(status=Issue.Status.SENDING).values_list("pk", flat=True))
    redispatched, finalised = [], []
    for issue_id in sorted(returned_by_issue):
        if issue_id in sending:
            # The dead worker's other tasks (prefetched, retries) may be gone with it: dispatch
            # every due row (a task too many finds nothing to claim and ends).
            issue_dispatch(issue_id=issue_id)
            redispatched.append(issue_id)
    idle_since = now - timedelta(seconds=settings.NEWSLETTER_LEASE_SECONDS)
    for issue_id in sorted(sending - set(redispatched)):
        if issue_finalise(issue_id=issue_id):
            finalised.append(issue_id)
            continue
        state = selectors.issue_activity(issue_id=issue_id, now=now)
        idle = state.last_claimed_at is None or state.last_claimed_at < idle_since
        if state.due and not state.live_leases and idle:
            issue_dispatch(issue_id=issue_id)
            redispatched.append(issue_id)
    returned = sum(returned_by_issue.values())
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
        email = delivery.subscriber.email if delivery.subscriber_id else ""
        issue_id = delivery.issue_id
    if not email:
        return None
    if verdict.suppress:
        return subscriber_suppress(email=email, kind=Kind.BOUNCED, reason=reason, issue_id=issue_id)
    return subscriber_record_refusal(email=email, reason=reason, issue_id=issue_id)
