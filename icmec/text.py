"""Free text from outside (query strings, uploaded files) made safe to store and to query with.

PostgreSQL refuses NUL characters in text, so an unchecked `?q=%00` used to end in a 500. Django's
form fields refuse NUL already; these helpers are for what reaches a query without a form field:
GET parameters of search boxes and filters, and the cells of an imported CSV file.
"""

from __future__ import annotations

import unicodedata

from django.http import QueryDict


def clean_text(value: str, *, max_length: int) -> str:
    """`value` without control characters (NUL included), its whitespace collapsed to single
    spaces, cut to `max_length` characters."""
    printable = "".join(
        " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in value
    )
    return " ".join(printable.split())[:max_length]


def text_param(params: QueryDict, name: str, *, max_length: int) -> str:
    """The last value of the query parameter `name` as clean text ("" when absent)."""
    return clean_text(params.get(name, ""), max_length=max_length)
