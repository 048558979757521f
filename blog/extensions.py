"""What the apps above the blog add to the public site it owns: kinds of pages the site's search
finds, and sections of the home page.

The blog may not import the apps above it (docs/architecture.md), so they register here from
their `AppConfig.ready()`, as they register exporters in `portal.privacy`; the blog registers
its own kinds of search results the same way, from `BlogConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.http import HttpRequest

if TYPE_CHECKING:
    from wagtail.models import Page


@dataclass(frozen=True)
class SearchableType:
    """A page type the site's search finds, and how a result of it is shown.

    Fields are named as `Page` reaches them: `"eventpage__summary"` for a field of the type,
    `"search_description"` for one of `Page`'s own.
    """

    model: type[Page]
    label: str  # what a result of this type is called ("News", "Event")
    excerpt: tuple[str, ...] = ()  # text fields tried in turn for the result's excerpt
    body: str = ""  # a body StreamField, for the words around a match
    date: str = ""  # a date shown with the result, or a datetime (with `time_zone`)
    time_zone: str = ""  # the field naming the zone a datetime `date` is shown in
    # True for the pages only approved members see: the search leaves them out for everyone
    # else (the one members-only rule, `visitor_is_member`) and badges them for members.
    members_only: Q | None = None


@dataclass(frozen=True)
class HomeSection:
    """A section of the home page, below the latest posts.

    `context(request)` returns the values `template` reads, read lazily: the section is inside a
    cached fragment that varies on the content version, the visitor's membership and
    `cache_variant()` (a value that changes when the section must be rendered again without
    anything being published, such as the time bucket of a list of what is to come).
    """

    name: str
    template: str
    context: Callable[[HttpRequest], Mapping[str, Any]]
    cache_variant: Callable[[], str] = str
    order: int = 100


_searchable: dict[type[Page], SearchableType] = {}
_home_sections: dict[str, HomeSection] = {}


def register_searchable(searchable: SearchableType) -> None:
    """Let the site's search find pages of `searchable.model` (once per type)."""
    _searchable[searchable.model] = searchable


def searchable_types() -> list[SearchableType]:
    if not _searchable:
        raise ImproperlyConfigured("No searchable page type registered (BlogConfig.ready()).")
    return list(_searchable.values())


def register_home_section(section: HomeSection) -> None:
    """Add `section` to the home page (once per name)."""
    _home_sections[section.name] = section


def home_sections() -> list[HomeSection]:
    """The home page's sections, in their order."""
    return sorted(_home_sections.values(), key=lambda section: (section.order, section.name))
