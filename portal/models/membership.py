"""Where an applicant or member stands in vetting, and the staff decisions that put them there."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.countries import COUNTRIES, COUNTRY_NAMES
from portal.models.profiles import Sector
from portal.models.users import User


class Membership(models.Model):
    """Where an account stands in the vetting process. One per applicant or member.

    The Members group is the source of truth for access (`user_is_approved_member`); the services
    keep the group and `status` in step, in one transaction.
    """

    class Status(models.TextChoices):
        UNVERIFIED = "unverified", _("Email not yet verified")
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SUSPENDED = "suspended", _("Suspended")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNVERIFIED)
    reason = models.TextField(_("why they want to join"), max_length=2000)
    terms_accepted_at = models.DateTimeField(_("accepted the code of conduct and privacy policy"))
    applied_at = models.DateTimeField(_("applied"), default=timezone.now)
    submitted_at = models.DateTimeField(
        _("entered the review queue"),
        null=True,
        blank=True,
        help_text=_("When the applicant verified their email address."),
    )
    decided_at = models.DateTimeField(_("last decision"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["submitted_at", "applied_at"]
        indexes = [models.Index(fields=["status", "submitted_at"])]
        permissions = [
            ("review_membership", _("Can vet applications and suspend or reinstate members")),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_status_display()})"


class MembershipDecision(models.Model):
    """One staff decision about a membership: the audit trail staff see in the admin."""

    class Action(models.TextChoices):
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        SUSPEND = "suspend", _("Suspended")
        REINSTATE = "reinstate", _("Reinstated")

    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="membership_decisions",
        help_text=_("Empty once the member has deleted their account."),
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    note = models.TextField(blank=True, max_length=4000)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("decided by")
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    override_note = models.TextField(
        _("why an earlier safeguarding decision was overridden"),
        blank=True,
        max_length=4000,
        help_text=_("Required to approve an applicant who matches a safeguarding record."),
    )
    # The record a rejection or suspension left: what remains of it once the account is erased.
    safeguarding_record = models.ForeignKey(
        "portal.SafeguardingRecord",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )

    class Meta:
        verbose_name = _("membership decision")
        verbose_name_plural = _("membership decisions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.user or 'erased account'}"


class EarlierApplication(models.Model):
    """The answers of an application that was rejected, kept when the applicant applies again,
    so that the reviewer sees what was asked and decided before. Erased with the account."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="earlier_applications"
    )
    organisation = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200)
    sector = models.CharField(max_length=30, choices=Sector.choices)
    country = models.CharField(max_length=2, choices=COUNTRIES)
    reason = models.TextField(max_length=2000)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decision = models.ForeignKey(
        MembershipDecision, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at", "-pk"]

    def __str__(self) -> str:
        return f"Earlier application {self.pk} of membership {self.membership_id}"

    @property
    def country_name(self) -> str:
        return COUNTRY_NAMES.get(self.country, self.country)
