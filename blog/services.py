"""Writes for the public site: scheduled publishing, purging the listings of a post."""

from __future__ import annotations

import io
import logging

from django.core.management import call_command
from django.db import connection

from blog.selectors import blog_index
from icmec.caching import purge

# Named here too, where callers have always found it (the version itself is icmec.caching's).
from icmec.caching.version import content_version_bump as content_version_bump

logger = logging.getLogger(__name__)

# Any constant that identifies "the scheduled publishing run" among PostgreSQL advisory locks.
SCHEDULED_PUBLISHING_LOCK = 0x1C3EC_B106


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
    purge.purge_in_sites_of(
        page_id=page_id,
        addresses=lambda site: purge.listing_addresses(site, blog_index(site=site)),
    )
