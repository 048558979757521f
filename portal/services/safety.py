"""Blocks and reports: a member keeping another away, and telling staff about them."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal import access, safeguarding, selectors
from portal.models import (
    Block,
    Connection,
    ConnectionRequest,
    Report,
    ReportedMessage,
    SafeguardingRecord,
    User,
)
from portal.services.guards import require_participant
from portal.services.queueing import enqueue_unless_suppressed
from portal.tasks import notify_reviewers_of_report as notify_reviewers_of_report_task
from portal.tasks import send_report_closed_email as send_report_closed_email_task

logger = logging.getLogger(__name__)


@transaction.atomic
def member_block(*, blocker: User, blocked: User) -> Block:
    """Block a member: it ends any connection and open request between the two, and neither
    can find, ask or message the other any more."""
    if blocker.pk == blocked.pk:
        raise ValidationError("You cannot block yourself.")
    require_participant(blocker)
    block, _ = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    Connection.objects.filter(
        Q(user=blocker, peer=blocked) | Q(user=blocked, peer=blocker)
    ).delete()
    ConnectionRequest.objects.filter(
        Q(sender=blocker, recipient=blocked) | Q(sender=blocked, recipient=blocker),
        status=ConnectionRequest.Status.PENDING,
    ).update(status=ConnectionRequest.Status.WITHDRAWN, responded_at=timezone.now())
    access.forget_access(blocker, blocked)
    return block


def member_unblock(*, blocker: User, blocked: User) -> None:
    """Lift a block. The connection it ended is not restored."""
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    access.forget_access(blocker, blocked)


@transaction.atomic
def member_report(
    *, reporter: User, reported: User, reason: str, details: str, share_conversation: bool
) -> Report:
    """Report a member to staff. The reporter may share their conversation with them, which is
    the only way staff can read it: the messages are copied as they are now, so staff never see
    what was written after the report, and the copy survives either side's erasure.

    The report is linked to a safeguarding record of the reported person (and grouped with the
    other reports about them by the hash of their address), which outlives both accounts."""
    require_participant(reporter)
    if reporter.pk == reported.pk:
        raise ValidationError("You cannot report yourself.")
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": "Choose a reason from the list."})
    if not details.strip():
        raise ValidationError({"details": "Tell us what happened."})
    conversation = (
        selectors.conversation_between(reporter, reported) if share_conversation else None
    )
    record = safeguarding.record_create(
        user=reported,
        kind=SafeguardingRecord.Kind.REPORTED,
        reason=str(Report.Reason(reason).label),
    )
    report = Report.objects.create(
        reporter=reporter,
        reported=reported,
        reason=reason,
        details=details.strip(),
        conversation_shared=conversation is not None,
        subject_hash=record.email_hash,
        safeguarding_record=record,
    )
    if conversation is not None:
        ReportedMessage.objects.bulk_create(
            ReportedMessage(
                report=report,
                from_reported=message.sender_id == reported.pk,
                body=message.body,
                sent_at=message.created_at,
            )
            for message in selectors.thread_messages(conversation).filter(
                created_at__lte=report.created_at
            )
        )

    logger.info(
        "report %s made by user %s about user %s (safeguarding record %s)",
        report.pk,
        reporter.pk,
        reported.pk,
        record.pk,
    )
    enqueue_unless_suppressed(notify_reviewers_of_report_task, report.pk)
    return report


@transaction.atomic
def report_resolve(*, report_id: int, resolved_by: User, note: str) -> Report:
    """Close a report with a note of what staff did. The reporter is emailed that it is closed
    (never what was done, nor to whom)."""
    if not resolved_by.has_perm("portal.handle_report"):
        raise PermissionDenied("You may not handle reports.")
    report = Report.objects.select_for_update().get(pk=report_id)
    if report.status != Report.Status.OPEN:
        raise ValidationError("This report is already resolved.")
    if not note.strip():
        raise ValidationError({"note": "Say what was done."})
    report.status = Report.Status.RESOLVED
    report.resolved_by = resolved_by
    report.resolved_at = timezone.now()
    report.resolution_note = note.strip()
    report.save()

    logger.info("report %s resolved by user %s", report.pk, resolved_by.pk)
    enqueue_unless_suppressed(send_report_closed_email_task, report.pk)
    return report
