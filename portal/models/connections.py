"""Members asking each other to connect, and the connections that follow."""

from django.db import models
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models.users import User


class ConnectionRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    sender = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="sent_connection_requests"
    )
    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="received_connection_requests"
    )
    note = models.TextField(blank=True, max_length=1000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)
    request_email_sent_at = models.DateTimeField(null=True, blank=True)
    accept_email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(sender=models.F("recipient")),
                name="portal_request_not_to_self",
            ),
            # At most one open request per pair, whichever way it goes.
            models.UniqueConstraint(
                Least("sender", "recipient"),
                Greatest("sender", "recipient"),
                condition=models.Q(status="pending"),
                name="portal_one_pending_request_per_pair",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "status"]),
            models.Index(fields=["sender", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.sender} → {self.recipient} ({self.status})"


class Connection(models.Model):
    """Two connected members. Stored both ways (one row per side) so lookups are one index hit."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="connections")
    peer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "peer"], name="portal_connection_unique"),
            models.CheckConstraint(
                condition=~models.Q(user=models.F("peer")), name="portal_connection_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.peer}"
