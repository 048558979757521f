"""Forms of the events app: the admin's event form, the listing's filters, the booking form, and
the staff's forms (attendance, a message to the attendees, cancelling an event)."""

from __future__ import annotations

import uuid
import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.utils import timezone

from blog.forms import SitePageForm

# The event page's fields entered in the event's own time zone.
LOCAL_TIME_FIELDS = ("start_at", "end_at", "registration_opens_at", "registration_closes_at")


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class EventPageForm(SitePageForm):
    """Staff type an event's times as the clock on the wall where it happens reads them.

    Django reads a typed time in the site's zone (Australia/Sydney); this form reads it in the
    event's chosen zone instead, and shows stored times in that zone, so a webinar run from Perth
    is entered as "10:00" with "Australia/Perth" and stored as 02:00 UTC.
    """

    time_zone = forms.TypedChoiceField(choices=time_zone_choices, initial="Australia/Sydney")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zone = self._zone(getattr(self.instance, "time_zone", ""))
        for name in LOCAL_TIME_FIELDS:
            value = self.initial.get(name)
            if value is not None and timezone.is_aware(value):
                self.initial[name] = timezone.make_naive(value, zone)
            if name in self.fields:
                self.fields[
                    name
                ].help_text = f"{self.fields[name].help_text} In the event's time zone.".strip()

    @staticmethod
    def _zone(name: str) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(name or "Australia/Sydney")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("Australia/Sydney")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        zone = self._zone(cleaned.get("time_zone", ""))
        typed_in = timezone.get_current_timezone()
        for name in LOCAL_TIME_FIELDS:
            value = cleaned.get(name)
            if value is not None:
                cleaned[name] = timezone.make_aware(timezone.make_naive(value, typed_in), zone)
        return cleaned


class EventFilterForm(forms.Form):
    """The listing's filters, read from the query string (links and a GET form: no JavaScript).

    Anything that is not one of the choices is ignored, as if that filter were not set.
    """

    kind = forms.ChoiceField(required=False)
    format = forms.ChoiceField(required=False)
    audience = forms.ChoiceField(required=False)

    def __init__(self, data: Any = None) -> None:
        from events.models import Audience, EventFormat, EventKind

        super().__init__(data)
        for name, choices in (
            ("kind", EventKind.choices),
            ("format", EventFormat.choices),
            ("audience", Audience.choices),
        ):
            self.fields[name].choices = [("", "Any"), *choices]

    def chosen(self) -> dict[str, str]:
        """The filters that hold a valid choice."""
        if not self.is_bound:
            return {}
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {
            name: cleaned[name]
            for name in self.fields
            if name not in self.errors and cleaned.get(name)
        }


class BookingForm(forms.Form):
    """A place at a public event for someone without an account (confirmed by email)."""

    name = forms.CharField(max_length=150, label="Your name")
    email = forms.EmailField(max_length=254, label="Your email address")
    also_subscribe = forms.BooleanField(
        required=False, initial=False, label="Also subscribe me to the newsletter"
    )
    # Bots fill in every field; people never see this one (hidden by the `honeypot` class).
    website = forms.CharField(required=False, label="Leave this empty")

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class AttendanceForm(forms.Form):
    """Staff tick who came. `shown` names the bookings the form listed, so that a name left
    unticked is marked as not attended (an undo) and a booking listed since is left alone."""

    shown = forms.TypedMultipleChoiceField(coerce=int, required=False)
    attended = forms.TypedMultipleChoiceField(coerce=int, required=False)
    # The second button: everyone listed attended (no ticking 100 boxes).
    everyone = forms.BooleanField(required=False)

    def __init__(self, *args: Any, booking_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(pk, str(pk)) for pk in booking_ids]
        self.fields["shown"].choices = choices
        self.fields["attended"].choices = choices

    def ticked(self) -> list[int]:
        if self.cleaned_data["everyone"]:
            return self.cleaned_data["shown"]
        return self.cleaned_data["attended"]


class EventMessageForm(forms.Form):
    """What staff write to everyone holding a place at an event."""

    subject = forms.CharField(max_length=150)
    body = forms.CharField(
        label="Message",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Plain text. Each attendee gets it by email with their booking's links.",
    )
    # Sent again (a double click, a reload), the same form writes one message.
    token = forms.CharField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)

    def clean_token(self) -> uuid.UUID:
        # Nobody types it: one that is not the form's own is replaced (nothing to show).
        try:
            return uuid.UUID(self.cleaned_data["token"])
        except ValueError:
            return uuid.uuid4()


class EventCancelForm(forms.Form):
    """Staff cancel an event, saying why if they like, and confirm that they mean it."""

    note = forms.CharField(
        label="Note to the attendees",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Optional: why, and what comes instead. It is added to the email.",
    )
    confirm = forms.BooleanField(
        label="Cancel this event, every booking of it, and email everyone who booked",
        help_text="This cannot be undone.",
    )
