"""RSS and Atom feeds of the blog's public posts (all posts, or one category's)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from blog import selectors
from blog.models import BlogIndexPage, BlogPostPage, Category

FEED_LENGTH = 20


class RssPostsFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "en-au"

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def get_object(self, request, index_page: BlogIndexPage, category_slug: str | None = None):
        category = None
        if category_slug is not None:
            category = Category.objects.filter(slug=category_slug).first()
            if category is None:
                raise Http404("No such category.")
        return {"index": index_page, "category": category}

    def title(self, obj) -> str:
        if obj["category"]:
            return f"{settings.WAGTAIL_SITE_NAME}: {obj['category'].name}"
        return f"{settings.WAGTAIL_SITE_NAME}: {obj['index'].title}"

    def link(self, obj) -> str:
        index = obj["index"]
        if obj["category"]:
            return index.get_full_url(self.request) + index.reverse_subpage(
                "category_posts", kwargs={"slug": obj["category"].slug}
            ).lstrip("/")
        return index.get_full_url(self.request)

    def description(self, obj) -> str:
        if obj["category"] and obj["category"].description:
            return obj["category"].description
        return (
            obj["index"].introduction
            or "News, research and events from across the child-protection response ecosystem."
        )

    def feed_url(self, obj) -> str:
        return self.request.build_absolute_uri(self.request.path)

    def items(self, obj) -> list[BlogPostPage]:
        category = obj["category"]
        return list(
            selectors.feed_posts(
                category_slug=category.slug if category else None, limit=FEED_LENGTH
            )
        )

    def item_title(self, item: BlogPostPage) -> str:
        return item.title

    def item_description(self, item: BlogPostPage) -> str:
        return item.summary

    def item_link(self, item: BlogPostPage) -> str:
        return item.get_full_url(self.request)

    def item_guid(self, item: BlogPostPage) -> str:
        return item.get_full_url(self.request)

    def item_pubdate(self, item: BlogPostPage) -> datetime.datetime:
        # The post's date, at the time of day it first went live (or midday), so that two posts
        # of one day keep their order in readers.
        first = item.first_published_at
        moment = timezone.localtime(first).time() if first else datetime.time(12, 0)
        return timezone.make_aware(datetime.datetime.combine(item.date_published, moment))

    def item_updateddate(self, item: BlogPostPage) -> datetime.datetime | None:
        return item.last_published_at

    def item_author_name(self, item: BlogPostPage) -> str | None:
        names = [author.name for author in item.authors.all()]
        return ", ".join(names) or None

    def item_categories(self, item: BlogPostPage) -> list[str]:
        return [category.name for category in item.categories.all()]


class AtomPostsFeed(RssPostsFeed):
    feed_type = Atom1Feed

    def subtitle(self, obj) -> str:
        return self.description(obj)
