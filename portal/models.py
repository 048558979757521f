import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Greatest, Least, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase

from portal.countries import COUNTRIES, COUNTRY_NAMES, name_sort_key
from portal.links import LinkedInProfileValidator, linkedin_profile_url


class EmailUserManager(UserManager):
    """A user manager for accounts identified by email address alone."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        user = self._create_user(email, password, **extra_fields)
        # `createsuperuser` and the demo content: whoever typed the address can already do
        # anything here, and an unverified address would stop the first login at allauth's
        # (member's) "check your email" page.
        from portal import services

        services.staff_email_verify(user=user)
        return user

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractUser):
    """An account on the site: staff, members and applicants alike. Email is the login.

    The given and family names are Django's and Wagtail's `first_name` and `last_name`, so that
    Wagtail's own user and account screens work unchanged.
    """

    username = None
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="portal_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def has_perm(self, perm, obj=None) -> bool:
        """Django's answer, read from `portal.access` (the account's permissions and groups in
        the one query each request makes anyway) instead of `ModelBackend`'s two queries: Wagtail
        asks on every page whether the visitor may open the admin. Superusers, inactive
        accounts and object permissions go through the authentication backends as usual."""
        if obj is None and self.is_active and not self.is_superuser:
            from portal.access import access_of

            return perm in access_of(self).permissions
        return super().has_perm(perm, obj)


class Sector(models.TextChoices):
    FINANCIAL_SERVICES = "financial_services", _("Financial services")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    REGULATOR = "regulator", _("Regulator or government")
    NGO = "ngo", _("NGO or non-profit")
    TECHNOLOGY = "technology", _("Technology or data provider")
    ACADEMIA = "academia", _("Academia or research")
    OTHER = "other", _("Other")


SECTOR_NAMES = dict(Sector.choices)


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


class ExpertiseTag(TagBase):
    """An area of expertise, kept apart from the blog's tags."""

    class Meta:
        verbose_name = _("area of expertise")
        verbose_name_plural = _("areas of expertise")
        ordering = ["name"]


class TaggedExpertise(ItemBase):
    tag = models.ForeignKey(ExpertiseTag, on_delete=models.CASCADE, related_name="tagged_profiles")
    content_object = models.ForeignKey(
        "portal.MemberProfile", on_delete=models.CASCADE, related_name="tagged_expertise"
    )

    class Meta:
        unique_together = [("content_object", "tag")]


def member_sort_name(first_name: str, last_name: str) -> str:
    """Where a member comes in the directory: family name, then given name, case and accents
    aside ("de Vries" among the Ds, "Émile" among the Es)."""
    return name_sort_key(f"{last_name.strip()} {first_name.strip()}".strip())[0][:402]


class MemberProfile(models.Model):
    """What members see of each other. Created with the application, shown once approved."""

    class ContactVisibility(models.TextChoices):
        MEMBERS = "members", _("All approved members")
        CONNECTIONS = "connections", _("My connections only")

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.CharField(_("organisation"), max_length=200)
    job_title = models.CharField(_("job title"), max_length=200)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    country = models.CharField(_("country"), max_length=2, choices=COUNTRIES)
    bio = models.TextField(_("about me"), blank=True, max_length=3000)
    expertise = TaggableManager(
        verbose_name=_("areas of expertise"), through=TaggedExpertise, blank=True
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True, max_length=300)
    linkedin = models.URLField(
        _("LinkedIn profile"),
        blank=True,
        max_length=300,
        validators=[LinkedInProfileValidator()],
        help_text=_("The address of your profile, such as https://www.linkedin.com/in/your-name."),
    )
    show_email = models.BooleanField(_("show my email address"), default=True)
    contact_visibility = models.CharField(
        _("who sees my contact details"),
        max_length=20,
        choices=ContactVisibility.choices,
        default=ContactVisibility.CONNECTIONS,
    )
    # The key of the re-encoded photo in the private "member_photos" storage (never public media).
    photo_key = models.CharField(max_length=64, blank=True, editable=False)
    email_on_request = models.BooleanField(_("new connection requests"), default=True)
    email_on_accept = models.BooleanField(_("accepted connection requests"), default=True)
    email_on_message = models.BooleanField(_("new messages (one email per burst)"), default=True)
    # Kept up to date by the services that write a profile (the expertise tags live in another
    # table, so a generated column cannot hold them).
    search_vector = SearchVectorField(null=True, editable=False)
    # Whether members see this profile at all (directory, profile page, photo): the account is
    # active and in the Members group. The rule lives in `services.profile_listing_refresh`,
    # called in the same transaction whenever an account's active flag or groups change
    # (`portal.signals`, whatever made the change); here it is one indexed column,
    # so that the directory reads its first page from an index instead of joining every account.
    listed = models.BooleanField(default=False, editable=False)
    # The directory's order: family then given name, case and accents aside, compared byte by
    # byte ("C" collation) whatever the database's own collation.
    sort_name = models.CharField(max_length=402, blank=True, editable=False, db_collation="C")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("member profile")
        verbose_name_plural = _("member profiles")
        ordering = ["user__last_name", "user__first_name"]
        indexes = [
            GinIndex(fields=["search_vector"], name="portal_profile_search_gin"),
            # The directory's pages in order, listed profiles only: a page is a short index walk,
            # and the count (which leaves out the viewer, by account) reads the index alone.
            models.Index(
                fields=["sort_name", "id"],
                include=["user"],
                condition=models.Q(listed=True),
                name="portal_profile_listed_order",
            ),
            models.Index(fields=["sector"]),
            models.Index(fields=["country"]),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def country_name(self) -> str:
        return COUNTRY_NAMES.get(self.country, self.country)

    @property
    def sector_name(self) -> str:
        """As `get_sector_display()`, which translates every sector's label on each call (a
        tenth of a directory card's rendering time)."""
        return str(SECTOR_NAMES.get(self.sector, self.sector))

    @property
    def linkedin_url(self) -> str:
        """The LinkedIn address to link to: "" for one saved before only LinkedIn profiles were
        accepted that is not one."""
        try:
            return linkedin_profile_url(self.linkedin) if self.linkedin else ""
        except ValidationError:
            return ""

    def photo_path(self, size: int) -> str:
        return f"{self.photo_key}-{size}.jpg"


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


class Conversation(models.Model):
    """The private thread between two members. `user_low` has the smaller id of the pair."""

    user_low = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    user_high = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_message_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user_low", "user_high"], name="portal_conversation_pair"
            )
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk}"

    def other(self, user: User) -> User | None:
        return self.user_high if self.user_low_id == user.pk else self.user_low


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    # Empty once that member has deleted their account: their side is anonymised.
    sender = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    recipient = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["conversation", "created_at"]),
            # Unread messages to a member: in all (the header) and per conversation (the lists).
            models.Index(
                fields=["recipient", "conversation"],
                condition=models.Q(read_at__isnull=True),
                name="portal_message_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in conversation {self.conversation_id}"


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
