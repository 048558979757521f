"""Writes: subscriptions, consent, sending issues, recording deliveries.

Views, admin views, webhooks and Celery tasks call these functions, and nothing else writes
newsletter data. One module per job, all re-exported here, so callers write
`services.subscriber_subscribe(...)` without knowing the layout:

- `subscriptions`: subscribe, confirm, unsubscribe, suppress, the consent trail, erasure;
- `emails`: the one-off emails a worker sends (confirmation, notices, test copies);
- `imports`: CSV imports from the admin;
- `issues`: an issue's life (test, schedule, start, dispatch, finish) and staff's controls;
- `delivery`: the batch engine that claims deliveries and sends them;
- `sweeper`: recovery from dead workers and lost tasks;
- `events`: what email services and bounce messages report after sending.

Services import the tasks they enqueue by name (`from newsletter.tasks import x as x_task`) and
enqueue them through the outbox, after the transaction commits; tasks import services inside
their function, so importing either module never imports the other half-made.
"""

from newsletter.services.delivery import (
    BatchOutcome,
    ClaimedDelivery,
    TransientSendError,
    delivery_batch_send,
)
from newsletter.services.emails import (
    already_subscribed_notice_send,
    confirmation_email_send,
    issue_test_copy_send,
    unsubscribe_url,
    unsubscribe_url_template,
)
from newsletter.services.events import (
    delivery_record_bounce_report,
    subscriber_record_delivery_event,
    subscriber_unsubscribe_by_mailto,
)
from newsletter.services.imports import ImportResult, subscribers_import
from newsletter.services.issues import (
    IssueStateError,
    issue_cancel,
    issue_dispatch,
    issue_finalise,
    issue_pause,
    issue_resend_failed,
    issue_resume,
    issue_schedule,
    issue_send_test,
    issue_start_sending,
    issue_unschedule,
    issues_start_due,
)
from newsletter.services.subscriptions import (
    member_has_verified_email,
    subscriber_confirm,
    subscriber_erase_for_user,
    subscriber_lift_suppression,
    subscriber_record_refusal,
    subscriber_subscribe,
    subscriber_subscribe_member,
    subscriber_suppress,
    subscriber_unsubscribe,
    subscriber_unsubscribe_by_token,
    subscriber_unsubscribe_member,
    subscribers_purge_pending,
)
from newsletter.services.sweeper import SweepResult, deliveries_sweep

__all__ = [
    "BatchOutcome",
    "ClaimedDelivery",
    "ImportResult",
    "IssueStateError",
    "SweepResult",
    "TransientSendError",
    "already_subscribed_notice_send",
    "confirmation_email_send",
    "deliveries_sweep",
    "delivery_batch_send",
    "delivery_record_bounce_report",
    "issue_cancel",
    "issue_dispatch",
    "issue_finalise",
    "issue_pause",
    "issue_resend_failed",
    "issue_resume",
    "issue_schedule",
    "issue_send_test",
    "issue_start_sending",
    "issue_test_copy_send",
    "issue_unschedule",
    "issues_start_due",
    "member_has_verified_email",
    "subscriber_confirm",
    "subscriber_erase_for_user",
    "subscriber_lift_suppression",
    "subscriber_record_delivery_event",
    "subscriber_record_refusal",
    "subscriber_subscribe",
    "subscriber_subscribe_member",
    "subscriber_suppress",
    "subscriber_unsubscribe",
    "subscriber_unsubscribe_by_mailto",
    "subscriber_unsubscribe_by_token",
    "subscriber_unsubscribe_member",
    "subscribers_import",
    "subscribers_purge_pending",
    "unsubscribe_url",
    "unsubscribe_url_template",
]
