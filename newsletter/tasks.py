"""Celery tasks: thin wrappers that take ids and call services. Every one is safe to run twice.

Every task follows the project's one retry policy (`icmec.celery.RETRY_POLICY`: transient
errors retried with backoff, acknowledged late, put back on the queue if the worker dies) but
`send_batch`, whose retries follow the delivery rows' own schedule (`newsletter.retry`); the
delivery rows record what was sent, so a task that runs again never sends twice.

Services import these tasks by name to enqueue them; each task imports the services it calls
inside its function, so that neither module needs the other to be loaded first.
"""

from __future__ import annotations

import random
from typing import Any

from celery import Task, shared_task

from icmec.celery import RELIABLE, RETRY_POLICY


@shared_task(**RETRY_POLICY)
def send_confirmation(subscriber_id: int, source: str, requested_at: str = "") -> bool:
    from newsletter.services.emails import confirmation_email_send

    return confirmation_email_send(
        subscriber_id=subscriber_id, source=source, requested_at=requested_at
    )


@shared_task(**RETRY_POLICY)
def send_already_subscribed_notice(subscriber_id: int) -> bool:
    from newsletter.services.emails import already_subscribed_notice_send

    return already_subscribed_notice_send(subscriber_id=subscriber_id)


@shared_task(**RETRY_POLICY)
def send_test_issue(issue_id: int, to_email: str) -> None:
    from newsletter.services.emails import issue_test_copy_send

    issue_test_copy_send(issue_id=issue_id, to_email=to_email)


@shared_task(**RETRY_POLICY)
def dispatch_issue(issue_id: int) -> int:
    from newsletter.services.issues import issue_dispatch

    return issue_dispatch(issue_id=issue_id)


@shared_task(bind=True, **RELIABLE, max_retries=None)
def send_batch(self: Task, issue_id: int) -> dict[str, Any]:
    from newsletter.services.delivery import TransientSendError, delivery_batch_send

    try:
        outcome = delivery_batch_send(issue_id=issue_id, attempt=self.request.retries)
    except TransientSendError as exc:
        # Jitter spreads the retries of many batches so they do not hit the server at once (the
        # rows wait until exc.delay: a retry that comes early just finds them not yet due).
        countdown = exc.delay * random.uniform(1.0, 1.2)  # noqa: S311
        raise self.retry(exc=exc, countdown=countdown) from exc
    return outcome.__dict__


@shared_task(**RETRY_POLICY)
def send_scheduled_issues() -> list[int]:
    from newsletter.services.issues import issues_start_due

    return issues_start_due()


@shared_task(**RETRY_POLICY)
def sweep_deliveries() -> dict[str, Any]:
    from newsletter.services.sweeper import deliveries_sweep

    return deliveries_sweep().__dict__


@shared_task(**RETRY_POLICY)
def purge_pending_subscribers() -> int:
    from newsletter.services.subscriptions import subscribers_purge_pending

    return subscribers_purge_pending()
