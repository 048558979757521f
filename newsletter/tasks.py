"""Celery tasks: thin wrappers that take ids and call services. Every one is safe to run twice.

Sending tasks acknowledge late and are rejected back to the queue if their worker dies, so a
task is never lost with its worker; the delivery rows record what was sent, so a task that runs
again never sends twice what is recorded as sent.
"""

from __future__ import annotations

import random

from celery import shared_task

from newsletter import services

RELIABLE = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(**RELIABLE, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def send_confirmation(subscriber_id: int, source: str, requested_at: str = "") -> bool:
    return services.confirmation_email_send(
        subscriber_id=subscriber_id, source=source, requested_at=requested_at
    )


@shared_task(**RELIABLE, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def send_already_subscribed_notice(subscriber_id: int) -> bool:
    return services.already_subscribed_notice_send(subscriber_id=subscriber_id)


@shared_task(**RELIABLE, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def send_test_issue(issue_id: int, to_email: str) -> None:
    services.test_issue_send(issue_id=issue_id, to_email=to_email)


@shared_task(**RELIABLE)
def dispatch_issue(issue_id: int) -> int:
    return services.issue_dispatch(issue_id=issue_id)


@shared_task(bind=True, **RELIABLE, max_retries=None)
def send_batch(self, issue_id: int) -> dict:
    try:
        outcome = services.delivery_batch_send(issue_id=issue_id, attempt=self.request.retries)
    except services.TransientSendError as exc:
        # Jitter spreads the retries of many batches so they do not hit the server at once (the
        # rows wait until exc.delay: a retry that comes early just finds them not yet due).
        countdown = exc.delay * random.uniform(1.0, 1.2)  # noqa: S311
        raise self.retry(exc=exc, countdown=countdown) from exc
    return outcome.__dict__


@shared_task(**RELIABLE)
def send_scheduled_issues() -> list[int]:
    return services.issues_start_due()


@shared_task(**RELIABLE)
def sweep_deliveries() -> dict:
    result = services.deliveries_sweep()
    return result.__dict__


@shared_task(**RELIABLE)
def purge_pending_subscribers() -> int:
    return services.subscribers_purge_pending()
