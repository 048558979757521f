"""Removing changed pages from the caching proxy (and CDN) in front of the site, through
Wagtail's frontend cache (`WAGTAILFRONTENDCACHE`; nothing happens without one).

Wagtail purges a page's own address when it is published or unpublished. What it does not purge
is handled here: other addresses that show the page (an app says which, per site), the addresses
a moved page had before, and a subtree whose view restrictions changed. Each function takes a page
id, so that it can run after the transaction commits (or in a task) and finds the page as stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from django.conf import settings
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page, Site


def purge_enabled() -> bool:
    """Whether a frontend cache is configured (there is something to purge)."""
    return bool(settings.WAGTAILFRONTENDCACHE)


def _page(page_id: int) -> Page | None:
    return Page.objects.filter(pk=page_id).first() if purge_enabled() else None


def _sites() -> Iterable[Site]:
    return Site.objects.select_related("root_page")


def purge_in_sites_of(*, page_id: int, addresses: Callable[[Site], Iterable[Page | str]]) -> None:
    """In every site that holds the page, purge what `addresses(site)` lists (pages, or absolute
    URLs): the pages that show this one (listings, feeds, the sitemap)."""
    page = _page(page_id)
    if page is None:
        return
    for site in _sites():
        if not page.path.startswith(site.root_page.path):
            continue
        batch = PurgeBatch()
        for address in addresses(site):
            if isinstance(address, str):
                batch.add_url(address)
            else:
                batch.add_page(address)
        batch.purge()


def listing_addresses(site: Site, index: Page | None) -> Iterator[Page | str]:
    """What lists a section's pages in `site`: the home page, the section's index (with its own
    cached paths: filters, feeds) when the site has one, and the sitemap."""
    yield site.root_page
    if index is not None:
        yield index
    yield site.root_url + "/sitemap.xml"


def page_old_addresses_purge(*, page_id: int, url_path_before: str) -> None:
    """Purge the addresses a moved page and its descendants had before the move (Wagtail purges
    only the new ones, and its redirects app the old address without its trailing slash)."""
    page = _page(page_id)
    if page is None:
        return
    old_paths = [url_path_before] + [
        url_path_before + descendant.url_path[len(page.url_path) :]
        for descendant in page.get_descendants().only("url_path")
    ]
    batch = PurgeBatch()
    for site in _sites():
        root = site.root_page.url_path
        batch.add_urls(
            site.root_url + "/" + path[len(root) :] for path in old_paths if path.startswith(root)
        )
    batch.purge()


def page_subtree_purge(*, page_id: int) -> None:
    """Purge a page and every page under it (its view restrictions changed)."""
    page = _page(page_id)
    if page is None:
        return
    batch = PurgeBatch()
    batch.add_pages(Page.objects.descendant_of(page, inclusive=True).live().specific())
    batch.purge()
