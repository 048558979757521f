"""Reading the apps' demo content files (TOML), shared by every app's demo loader.

The files are written for people, not parsers: a long text may be wrapped over as many lines as
its writer likes. So every text is read with its line breaks and runs of spaces as single spaces,
and without the spaces around HTML block tags (`<p>`, `<li>`...), which a browser ignores anyway
but which would otherwise show up as changes in Wagtail's revision comparisons.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

_SPACES = re.compile(r"\s+")
_AROUND_BLOCK_TAGS = re.compile(r"\s*(</?(?:p|ul|ol|li|h[2-6]|hr|blockquote)\b[^>]*>)\s*")


def tidy_text(text: str) -> str:
    """The text as it is stored: one space wherever the file wraps a line or has several."""
    return _AROUND_BLOCK_TAGS.sub(r"\1", _SPACES.sub(" ", text).strip())


def _tidy(value: Any) -> Any:
    if isinstance(value, str):
        return tidy_text(value)
    if isinstance(value, list):
        return [_tidy(item) for item in value]
    if isinstance(value, dict):
        return {key: _tidy(item) for key, item in value.items()}
    return value


def read_content(path: Path) -> dict[str, Any]:
    """The TOML file's tables, every text tidied (see the module docstring)."""
    with path.open("rb") as file:
        return _tidy(tomllib.load(file))
