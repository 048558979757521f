"""Bring what existed before the safeguarding record under it: copy the conversations shared
with reports as they were when each report was made, and keep a record (keyed hash of the
address, decision, date, reason) of every earlier rejection, suspension and report."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations

KIND = {"reject": "rejected", "suspend": "suspended"}
REASONS = {
    "harassment": "Harassment or abuse",
    "spam": "Spam or unsolicited promotion",
    "impersonation": "Fake profile or impersonation",
    "safety": "Concern for a child's safety or a crime",
    "conduct": "Breach of the code of conduct",
    "other": "Something else",
}


def backfill(apps, schema_editor):
    from portal.safeguarding import email_hash

    Report = apps.get_model("portal", "Report")
    Message = apps.get_model("portal", "Message")
    ReportedMessage = apps.get_model("portal", "ReportedMessage")
    Record = apps.get_model("portal", "SafeguardingRecord")
    Decision = apps.get_model("portal", "MembershipDecision")
    retention = timedelta(days=settings.PORTAL_SAFEGUARDING_RETENTION_DAYS)

    for report in Report.objects.filter(conversation__isnull=False):
        messages = Message.objects.filter(
            conversation_id=report.conversation_id, created_at__lte=report.created_at
        ).order_by("created_at", "pk")
        ReportedMessage.objects.bulk_create(
            ReportedMessage(
                report=report,
                from_reported=message.sender_id is not None
                and message.sender_id == report.reported_id,
                body=message.body,
                sent_at=message.created_at,
            )
            for message in messages
        )
        report.conversation_shared = True
        report.save(update_fields=["conversation_shared"])

    for report in Report.objects.filter(reported__isnull=False).select_related("reported"):
        record = Record.objects.create(
            kind="reported",
            email_hash=email_hash(report.reported.email),
            reason=REASONS.get(report.reason, report.reason),
            decided_at=report.created_at,
            expires_at=report.created_at + retention,
            user=report.reported,
        )
        report.subject_hash = record.email_hash
        report.safeguarding_record = record
        report.save(update_fields=["subject_hash", "safeguarding_record"])

    decisions = Decision.objects.filter(
        action__in=list(KIND), user__isnull=False
    ).select_related("user")
    for decision in decisions:
        decision.safeguarding_record = Record.objects.create(
            kind=KIND[decision.action],
            email_hash=email_hash(decision.user.email),
            reason=decision.note,
            decided_at=decision.created_at,
            expires_at=decision.created_at + retention,
            user=decision.user,
        )
        decision.save(update_fields=["safeguarding_record"])


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_safeguarding_record")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
