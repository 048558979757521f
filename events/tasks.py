"""Celery tasks of the events app: thin, they take ids and call a service; safe to run twice
(the ledger records what was sent).

Services import these tasks by name to enqueue them; each task imports the service it calls
inside its function.
"""

from __future__ import annotations

from celery import shared_task

RELIABLE = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(**RELIABLE, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def send_booking_email(email_id: int) -> bool:
    from events.services.emails import booking_email_send

    return booking_email_send(email_id=email_id)
