"""What members see of each other: the profile, its sector and its areas of expertise."""

import datetime
import uuid
from typing import Any

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase

from portal.countries import COUNTRIES, COUNTRY_NAMES, name_sort_key
from portal.links import LinkedInProfileValidator, linkedin_profile_url
from portal.models.users import User
from portal.translations import translated


class Sector(models.TextChoices):
    FINANCIAL_SERVICES = "financial_services", _("Financial services")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    REGULATOR = "regulator", _("Regulator or government")
    NGO = "ngo", _("NGO or non-profit")
    TECHNOLOGY = "technology", _("Technology or data provider")
    ACADEMIA = "academia", _("Academia or research")
    OTHER = "other", _("Other")


SECTOR_NAMES = dict(Sector.choices)


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

    # Set on the rows of a page by `portal.selectors.profiles` (not columns): the viewer's
    # connection state with this member and the member's areas of expertise.
    is_connected: bool
    sent_request_id: int | None
    received_request_id: int | None
    ask_again_from: datetime.datetime | None
    expertise_list: list[Any]

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
        tenth of a directory card's rendering time); here each label once per language."""
        name = SECTOR_NAMES.get(self.sector)
        return self.sector if name is None else translated(("sector", self.sector), name)

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
