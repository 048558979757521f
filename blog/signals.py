"""Cache invalidation when published content changes.

Signals are the one hook Wagtail offers that fires for every way content goes live or away:
publishing from the admin, scheduled publishing by the Celery beat task, unpublishing, moving
and deleting pages, and editing the snippets and settings that public pages show.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from blog import services
from icmec.caching import purge
from icmec.caching.version import content_version_bump


def _bump(**_kwargs) -> None:
    # Now, so that this process sees the change at once, and again after the commit, so that no
    # request that read the old content in between keeps it cached.
    content_version_bump()
    transaction.on_commit(content_version_bump)


def _purge_listings(instance, **_kwargs) -> None:
    page_id = instance.pk
    transaction.on_commit(lambda: services.frontend_cache_purge_listings(page_id=page_id))


def _purge_old_address(instance, url_path_before, url_path_after, **_kwargs) -> None:
    if url_path_before == url_path_after:
        return
    page_id = instance.pk
    transaction.on_commit(
        lambda: purge.page_old_addresses_purge(page_id=page_id, url_path_before=url_path_before)
    )


def _purge_restricted_pages(instance, **_kwargs) -> None:
    # A new or lifted view restriction changes who may read the page and everything under it.
    page_id = instance.page_id
    transaction.on_commit(lambda: purge.page_subtree_purge(page_id=page_id))


def connect() -> None:
    from wagtail.models import Page, PageViewRestriction, Site

    from blog.models import Author, BlogPostPage, Category, SiteImage, SocialMediaSettings

    page_published.connect(_purge_listings, sender=BlogPostPage, dispatch_uid="blog-post-pub")
    page_unpublished.connect(_purge_listings, sender=BlogPostPage, dispatch_uid="blog-post-unpub")
    page_published.connect(_bump, dispatch_uid="blog-page-published")
    page_unpublished.connect(_bump, dispatch_uid="blog-page-unpublished")
    post_page_move.connect(_bump, dispatch_uid="blog-page-moved")
    post_page_move.connect(_purge_old_address, dispatch_uid="blog-page-moved-purge")
    post_delete.connect(_bump, sender=Page, dispatch_uid="blog-page-deleted")
    post_save.connect(_purge_restricted_pages, sender=PageViewRestriction, dispatch_uid="blog-pvr")
    post_delete.connect(
        _purge_restricted_pages, sender=PageViewRestriction, dispatch_uid="blog-pvr-deleted"
    )
    for model in (Author, Category, SiteImage, SocialMediaSettings, Site, PageViewRestriction):
        post_save.connect(_bump, sender=model, dispatch_uid=f"blog-{model.__name__}-saved")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"blog-{model.__name__}-deleted")
