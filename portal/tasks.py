"""Celery tasks of the portal: thin wrappers that take ids and call the notification services.

They import the services inside the function (the services import the tasks they queue at the
top of their modules, by name).

They follow the project's one retry policy (`icmec.celery.RETRY_POLICY`), with the transient
error re-raised without its text (which can quote an address); every task is safe to run twice
(the services record what was sent).
"""

from __future__ import annotations

import functools
import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings

from icmec.celery import RETRY_POLICY, TRANSIENT_ERRORS, Task

logger = logging.getLogger(__name__)


class NotificationTask(Task):
    """Logs each failed attempt of an email task and its final failure, with the task's id and
    its integer arguments (ids) only: never an address or a message's text.

    Built on the project's task class, whose hooks tell the outbox that a worker took the task
    (on Celery's own, the relay would hand the same email task over again and again)."""

    def _ids(self, args) -> list[int]:
        return [arg for arg in args or () if isinstance(arg, int)]

    def on_retry(self, exc, task_id, args, kwargs, einfo):
        logger.warning(
            "notification %s%s failed, will retry (task %s): %s",
            self.name,
            self._ids(args),
            task_id,
            exc if isinstance(exc, DeliveryFailed) else type(exc).__name__,
        )

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error(
            "notification %s%s failed for good (task %s): %s",
            self.name,
            self._ids(args),
            task_id,
            exc if isinstance(exc, DeliveryFailed) else type(exc).__name__,
        )


class DeliveryFailed(Exception):
    """A transient failure to send, carrying only the original exception's class: an SMTP
    error's text can quote an address, and Celery logs the text of what a task raised."""


def _scrubbed(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except TRANSIENT_ERRORS as exc:
            raise DeliveryFailed(type(exc).__name__) from None

    return wrapper


RETRY = {**RETRY_POLICY, "base": NotificationTask, "autoretry_for": (DeliveryFailed,)}


def notification_task(func):
    """An email task: retried with backoff on transient failures, logged with ids only."""
    return shared_task(**RETRY)(_scrubbed(func))


@notification_task
def send_decision_email(decision_id: int) -> bool:
    from portal import notifications

    return notifications.decision_email_send(decision_id=decision_id)


@notification_task
def send_connection_request_email(request_id: int) -> bool:
    from portal import notifications

    return notifications.connection_request_email_send(request_id=request_id)


@notification_task
def send_connection_accepted_email(request_id: int) -> bool:
    from portal import notifications

    return notifications.connection_accepted_email_send(request_id=request_id)


@notification_task
def send_message_digest(user_id: int) -> int:
    from portal import notifications

    return notifications.message_digest_send(user_id=user_id)


@shared_task(**RETRY_POLICY)
def send_message_digests() -> int:
    """Periodic (Celery beat): one digest task per member with unread, un-emailed messages."""
    from portal import services

    grace = timedelta(minutes=max(1, settings.PORTAL_MESSAGE_DIGEST_MINUTES // 5))
    recipients = services.message_digest_recipients(older_than=grace)
    for user_id in recipients:
        send_message_digest.delay(user_id)
    return len(recipients)


@notification_task
def notify_reviewers_of_application(membership_id: int) -> bool:
    from portal import notifications

    return notifications.reviewers_new_application_send(membership_id=membership_id)


@notification_task
def notify_reviewers_of_report(report_id: int) -> bool:
    from portal import notifications

    return notifications.reviewers_new_report_send(report_id=report_id)


@notification_task
def send_report_closed_email(report_id: int) -> bool:
    from portal import notifications

    return notifications.report_closed_email_send(report_id=report_id)


@shared_task
def purge_safeguarding_records() -> dict[str, int]:
    """Periodic (Celery beat, nightly): delete safeguarding records, resolved reports and the
    decisions of erased accounts once the retention period is over."""
    from portal import safeguarding

    return safeguarding.records_purge()


@notification_task
def send_account_email(subject: str, body: str, to: list[str], html: str = "") -> None:
    """An account email (verification, password reset) rendered by allauth in the request.

    It carries the text, not ids: allauth's keys and links are made at render time.
    """
    from portal import notifications

    notifications.send_plain(subject=subject, body=body, to=to, html=html)
