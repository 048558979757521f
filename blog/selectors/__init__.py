"""Reads for the public site. Never write.

- `visibility`: who may read what (every list of posts goes through it);
- `listings`: lists of posts, their counts and filters, feeds, the sitemap, the blog itself;
- `search`: search pages, one page of results (`SearchHit`) and their cache;
- `site`: the links every page shows (site chrome), free slugs.

The names are re-exported here, where callers (and other apps) have always found them.
"""

from blog.selectors.listings import (
    CARD_FIELDS,
    CARD_IMAGE_FILTERS,
    CARD_IMAGE_SPEC,
    archive_years,
    blog_index,
    card_renditions,
    card_renditions_prefetch,
    categories_in_use,
    category_by_slug,
    featured_post_ids,
    featured_posts,
    feed_posts,
    latest_posts,
    post_count,
    post_list,
    related_posts,
    sitemap_pages,
    tag_by_slug,
    with_card_data,
)
from blog.selectors.search import (
    SEARCH_CACHE_TIMEOUT,
    SNIPPET_START,
    SNIPPET_STOP,
    SearchHit,
    StreamText,
    search_pages,
    search_results,
)
from blog.selectors.site import page_free_slug, site_chrome
from blog.selectors.visibility import (
    Visitor,
    hide_members_only,
    post_is_readable_by,
    public_pages,
    restricted_page_ids,
    visible_posts,
    visitor_is_member,
)
from blog.wagtail_internals import site_for_request

__all__ = [
    "CARD_FIELDS",
    "CARD_IMAGE_FILTERS",
    "CARD_IMAGE_SPEC",
    "SEARCH_CACHE_TIMEOUT",
    "SNIPPET_START",
    "SNIPPET_STOP",
    "SearchHit",
    "StreamText",
    "Visitor",
    "archive_years",
    "blog_index",
    "card_renditions",
    "card_renditions_prefetch",
    "categories_in_use",
    "category_by_slug",
    "feed_posts",
    "featured_post_ids",
    "featured_posts",
    "hide_members_only",
    "latest_posts",
    "page_free_slug",
    "post_count",
    "post_is_readable_by",
    "post_list",
    "public_pages",
    "related_posts",
    "restricted_page_ids",
    "search_pages",
    "search_results",
    "site_chrome",
    "site_for_request",
    "sitemap_pages",
    "tag_by_slug",
    "visible_posts",
    "visitor_is_member",
    "with_card_data",
]
