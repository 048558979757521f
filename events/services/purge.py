"""Removing from the caching proxy (and a CDN) the pages that list an event once it is published
or unpublished: the home page (its next events), the events index with its past events and
public calendar feed, and the sitemap. Wagtail's frontend cache purges the event's own page (and
its calendar file, `EventPage.get_cached_paths`)."""

from __future__ import annotations

from collections.abc import Iterator

from wagtail.models import Page, Site

from events.models import EventIndexPage
from icmec.caching import purge


def _listing_addresses(site: Site) -> Iterator[Page | str]:
    yield site.root_page
    index = EventIndexPage.objects.live().descendant_of(site.root_page).first()
    if index is not None:
        yield index  # with its cached paths: /, /past/, /calendar/
    yield site.root_url + "/sitemap.xml"


def frontend_cache_purge_event_listings(*, page_id: int) -> None:
    """Purge the pages that list the event `page_id` (nothing without a frontend cache)."""
    purge.purge_in_sites_of(page_id=page_id, addresses=_listing_addresses)
