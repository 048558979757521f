"""Loading the events' demo content from `content/events.toml`: the events index page under the
home page, three speakers, three upcoming events (a public webinar, a members-only training with
two places and a waiting list, an in-person roundtable) and two past ones.

Idempotent: an index page, speaker or event that exists (found by slug or name) is left as it is.
Nothing is booked and nobody is emailed.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import OutputWrapper
from django.core.management.color import Style
from django.utils import timezone

from blog.models import HomePage
from events.models import EventIndexPage, EventPage, Speaker
from icmec.demo import read_content

CONTENT = read_content(Path(__file__).resolve().parent / "content" / "events.toml")


def _index(home: HomePage) -> EventIndexPage:
    index = EventIndexPage.objects.child_of(home).first()
    if index is not None:
        return index
    spec = CONTENT["index"]
    index = EventIndexPage(
        title=spec["title"],
        slug=spec["slug"],
        introduction=spec["introduction"],
        show_in_menus=True,
    )
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


def _speakers() -> dict[str, Speaker]:
    speakers = {}
    for spec in CONTENT["speaker"]:
        speaker, _ = Speaker.objects.get_or_create(
            name=spec["name"], defaults={"role": spec["role"]}
        )
        speakers[spec["key"]] = speaker
    return speakers


def local_start(spec: dict[str, Any], today: datetime.date) -> datetime.datetime:
    """The event's start: `starts_in_days` from today, at `start_time` in its own zone."""
    hour, minute = (int(part) for part in spec["start_time"].split(":"))
    day = today + datetime.timedelta(days=spec["starts_in_days"])
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=ZoneInfo(spec["time_zone"])
    )


def _event(index: EventIndexPage, spec: dict[str, Any], speakers: dict[str, Speaker]) -> bool:
    if EventPage.objects.filter(slug=spec["slug"]).exists():
        return False
    start = local_start(spec, timezone.localdate())
    event = EventPage(
        title=spec["title"],
        slug=spec["slug"],
        summary=spec["summary"],
        body=[{"type": "paragraph", "value": spec["body"]}],
        start_at=start,
        end_at=start + datetime.timedelta(minutes=spec["duration_minutes"]),
        time_zone=spec["time_zone"],
        kind=spec["kind"],
        format=spec["format"],
        audience=spec["audience"],
        venue=spec.get("venue", ""),
        address=spec.get("address", ""),
        joining_link=spec.get("joining_link", ""),
        capacity=spec.get("capacity"),
        waiting_list=spec["waiting_list"],
        resources_url=spec.get("resources_url", ""),
    )
    index.add_child(instance=event)
    event.speakers.set([speakers[key] for key in spec["speakers"]])
    event.save_revision().publish()
    return True


def load(*, stdout: OutputWrapper, style: Style) -> None:
    """Create whatever part of the demo events is missing (see the module docstring)."""
    home = HomePage.objects.order_by("path").first()
    if home is None:
        stdout.write("Events: no home page, nothing to add.")
        return
    index = _index(home)
    speakers = _speakers()
    created = [spec["title"] for spec in CONTENT["event"] if _event(index, spec, speakers)]
    if created:
        stdout.write(f"Events: created {len(created)} events on the {index.title!r} page.")
    else:
        stdout.write("Events: demo content already in place.")
