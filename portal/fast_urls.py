"""`reverse()` for the links a list repeats on every row, at a small part of its cost.

A page of the directory, the connections or the conversations links each row to a profile, a
conversation or a photo, several times a row: `reverse()` (about 40 microseconds each, a tenth
of a directory card's rendering) matches the URL pattern's converters and quotes the arguments
every time. Here each URL name is reversed once with stand-in arguments of the same types, and
later calls put the real arguments (ids, UUIDs, photo keys: nothing that needs quoting) in place
of the stand-ins. Anything else (other types, characters that need quoting, a URL with no
stand-in in it) goes through `reverse()` as usual. It is meant for `path()` routes whose
arguments use the `int`, `uuid`, `str` or `slug` converters (the portal's). The cut URLs are
kept for the life of the process (`icmec.caching.memo.computed_once`), keyed by the script prefix
and URLconf in force: they follow from the URLconf alone, never from anything about a person.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

from icmec.caching.memo import computed_once

# Arguments that appear in a URL exactly as `str()` writes them, and that the `int`, `uuid`,
# `str` and `slug` path converters all take as they are.
_PLAIN = {int: re.compile(r"[0-9]+"), uuid.UUID: re.compile(r"[0-9a-f-]+")}
_PLAIN_TEXT = re.compile(r"[A-Za-z0-9-]+")
_STAND_INS = {
    int: lambda n: 7_000_000_011 + n,
    uuid.UUID: lambda n: uuid.UUID(int=0x5EA1_0000_0000_4000_8000_0000_0000_0000 + n),
    str: lambda n: f"zq{n}standinzq",
}


def _template(viewname: str, kinds: tuple[type, ...]) -> tuple[str, ...] | None:
    """The reversed URL cut around the stand-ins (None if it cannot be cut reliably)."""
    stand_ins = [_STAND_INS[kind](position) for position, kind in enumerate(kinds)]
    try:
        url = reverse(viewname, args=stand_ins)
    except NoReverseMatch:
        return None
    pieces = [url]
    for stand_in in stand_ins:
        head, found, tail = pieces[-1].partition(str(stand_in))
        if not found or str(stand_in) in tail:
            return None
        pieces[-1:] = [head, tail]
    return tuple(pieces)


def fast_reverse(viewname: str, *args: Any) -> str:
    """`reverse(viewname, args=args)`, the same string, for plain ints, UUIDs and strings."""
    kinds = tuple(type(arg) for arg in args)
    text = [str(arg) for arg in args]
    if not all(
        kind in _STAND_INS and _PLAIN.get(kind, _PLAIN_TEXT).fullmatch(value)
        for kind, value in zip(kinds, text, strict=True)
    ):
        return reverse(viewname, args=args)
    pieces = computed_once(
        (__name__, get_script_prefix(), get_urlconf(), viewname, kinds),
        lambda: _template(viewname, kinds),
    )
    if pieces is None:
        return reverse(viewname, args=args)
    parts = [pieces[0]]
    for value, piece in zip(text, pieces[1:], strict=True):
        parts += (value, piece)
    return "".join(parts)
