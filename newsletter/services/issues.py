"""An issue's life: test copy, schedule, start sending, dispatch, finish; and staff's controls
of a send under way (pause, resume, cancel, resend what failed).

Starting a send writes every delivery in one transaction and enqueues the dispatcher after the
commit; the dispatcher enqueues a few chains of batch tasks (see `services.delivery`).
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from newsletter import rendering, selectors
from newsletter.models import Delivery, Issue, Subscriber
from newsletter.tasks import dispatch_issue as dispatch_issue_task
from newsletter.tasks import send_batch as send_batch_task
from newsletter.tasks import send_test_issue as send_test_issue_task
from outbox.services import enqueue

logger = logging.getLogger(__name__)

Status = Subscriber.Status


class IssueStateError(Exception):
    """The issue is not in a state that allows this (e.g. it has already been sent)."""


def enqueue_batches(issue_id: int, count: int = 1, *, countdown: float | None = None) -> None:
    """Batch tasks go straight to the broker: they are enqueued by workers, never by a request,
    and the sweeper sends again whatever a broker loses (the rows say what is left)."""
    for _ in range(count):
        send_batch_task.apply_async(args=(issue_id,), countdown=countdown)


def issue_send_test(*, issue: Issue, to_email: str) -> None:
    """Staff ask for a test copy of the issue as it stands now, sent to one address (their own)
    by a worker (`issue_test_copy_send`)."""
    validate_email(to_email)
    enqueue(send_test_issue_task, issue.pk, to_email)


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
        enqueue(dispatch_issue_task, issue.pk)
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
    enqueue_batches(issue_id, batches)
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
        enqueue(dispatch_issue_task, issue.pk)
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
            enqueue(dispatch_issue_task, issue.pk)
    return again


def note_issue_error(issue_id: int, error: str) -> None:
    """Keep what went wrong last while sending, for the issue's report."""
    Issue.objects.filter(pk=issue_id).update(last_error=error[:500], last_error_at=timezone.now())
