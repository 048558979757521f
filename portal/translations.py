"""Labels that lists translate on every row, translated once per language.

Turning a lazy translation into text looks up the active language and walks the catalogue's
fallbacks each time (about 8 microseconds a call on the project's machine): a directory page
translated its twenty sector names again on every card, a thread its fifty month names, the
connections page the units of thirty "time since" texts. The texts are the same for every
visitor in a language, so each is translated once per process and language and kept
(`icmec.caching.memo.computed_once`: the catalogues are the code's); nothing about a member is
kept.
"""

from __future__ import annotations

from collections.abc import Hashable

from django.utils.functional import Promise
from django.utils.translation import get_language

from icmec.caching.memo import computed_once


def translated(key: Hashable, message: Promise | str, *, language: str | None = None) -> str:
    """`str(message)` in the active language (or `language`, when the caller already read
    it), kept under `key`, which must name the message and any values formatted into it."""
    if language is None:
        language = get_language()
    return computed_once((__name__, language, key), lambda: str(message))
