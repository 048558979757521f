"""Celery tasks of the events app: thin, they take ids and call a service; safe to run twice
(the ledger records what was sent).

Services import these tasks by name to enqueue them; each task imports the service it calls
inside its function. Beat runs the two that write the emails of an event's life
(`CELERY_BEAT_SCHEDULE` in icmec/settings/components/celery.py).
"""

from __future__ import annotations

from celery import shared_task

RELIABLE = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(**RELIABLE, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def send_booking_email(email_id: int) -> bool:
    from events.services.emails import booking_email_send

    return booking_email_send(email_id=email_id)


@shared_task(**RELIABLE, autoretry_for=(Exception,), retry_backoff=True, max_retries=8)
def send_booking_emails(email_ids: list[int]) -> int:
    """Hand each of many ledger rows (a message to every attendee, a cancellation) to a task of
    its own, from the worker: the request that decided them queues this one task, not one per
    attendee. Run twice, it queues them twice, and each is still sent once."""
    for email_id in email_ids:
        send_booking_email.delay(email_id)
    return len(email_ids)


@shared_task(**RELIABLE)
def queue_reminders() -> int:
    """The reminders a day and an hour before each event, to whoever holds a place."""
    from events.services.lifecycle import reminders_queue

    return reminders_queue()


@shared_task(**RELIABLE)
def queue_follow_ups() -> int:
    """The follow-up of each event that has just ended, with its recording's link."""
    from events.services.lifecycle import follow_ups_queue

    return follow_ups_queue()
