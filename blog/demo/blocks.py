"""A body written in a content file (a list of tables, each with a `type`) as StreamField data.

A content file names what a block refers to instead of giving database ids, which differ from one
database to the next: `image = "award"` (an image's key in images.toml), `page = "contact"` (a
page's slug), and in rich text `<a page="contact">...</a>`. Texts may also hold placeholders such
as `{postal_address}` for values that come from the settings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_PAGE_LINK = re.compile(r'<a page="([^"]+)">')
_PLACEHOLDER = re.compile(r"\{(\w+)\}")

# The field of a block whose value is a single text rather than a set of fields.
TextFields = Mapping[str, str]
# For each field that refers to something by name, how to turn the name into an id.
Lookups = Mapping[str, Callable[[str], int | None]]


def fill_placeholders(text: str, values: Mapping[str, object]) -> str:
    """The text with each `{name}` replaced; an unknown name is a mistake in the file."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            known = ", ".join(f"{{{key}}}" for key in values) or "none"
            raise KeyError(f"Unknown placeholder {{{name}}} in the demo content (known: {known}).")
        return str(values[name])

    return _PLACEHOLDER.sub(value, text)


def rich_text(html: str, *, lookups: Lookups, values: Mapping[str, object]) -> str:
    """Rich text as Wagtail stores it: page links by id, placeholders filled."""
    html = _PAGE_LINK.sub(
        lambda match: f'<a linktype="page" id="{lookups["page"](match[1])}">', html
    )
    return fill_placeholders(html, values)


def stream_data(
    blocks: list[dict[str, Any]],
    *,
    text_fields: TextFields,
    defaults: Mapping[str, Mapping[str, Any]],
    lookups: Lookups,
    values: Mapping[str, object],
) -> list[dict[str, Any]]:
    """The blocks as StreamField data: a single-text block's value is its text; any other
    block's value is its fields (with the optional ones the file left out at their defaults),
    names turned into ids."""
    data = []
    for block in blocks:
        fields = dict(block)
        block_type = fields.pop("type")
        if block_type in text_fields:
            value: Any = rich_text(fields[text_fields[block_type]], lookups=lookups, values=values)
        else:
            value = dict(defaults.get(block_type, {}))
            for name, field in fields.items():
                if name in lookups:
                    value[name] = lookups[name](field)
                elif isinstance(field, str):
                    value[name] = fill_placeholders(field, values)
                else:
                    value[name] = field
        data.append({"type": block_type, "value": value})
    return data
