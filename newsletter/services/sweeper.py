"""The sweeper (Celery beat, every 15 seconds): what dead workers and lost tasks leave behind
goes back to work, so a send always finishes without staff stepping in."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from newsletter import selectors
from newsletter.models import Delivery, Issue
from newsletter.services.issues import issue_dispatch, issue_finalise

logger = logging.getLogger(__name__)


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
    redispatched: list[int] = []
    finalised: list[int] = []
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
