"""The events index page and the event page type (edited, moderated and scheduled in Wagtail
like posts).

Start and end are stored in UTC (as every datetime of the project) together with the event's
time zone, in which staff enter them and readers see them (`events.forms.EventPageForm`).
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from blog.blocks import BodyBlock
from blog.models import SectionIndexPage, SiteImage, SitePageMixin, redirect_to_login
from blog.models.querysets import visitor_is_member
from blog.models.snippets import people_for_boxes
from events.forms import EventPageForm
from events.models.speakers import Speaker

DEFAULT_TIME_ZONE = "Australia/Sydney"
# Addresses below /events/ that the site's own views answer (events.urls, the index page's
# routes): no event may take them as its slug.
RESERVED_SLUGS = frozenset({"past", "calendar", "bookings", "book"})
# Set by staff actions on the live event (events.services.staff), never by editing it: what a
# draft or an older revision says of them is ignored when it is published.
STAFF_CONTROLLED_FIELDS = ("registration_closed", "cancelled")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list (such as Australia/Sydney)."))


class EventKind(models.TextChoices):
    WEBINAR = "webinar", _("Webinar")
    TRAINING = "training", _("Training")
    ROUNDTABLE = "roundtable", _("Roundtable")
    CONFERENCE = "conference", _("Conference")


class EventFormat(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    HYBRID = "hybrid", _("Hybrid")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    MEMBERS = "members", _("Approved members only")


class EventIndexPage(SectionIndexPage):
    """Every event lives under it. Its routes:

    /events/             upcoming events, soonest first, 10 a page (?kind=, ?format=, ?audience=)
    /events/past/        past events, newest first
    /events/calendar/    the calendar feed (.ics) of upcoming public events
    """

    subpage_types = ["events.EventPage"]
    template = "events/event_index_page.html"

    class Meta:
        verbose_name = _("events index page")

    @path("")
    def upcoming(self, request):
        return self.render(request, past=False)

    @path("past/", name="past")
    def past(self, request):
        return self.render(request, past=True)

    @path("calendar/", name="calendar")
    def calendar(self, request):
        from events import pages

        return pages.public_calendar(request)

    def get_context(self, request, *args, past: bool = False, **kwargs):
        from events import pages

        context = super().get_context(request, *args, **kwargs)
        context.update(pages.listing_context(request, past=past))
        return context

    def get_cached_paths(self) -> list[str]:
        return ["/", "/past/", "/calendar/"]


class EventPage(SitePageMixin, RoutablePageMixin, Page):
    """A webinar, training, roundtable or conference that people book."""

    summary = models.TextField(
        max_length=300,
        help_text=_("One or two sentences, shown in listings, calendars and search engines."),
    )
    body = StreamField(BodyBlock(), blank=True)
    image = models.ForeignKey(
        SiteImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    start_at = models.DateTimeField(_("starts"), db_index=True)
    end_at = models.DateTimeField(_("ends"), db_index=True)
    time_zone = models.CharField(
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("Start, end and registration times are entered and shown in this zone."),
    )
    kind = models.CharField(max_length=20, choices=EventKind.choices, default=EventKind.WEBINAR)
    format = models.CharField(
        max_length=20, choices=EventFormat.choices, default=EventFormat.ONLINE
    )
    venue = models.CharField(max_length=200, blank=True)
    address = models.TextField(max_length=500, blank=True)
    joining_link = models.URLField(
        _("online joining link"),
        max_length=500,
        blank=True,
        help_text=_(
            "Only confirmed attendees see it: in their emails, their calendar file and their "
            "booking page. Never on the public page or in a feed."
        ),
    )
    speakers = ParentalManyToManyField(Speaker, blank=True, related_name="events")
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.PUBLIC)
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Places available. Leave empty for no limit.")
    )
    registration_opens_at = models.DateTimeField(
        _("registration opens"), null=True, blank=True, help_text=_("Empty: open now.")
    )
    registration_closes_at = models.DateTimeField(
        _("registration closes"), null=True, blank=True, help_text=_("Empty: when it starts.")
    )
    waiting_list = models.BooleanField(
        _("keep a waiting list"),
        default=True,
        help_text=_("When full, people join a list and are given a place when one frees up."),
    )
    registration_closed = models.BooleanField(
        _("registration closed by staff"),
        default=False,
        help_text=_("Nobody can book until staff reopen it, whatever the registration times."),
    )
    cancelled = models.BooleanField(
        default=False, help_text=_("The page says the event was cancelled; nobody can book.")
    )
    resources_url = models.URLField(
        _("follow-up resources link"),
        max_length=500,
        blank=True,
        help_text=_("The recording or slides, sent to attendees after the event."),
    )

    parent_page_types = ["events.EventIndexPage"]
    subpage_types: list[str] = []
    template = "events/event_page.html"
    base_form_class = EventPageForm
    route_select_related = ("image",)
    exclude_fields_in_copy = list(STAFF_CONTROLLED_FIELDS)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_at"), FieldPanel("end_at")]),
                FieldPanel("time_zone"),
            ],
            heading=_("When"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("kind"), FieldPanel("format")]),
                FieldPanel("venue"),
                FieldPanel("address"),
                FieldPanel("joining_link"),
            ],
            heading=_("What and where"),
        ),
        FieldPanel("image"),
        FieldPanel("body"),
        FieldPanel("speakers", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [
                FieldPanel("audience"),
                FieldPanel("capacity"),
                FieldRowPanel(
                    [FieldPanel("registration_opens_at"), FieldPanel("registration_closes_at")]
                ),
                FieldPanel("waiting_list"),
                HelpPanel(
                    _(
                        "Close or reopen registration, take attendance, write to the attendees "
                        "and cancel the event from “Bookings and actions” in this page's menu: "
                        "they act on the live event at once, without publishing."
                    )
                ),
            ],
            heading=_("Registration"),
        ),
        FieldPanel("resources_url"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("audience"),
        index.FilterField("kind"),
        index.FilterField("start_at"),
    ]

    class Meta:
        verbose_name = _("event")

    def clean(self) -> None:
        super().clean()
        errors: dict[str, Any] = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = _("This address is used by the events pages; choose another.")
        if self.start_at and self.end_at and self.end_at <= self.start_at:
            errors["end_at"] = _("The end must come after the start.")
        opens, closes = self.registration_opens_at, self.registration_closes_at
        if opens and closes and closes <= opens:
            errors["registration_closes_at"] = _("Registration must close after it opens.")
        if self.format != EventFormat.ONLINE and not (self.venue or self.address):
            errors["venue"] = _("Say where an in-person or hybrid event takes place.")
        if errors:
            raise ValidationError(errors)

    def with_content_json(self, content):
        """A revision as a page, with what staff actions set on the live event kept (as Wagtail
        keeps `live` or `locked`): publishing an older draft never reopens registration or
        brings a cancelled event back."""
        page = super().with_content_json(content)
        for name in STAFF_CONTROLLED_FIELDS:
            setattr(page, name, getattr(self, name))
        return page

    @property
    def members_only(self) -> bool:
        return self.audience == Audience.MEMBERS

    @property
    def listing_summary(self) -> str:
        """What describes the event in search engines and when shared (the meta description)."""
        return self.search_description or self.summary

    @property
    def share_image(self) -> SiteImage | None:
        return self.image

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(DEFAULT_TIME_ZONE)

    def local(self, moment: datetime | None) -> datetime | None:
        """`moment` in the event's time zone (what the page and emails show)."""
        return timezone.localtime(moment, self.zone) if moment else None

    @property
    def local_start(self) -> datetime | None:
        return self.local(self.start_at)

    @property
    def local_end(self) -> datetime | None:
        return self.local(self.end_at)

    @property
    def zone_name(self) -> str:
        """The zone as readers know it: its abbreviation then (AEDT, AEST) and its name."""
        start = self.local_start
        abbreviation = start.tzname() if start else ""
        return f"{abbreviation}, {self.time_zone}" if abbreviation else self.time_zone

    @property
    def registration_closes(self) -> datetime:
        return self.registration_closes_at or self.start_at

    def is_past(self, now: datetime | None = None) -> bool:
        return self.end_at <= (now or timezone.now())

    @cached_property
    def speaker_list(self) -> list[Speaker]:
        return people_for_boxes(self.speakers)

    def serve(self, request, *args, **kwargs):
        if self.members_only and not visitor_is_member(request.user):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            from portal.refusals import members_only_refused

            return members_only_refused(request)
        response = super().serve(request, *args, **kwargs)
        if self.members_only:
            # A members-only event must never be stored by a shared cache.
            add_never_cache_headers(response)
        return response

    @path("calendar/", name="calendar")
    def calendar(self, request):
        from events import pages

        return pages.event_calendar(request, event=self)

    def get_context(self, request, *args, **kwargs):
        from events import pages

        context = super().get_context(request, *args, **kwargs)
        context.update(pages.event_context(request, event=self))
        return context

    def get_sitemap_urls(self, request=None):
        return [] if self.members_only else super().get_sitemap_urls(request)

    def get_cached_paths(self) -> list[str]:
        # Purged with the page: its "Add to calendar" file says what the page says.
        return ["/", "/calendar/"]
