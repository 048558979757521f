"""The delivery engine: a batch task claims queued rows with raw SQL (`FOR UPDATE SKIP LOCKED`,
under a lease its heartbeat renews), sends them over one connection and records each result as
the server answers.

The hot path is plain SQL by primary key, one statement per message, so that sending is bound
by the mail server and not by the ORM. What happens to a row is decided here; how a message is
assembled and talked to the server is `newsletter.mail`'s, and the backoff is `newsletter.retry`'s.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from newsletter import bounces, interruptions, leases, mail, rendering, retry, tokens
from newsletter.models import Delivery, Issue, Subscriber, SubscriptionEvent
from newsletter.services.emails import unsubscribe_url_template
from newsletter.services.issues import (
    IssueStateError,
    enqueue_batches,
    issue_finalise,
    issue_pause,
    note_issue_error,
)
from newsletter.services.subscriptions import subscriber_suppress

logger = logging.getLogger(__name__)

Status = Subscriber.Status
Kind = SubscriptionEvent.Kind


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
def _asynchronous_commit() -> Iterator[None]:
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
    rows: list[ClaimedDelivery],
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
        note_issue_error(issue_id, str(exc))
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
        note_issue_error(issue_id, last_error)
    if deferred_delay is not None:
        enqueue_batches(issue_id, countdown=deferred_delay)
    if not outcome.stopped and _has_due_deliveries(issue_id):
        enqueue_batches(issue_id)  # this chain's next batch
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
