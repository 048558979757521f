"""A registry through which each app contributes to a member's data export and erasure.

The portal owns "Download my data" and "Delete my account", but other apps hold personal data
too (the newsletter holds the member's subscription). Each app registers one exporter and one
eraser in its AppConfig.ready(), so the portal never imports their models.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from portal.models import User

Exporter = Callable[[User], Any]
Eraser = Callable[[User], None]


@dataclass(frozen=True)
class PrivacyHandler:
    name: str
    exporter: Exporter
    eraser: Eraser


_handlers: dict[str, PrivacyHandler] = {}


def register(name: str, *, exporter: Exporter, eraser: Eraser) -> None:
    """Register the export section `name` and the eraser of an app's personal data."""
    _handlers[name] = PrivacyHandler(name=name, exporter=exporter, eraser=eraser)


def handlers() -> list[PrivacyHandler]:
    return list(_handlers.values())
