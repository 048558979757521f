"""The member directory: full-text search, filters, the page's rows and the filters' choices."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Count, F, Prefetch, QuerySet

from icmec.caching.memo import cached_shared
from portal.models import ExpertiseTag, MemberProfile, User
from portal.selectors.profiles import (
    approved_profiles,
    attach_connection_state,
    attach_expertise,
    not_blocked,
)

_WORD = re.compile(r"[\w]+", re.UNICODE)


def _search_query(text: str) -> SearchQuery | None:
    words = _WORD.findall(text.lower())[:8]
    if not words:
        return None
    # Names match on their beginnings ("jan" finds Janet); prose matches on English stems.
    prefix = " & ".join(f"{word}:*" for word in words)
    return SearchQuery(prefix, search_type="raw", config="simple") | SearchQuery(
        " ".join(words), search_type="plain", config="english"
    )


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    sector: str = ""
    country: str = ""
    expertise: str = ""


def directory_matches(*, viewer: User, filters: DirectoryFilters) -> QuerySet[MemberProfile]:
    """Who the directory finds, without ordering or annotations (what the page counts)."""
    profiles = not_blocked(MemberProfile.objects.filter(listed=True).exclude(user=viewer), viewer)
    if filters.sector:
        profiles = profiles.filter(sector=filters.sector)
    if filters.country:
        profiles = profiles.filter(country=filters.country)
    if filters.expertise:
        profiles = profiles.filter(tagged_expertise__tag__slug=filters.expertise)
    query = _search_query(filters.q)
    if query is not None:
        profiles = profiles.filter(search_vector=query)
    return profiles


_NAME_FIELDS = ("first_name", "last_name", "email")
# What a card in the directory shows: not the bio, nor the search vector (the widest columns).
# The account's fields come last.
DIRECTORY_CARD_FIELDS = (
    "public_id",
    "user_id",
    "organisation",
    "job_title",
    "sector",
    "country",
    "photo_key",
    "user__first_name",
    "user__last_name",
    "user__email",
)


def directory_search(*, viewer: User, filters: DirectoryFilters) -> QuerySet[MemberProfile]:
    """The directory: visible members but the viewer, searched and filtered, best match first
    (else in `sort_name` order, which the listed profiles' index gives without sorting). Take
    a page of it with `directory_rows`."""
    profiles = directory_matches(viewer=viewer, filters=filters)
    query = _search_query(filters.q)
    if query is not None:
        # A search ranks (and counts) every match before it keeps a page: the accounts' names
        # are read afterwards for that page alone, not joined to every match first.
        return (
            profiles.only(*DIRECTORY_CARD_FIELDS[:-3])
            .prefetch_related(Prefetch("user", queryset=User.objects.only(*_NAME_FIELDS)))
            .order_by(-SearchRank(F("search_vector"), query), "sort_name", "pk")
        )
    return profiles.select_related("user").only(*DIRECTORY_CARD_FIELDS).order_by("sort_name", "pk")


def directory_rows(queryset: QuerySet[MemberProfile], viewer: User) -> list[MemberProfile]:
    """A page of `directory_search` as the cards show it: with the viewer's connection state
    and each member's areas of expertise (two more queries, whatever the page's length)."""
    return attach_expertise(attach_connection_state(list(queryset), viewer))


FILTER_OPTIONS_TIMEOUT = 300  # seconds; new countries and tags appear in the filters this late


@dataclass(frozen=True)
class DirectoryFilterOptions:
    countries: list[str]  # codes that at least one approved member has
    expertise: list[tuple[str, str]]  # the most used areas of expertise, as (slug, name)


def directory_filter_options(expertise_limit: int = 40) -> DirectoryFilterOptions:
    """The choices of the directory's country and expertise filters. The same for everyone, so
    cached together for a few minutes (one cache read a page)."""

    def compute() -> DirectoryFilterOptions:
        countries = approved_profiles().order_by().values_list("country", flat=True).distinct()
        expertise = (
            ExpertiseTag.objects.filter(
                tagged_profiles__content_object__in=approved_profiles().values("pk")
            )
            .annotate(uses=Count("tagged_profiles"))
            .order_by("-uses", "name")
            .values_list("slug", "name")[:expertise_limit]
        )
        return DirectoryFilterOptions(sorted(countries), list(expertise))

    return cached_shared(
        f"portal:directory:filters:{expertise_limit}", compute, timeout=FILTER_OPTIONS_TIMEOUT
    )
