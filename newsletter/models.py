"""Subscribers and their consent trail, newsletter issues and per-recipient deliveries."""

from __future__ import annotations

import uuid

from csp.decorators import csp_update
from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import PreviewableMixin
from wagtail.search import index

from newsletter.blocks import IssueBodyBlock


class Subscriber(models.Model):
    """One address on the mailing list. Members and readers share this list (matched by email)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending confirmation")
        CONFIRMED = "confirmed", _("Subscribed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        SUPPRESSED = "suppressed", _("Suppressed (bounce or complaint)")

    class Source(models.TextChoices):
        FOOTER = "footer", _("Footer form")
        HOME = "home", _("Home page form")
        PAGE = "page", _("Newsletter page")
        ACCOUNT = "account", _("Member account")
        IMPORT = "import", _("CSV import")
        EVENT = "event", _("Event booking")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    source = models.CharField(
        _("signed up through"), max_length=16, choices=Source.choices, default=Source.PAGE
    )
    # Bumped whenever the address leaves the list, so that older confirmation links stop working.
    token_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True, editable=False)
    confirmed_source = models.CharField(
        _("confirmed from"), max_length=16, choices=Source.choices, blank=True, editable=False
    )
    unsubscribed_at = models.DateTimeField(null=True, blank=True, editable=False)
    suppressed_reason = models.CharField(max_length=255, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_ci_unique"),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.email

    @property
    def is_subscribed(self) -> bool:
        return self.status == self.Status.CONFIRMED


class SubscriptionEvent(models.Model):
    """The consent trail: every change to a subscription, when, how and by whom."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("Asked to subscribe (confirmation sent)")
        CONFIRMED = "confirmed", _("Confirmed")
        CONSENT_ATTESTED = "attested", _("Imported with consent attested by staff")
        IMPORTED = "imported", _("Imported (confirmation sent)")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Hard bounce")
        COMPLAINED = "complained", _("Spam complaint")
        # A permanent refusal that says nothing about the mailbox (policy, content): recorded,
        # the address stays on the list.
        REFUSED = "refused", _("Message refused (address kept)")
        LIFTED = "lifted", _("Suppression lifted by staff")

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=32, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    issue = models.ForeignKey(
        "newsletter.Issue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d %H:%M})"


class Issue(PreviewableMixin, index.Indexed, models.Model):
    """One newsletter issue, composed in Wagtail's admin and sent at most once."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    subject = models.CharField(max_length=150)
    preheader = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("The line of text that inboxes show after the subject."),
    )
    body = StreamField(IssueBodyBlock(), blank=True)
    include_latest_posts = models.BooleanField(
        _("add the latest posts"),
        default=True,
        help_text=_(
            "List the public posts published since the last issue was sent, after the body."
        ),
    )
    latest_posts_heading = models.CharField(max_length=120, default="Latest from ICMEC Australia")
    latest_posts_limit = models.PositiveSmallIntegerField(default=6)

    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False, db_index=True
    )
    slug = models.SlugField(max_length=180, unique=True, null=True, blank=True, editable=False)
    scheduled_at = models.DateTimeField(null=True, blank=True, editable=False)
    sending_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    recipient_count = models.PositiveIntegerField(default=0, editable=False)
    # Frozen when sending starts, so every recipient (and the archive) gets the same posts.
    latest_post_ids = models.JSONField(default=list, blank=True, editable=False)
    rendered_html = models.TextField(blank=True, editable=False)
    rendered_text = models.TextField(blank=True, editable=False)
    # What went wrong last while sending (connection trouble, a refusal), shown on the report.
    last_error = models.CharField(max_length=500, blank=True, editable=False)
    last_error_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("subject"),
        FieldPanel("preheader"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                HelpPanel(
                    content=_(
                        "Public posts published since the last issue, newest first. "
                        "Members-only posts are never included."
                    )
                ),
                FieldPanel("include_latest_posts"),
                FieldPanel("latest_posts_heading"),
                FieldPanel("latest_posts_limit"),
            ],
            heading=_("Latest posts"),
        ),
    ]
    search_fields = [index.SearchField("subject"), index.AutocompleteField("subject")]

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        permissions = [("send_issue", "Can send newsletter issues")]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str | None:
        """The issue in the public archive, once it has gone out."""
        from django.urls import reverse

        if self.status not in self.ARCHIVED_STATUSES or not self.slug:
            return None
        return reverse("newsletter:archive_issue", kwargs={"slug": self.slug})

    # Issues that have reached readers and stay readable in the archive (a paused one has reached
    # some; a cancelled one is withdrawn).
    ARCHIVED_STATUSES = (Status.SENDING, Status.PAUSED, Status.SENT)

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)

    def status_summary(self) -> str:
        if self.status == self.Status.SCHEDULED and self.scheduled_at:
            return f"Scheduled for {timezone.localtime(self.scheduled_at):%-d %b %Y, %H:%M}"
        if self.status == self.Status.SENT and self.sent_at:
            return f"Sent {timezone.localtime(self.sent_at):%-d %b %Y, %H:%M}"
        return str(self.get_status_display())

    # Wagtail's live preview shows the email exactly as subscribers will get it: styled inline,
    # as email clients need, so the preview's policy (the site's) allows inline styles here.
    preview_modes = [("email", _("Email")), ("text", _("Plain text"))]
    # The templates render the email with a tag of `newsletter_tags`: rendering reads the models,
    # so the models name a template rather than import it.
    PREVIEW_TEMPLATES = {
        "email": "newsletter/admin/issue_preview.html",
        "text": "newsletter/admin/issue_preview.txt",
    }

    def get_preview_template(self, request: HttpRequest, mode_name: str) -> str:
        return self.PREVIEW_TEMPLATES.get(mode_name, self.PREVIEW_TEMPLATES["email"])

    @csp_update({"style-src": ["'unsafe-inline'"]})
    def serve_preview(self, request: HttpRequest, mode_name: str) -> HttpResponse:
        # Rendered without the site's context processors: the email is all the answer holds.
        body = render_to_string(
            self.get_preview_template(request, mode_name),
            self.get_preview_context(request, mode_name),
        )
        if mode_name == "text":
            return HttpResponse(body, content_type="text/plain; charset=utf-8")
        return HttpResponse(body)


class Delivery(models.Model):
    """One issue to one subscriber: created when sending starts, unique per pair."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")
        CANCELLED = "cancelled", _("Not sent (cancelled)")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(
        Subscriber, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    email = models.EmailField(max_length=254)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The lease of the batch that claimed the row: its worker renews it while it sends; once it
    # has expired (the worker died) the sweeper gives the row to another batch.
    lease_owner = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # Failed after temporary refusals only (the server was busy for a day): staff may resend.
    temporary_failure = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="newsletter_delivery_issue_subscriber"
            ),
        ]
        # Claims walk this index in id order: no sort, however many rows are queued.
        indexes = [
            models.Index(fields=["issue", "status", "id"]),
            # The sweeper looks for expired leases among the rows being sent: a small index.
            models.Index(
                fields=["lease_expires_at"],
                name="newsletter_delivery_lease",
                condition=models.Q(status="sending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issue_id} → {self.email}: {self.status}"
