"""Addresses members may put on their profile, and links in what they write."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# linkedin.com, www.linkedin.com and the country hosts (au.linkedin.com) all serve profiles.
_LINKEDIN_HOST = re.compile(r"^(?:(?:www|[a-z]{2})\.)?linkedin\.com$")
# A profile's custom address: letters, digits, hyphens and underscores, or percent-escapes for
# the non-Latin ones LinkedIn allows.
_LINKEDIN_SLUG = re.compile(r"^(?:[A-Za-z0-9_-]|%[0-9A-Fa-f]{2}){3,100}$")
LINKEDIN_MESSAGE = (
    "Enter the address of a LinkedIn profile, such as https://www.linkedin.com/in/your-name."
)


def linkedin_profile_url(value: str) -> str:
    """The canonical address (`https://www.linkedin.com/in/<slug>`) of a LinkedIn profile
    address as typed or pasted (any country host, with or without the scheme, a trailing slash,
    a query or a fragment); ValidationError for anything else, another site included."""
    text = value.strip()
    if "://" not in text:
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise ValidationError(LINKEDIN_MESSAGE, code="invalid") from exc
    host = (parts.hostname or "").lower()
    if (
        parts.scheme.lower() not in ("http", "https")
        or parts.username
        or parts.password
        or parts.port
        or not _LINKEDIN_HOST.match(host)
    ):
        raise ValidationError(LINKEDIN_MESSAGE, code="invalid")
    segments = [segment for segment in parts.path.split("/") if segment]
    if len(segments) != 2 or segments[0].lower() != "in" or not _LINKEDIN_SLUG.match(segments[1]):
        raise ValidationError(LINKEDIN_MESSAGE, code="invalid")
    return f"https://www.linkedin.com/in/{segments[1]}"


@deconstructible
class LinkedInProfileValidator:
    """Model-level check: only canonical LinkedIn profile addresses are stored."""

    def __call__(self, value: str) -> None:
        if value and linkedin_profile_url(value) != value:
            raise ValidationError(LINKEDIN_MESSAGE, code="invalid")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LinkedInProfileValidator)


# A web address in a message: with its scheme, or starting with "www.".
_URL_IN_TEXT = re.compile(r"(?:\bhttps?://|\bwww\.)[^\s<>\"]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\")]}"


def linkify(text: str) -> SafeString:
    """`text`, escaped, with each web address made a link (`rel="nofollow noopener"`).

    Only http(s) addresses become links (a "www." one gets https://), so no other scheme
    (javascript:, data:) ever reaches an href. Punctuation after an address (a full stop, a
    closing bracket without its opening one) stays outside the link.
    """
    parts: list[str] = []
    position = 0
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group(0)
        end = match.end()
        while url and url[-1] in _TRAILING:
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
            end -= 1
        if url.lower() in ("http://", "https://", "www."):
            continue
        href = url if url.lower().startswith(("http://", "https://")) else f"https://{url}"
        parts.append(escape(text[position : match.start()]))
        parts.append(format_html('<a href="{}" rel="nofollow noopener">{}</a>', href, url))
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 (every piece above is escaped)
