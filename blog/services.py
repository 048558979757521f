"""Writes for the public site: scheduled publishing, cache invalidation."""

from __future__ import annotations

import io
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page, Site

from blog.selectors import CONTENT_VERSION_KEY, blog_index

logger = logging.getLogger(__name__)

# Any constant that identifies "the scheduled publishing run" among PostgreSQL advisory locks.
SCHEDULED_PUBLISHING_LOCK = 0x1C3EC_B106


def content_version_bump() -> str:
    """Mark every fragment cache of published content as stale (a new content version).

    Called when a page is published, unpublished, moved or deleted, and when a snippet or setting
    shown on public pages changes.
    """
    version = str(time.time_ns())
    cache.set(CONTENT_VERSION_KEY, version, timeout=None)
    return version


def scheduled_pages_publish() -> bool:
    """Publish what is due and unpublish what has expired (pages, snippets), once.

    Runs Wagtail's own scheduled publishing logic (`publish_scheduled`). Safe to run twice and
    concurrently: a PostgreSQL advisory lock lets only one run proceed at a time, and a published
    revision loses its go-live time, so it is never published twice. Each page is published in its
    own transaction, so one failure does not hold back the others. Returns False when another run
    held the lock.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SCHEDULED_PUBLISHING_LOCK])
        (acquired,) = cursor.fetchone()
    if not acquired:
        logger.info("Scheduled publishing is already running elsewhere; skipping this run.")
        return False
    try:
        call_command("publish_scheduled", stdout=io.StringIO())
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SCHEDULED_PUBLISHING_LOCK])
    return True


def frontend_cache_purge_listings(*, page_id: int) -> None:
    """Purge from the CDN the pages that list a post: the home page, the blog with its filters and
    feeds, and the sitemap. (Wagtail's frontend cache app purges the post's own address.)"""
    if not settings.WAGTAILFRONTENDCACHE:
        return
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return
    for site in Site.objects.select_related("root_page"):
        if not page.path.startswith(site.root_page.path):
            continue
        batch = PurgeBatch()
        batch.add_page(site.root_page)
        index = blog_index(site=site)
        if index is not None:
            batch.add_page(index)
        batch.add_url(site.root_url + "/sitemap.xml")
        batch.purge()


def frontend_cache_purge_moved(*, page_id: int, url_path_before: str) -> None:
    """Purge the addresses a moved page and its descendants had before the move (Wagtail purges
    only the new ones, and its redirects app the old address without its trailing slash)."""
    if not settings.WAGTAILFRONTENDCACHE:
        return
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return
    old_paths = [url_path_before] + [
        url_path_before + descendant.url_path[len(page.url_path) :]
        for descendant in page.get_descendants().only("url_path")
    ]
    batch = PurgeBatch()
    for site in Site.objects.select_related("root_page"):
        root = site.root_page.url_path
        batch.add_urls(
            site.root_url + "/" + path[len(root) :] for path in old_paths if path.startswith(root)
        )
    batch.purge()


def frontend_cache_purge_subtree(*, page_id: int) -> None:
    """Purge a page and every page under it (its view restrictions changed)."""
    if not settings.WAGTAILFRONTENDCACHE:
        return
    page = Page.objects.filter(pk=page_id).first()
    if page is None:
        return
    batch = PurgeBatch()
    batch.add_pages(Page.objects.descendant_of(page, inclusive=True).live().specific())
    batch.purge()
