"""Removing from the caching proxy (and a CDN) the pages that show an event once it is published,
unpublished or changed by staff: the home page (its next events), the events index with its past
events and public calendar feed, and the sitemap (`icmec.caching.purge.listing_addresses`).
Wagtail's frontend cache purges the event's own page on publication (and its calendar file,
`EventPage.get_cached_paths`); a staff action, which publishes nothing, purges it here."""

from __future__ import annotations

from collections.abc import Iterator

from wagtail.models import Page, Site

from events.models import EventIndexPage, EventPage
from icmec.caching import purge


def _listings(site: Site) -> Iterator[Page | str]:
    index = EventIndexPage.objects.live().descendant_of(site.root_page).first()
    return purge.listing_addresses(site, index)


def frontend_cache_purge_event_listings(*, page_id: int) -> None:
    """Purge the pages that list the event `page_id` (nothing without a frontend cache)."""
    purge.purge_in_sites_of(page_id=page_id, addresses=_listings)


def frontend_cache_purge_event(*, page_id: int) -> None:
    """Purge the event's own page (and calendar file) with the pages that list it."""
    if not purge.purge_enabled():
        return  # no frontend cache: nothing to purge, and no query to find out
    event = EventPage.objects.filter(pk=page_id).first()
    if event is None:
        return
    purge.purge_in_sites_of(page_id=page_id, addresses=lambda site: [event, *_listings(site)])
