"""Template helpers of the portal: accessible form fields and the header's counts."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.forms import BoundField
from django.template.defaultfilters import date as date_filter
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.translation import get_language

from icmec.caching.memo import kept_on
from portal import selectors
from portal.countries import COUNTRY_NAMES
from portal.fast_urls import fast_reverse
from portal.links import linkify as linkify_text
from portal.translations import translated

register = template.Library()


@register.inclusion_tag("portal/includes/field.html")
def form_field(field: BoundField, hide_label: bool = False):
    """A field with its label, help and errors, tied together with aria-describedby and
    aria-invalid, keeping what the person typed."""
    help_id = f"{field.auto_id}_help"
    error_id = f"{field.auto_id}_error"
    described = []
    if field.errors:
        described.append(error_id)
    if field.help_text:
        described.append(help_id)
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    widget_type = field.widget_type
    return {
        "field": field,
        "widget": field.as_widget(attrs=attrs),
        "help_id": help_id,
        "error_id": error_id,
        "is_checkbox": widget_type == "checkbox",
        "is_multiple": widget_type in ("radioselect", "checkboxselectmultiple"),
        "is_honeypot": getattr(field.field, "is_honeypot", False),
        "hide_label": hide_label,
    }


@register.simple_tag(takes_context=True)
def member_nav_counts(context):
    """Pending requests and unread messages for the header: one query, members only."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    counts = kept_on(
        request,
        selectors.NAV_COUNTS_KEPT_AS,
        lambda: selectors.nav_counts(user) if selectors.user_has_member_profile(user) else False,
    )
    return counts or None


@register.simple_tag(takes_context=True)
def is_member(context) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and selectors.user_is_approved_member(user))


@register.filter(is_safe=True)
def linkify(text: str):
    """A member's text, escaped, with its web addresses as links (see `portal.links.linkify`)."""
    return linkify_text(str(text or ""))


@register.filter
def country_name(code: str) -> str:
    return COUNTRY_NAMES.get(code, code)


@register.filter
def initials(user) -> str:
    if user is None:
        return "?"
    parts = [user.first_name[:1], user.last_name[:1]]
    return ("".join(parts) or user.email[:1]).upper()


def _short_month(value) -> str:
    return translated(("month-3-title", value.month), str(MONTHS_3[value.month]).title())


def _month(value) -> str:
    return translated(("month", value.month), MONTHS[value.month])


# The `date` filter's formats that lists of the portal repeat on every row, written directly.
_QUICK_DATE_FORMATS = {
    "j M Y, H:i": lambda v: f"{v.day} {_short_month(v)} {v.year}, {v:%H:%M}",
    "j M, H:i": lambda v: f"{v.day} {_short_month(v)}, {v:%H:%M}",
    "j F Y": lambda v: f"{v.day} {_month(v)} {v.year}",
}


@register.filter(expects_localtime=True)
def quick_date(value, arg: str) -> str:
    """`{{ value|date:arg }}`, the same text, at a fifth of the `date` filter's cost for the
    formats a list repeats on every row (a thread shows fifty times, a page of connections
    twenty-five dates); any other format goes to the `date` filter."""
    write = _QUICK_DATE_FORMATS.get(arg)
    if write is None or not isinstance(value, datetime):
        return date_filter(value, arg)
    return write(value)


class _TimeUnit:
    """One of `TIME_STRINGS`, formatted as `timesince` does (`unit % {"num": n}`), translated
    once per language and number."""

    __slots__ = ("language", "name")

    def __init__(self, language: str | None, name: str) -> None:
        self.language, self.name = language, name

    def __mod__(self, values: dict[str, int]) -> str:
        return translated(
            ("timesince", self.name, values["num"]),
            TIME_STRINGS[self.name] % values,
            language=self.language,
        )


class _TimeUnits:
    def __init__(self) -> None:
        self.language = get_language()

    def __getitem__(self, name: str) -> _TimeUnit:
        return _TimeUnit(self.language, name)


@register.filter(is_safe=False)
def quick_timesince(value) -> str:
    """`{{ value|timesince }}`, the same text from Django's own `timesince`, with its units
    translated once per language instead of on every row (a page of connections shows thirty)."""
    if not value:
        return ""
    try:
        return timesince(value, time_strings=_TimeUnits())
    except (ValueError, TypeError):
        return ""


@register.simple_tag
def row_url(viewname: str, *args) -> str:
    """`{% url %}` for links repeated on every row of a list, and for the portal's header,
    which every member page renders (see `portal.fast_urls`)."""
    return fast_reverse(viewname, *args)


# Pixels of the <img> for each size of avatar (the stylesheet draws them at this size).
_AVATAR_PIXELS = {"large": 160}


@register.simple_tag
def avatar(profile, size: str, size_px: int) -> SafeString:
    """A member's photo (`size_px`: 128 or 400, the stored sizes), or their initials, at
    `size` ("small" or "large"). Written here rather than as an included template because
    lists repeat it on every row: an include costs more than the markup it writes."""
    css_size = escape(size)
    photo_key = getattr(profile, "photo_key", "")
    if photo_key:
        pixels = _AVATAR_PIXELS.get(size, 56)
        src = escape(fast_reverse("portal:photo", photo_key, size_px))
        return mark_safe(  # noqa: S308 - every value is escaped above
            f'<img class="avatar avatar--{css_size}" src="{src}" alt="" width="{pixels}" '
            f'height="{pixels}" loading="lazy">\n'
        )
    letters = escape(initials(getattr(profile, "user", None)))
    return mark_safe(  # noqa: S308 - every value is escaped above
        f'<span class="avatar avatar--{css_size} avatar--initials" aria-hidden="true">'
        f"{letters}</span>\n"
    )
