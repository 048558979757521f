"""What keeps members safe from each other: blocks, reports to staff and the safeguarding records
that outlive an erased account."""

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.users import User


class SafeguardingRecord(models.Model):
    """What the portal keeps, even after erasure, about a person whose application was
    rejected, whose membership was suspended, or who was reported: a keyed hash of their
    normalised email address (not reversible without the key), the decision, its date and its
    reason, until `expires_at` (`PORTAL_SAFEGUARDING_RETENTION_DAYS`). See
    `portal.safeguarding`."""

    class Kind(models.TextChoices):
        REJECTED = "rejected", _("Application rejected")
        SUSPENDED = "suspended", _("Membership suspended")
        REPORTED = "reported", _("Reported by a member")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    email_hash = models.CharField(max_length=64, db_index=True)
    # Hashes of the account's other addresses when it was erased (an address changed since).
    other_hashes = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    reason = models.TextField(max_length=4000)
    decided_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    lifted_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Reinstated, or approved after all, on this date.")
    )
    # Only while the account exists: erasure empties it, and the hash is all that remains.
    user = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-decided_at", "-pk"]
        indexes = [GinIndex(fields=["other_hashes"], name="portal_safeguarding_other_gin")]

    def __str__(self) -> str:
        return f"Safeguarding record {self.pk}: {self.get_kind_display()}"


class Block(models.Model):
    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="blocks")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="portal_block_unique"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="portal_block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocked {self.blocked}"


class Report(models.Model):
    """A member's report about another member, for staff to handle in the admin."""

    class Reason(models.TextChoices):
        HARASSMENT = "harassment", _("Harassment or abuse")
        SPAM = "spam", _("Spam or unsolicited promotion")
        IMPERSONATION = "impersonation", _("Fake profile or impersonation")
        SAFETY = "safety", _("Concern for a child's safety or a crime")
        CONDUCT = "conduct", _("Breach of the code of conduct")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    reporter = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="reports_made"
    )
    reported = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="reports_received"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    details = models.TextField(max_length=4000)
    # Only when the reporter chose to share it do staff see the thread between the two, and
    # only as it was when the report was made (`ReportedMessage`), never what came after.
    conversation_shared = models.BooleanField(default=False)
    # The keyed hash of the reported person's normalised email address: groups the reports
    # about one person in the queue, before and after either side erases their account.
    subject_hash = models.CharField(max_length=64, db_index=True, blank=True)
    safeguarding_record = models.ForeignKey(
        "portal.SafeguardingRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
    )
    reporter_notified_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("handle_report", _("Can read and resolve reports about members"))]

    def __str__(self) -> str:
        return f"Report {self.pk}: {self.get_reason_display()}"


class ReportedMessage(models.Model):
    """A copy of one message of a conversation shared with a report, made when the report was
    made: staff read what was shared then, and it survives either member's erasure."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    from_reported = models.BooleanField(help_text=_("Sent by the reported member."))
    body = models.TextField(max_length=5000)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"Message {self.pk} of report {self.report_id}"
