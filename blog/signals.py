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


def _bump(**_kwargs) -> None:
    # Now, so that this process sees the change at once, and again after the commit, so that no
    # request that read the old content in between keeps it cached.
    services.content_version_bump()
    transaction.on_commit(services.content_version_bump)


def _purge_listings(instance, **_kwargs) -> None:
    page_id = instance.pk
    transaction.on_commit(lambda: services.frontend_cache_purge_listings(page_id=page_id))


def connect() -> None:
    from wagtail.models import Page

    from blog.models import Author, BlogPostPage, Category, SiteImage, SocialMediaSettings

    page_published.connect(_purge_listings, sender=BlogPostPage, dispatch_uid="blog-post-pub")
    page_unpublished.connect(_purge_listings, sender=BlogPostPage, dispatch_uid="blog-post-unpub")
    page_published.connect(_bump, dispatch_uid="blog-page-published")
    page_unpublished.connect(_bump, dispatch_uid="blog-page-unpublished")
    post_page_move.connect(_bump, dispatch_uid="blog-page-moved")
    post_delete.connect(_bump, sender=Page, dispatch_uid="blog-page-deleted")
    for model in (Author, Category, SiteImage, SocialMediaSettings):
        post_save.connect(_bump, sender=model, dispatch_uid=f"blog-{model.__name__}-saved")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"blog-{model.__name__}-deleted")
