"""Site-wide template tags: navigation, breadcrumbs, search highlighting."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.http import QueryDict
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page, Site

register = template.Library()


@register.inclusion_tag("components/main_nav.html", takes_context=True)
def main_nav(context):
    """The home page's children marked "show in menus" (from the cached site chrome)."""
    current = context.get("page")
    current_path = current.url_path if isinstance(current, Page) else ""
    chrome = context.get("site_chrome") or {}
    items = []
    for item in chrome.get("nav", []):
        if current_path == item["url_path"]:
            state = "page"
        elif current_path.startswith(item["url_path"]):
            state = "true"  # a page inside this section
        else:
            state = ""
        items.append({**item, "current": state})
    return {"items": items}


@register.inclusion_tag("components/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, page: Page, *trail: str):
    """Home › ... › the page's parent, then the page (and `trail`, e.g. a filter's name).

    Pages directly under the home page, and posts, need no query: their ancestors are the home
    page and the blog, both known from the site chrome.
    """
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    chrome = context.get("site_chrome") or {}
    crumbs: list[dict[str, str]] = []
    if site is not None and page.pk != site.root_page_id:
        crumbs.append({"title": "Home", "url": "/"})
        if page.depth > site.root_page.depth + 1:
            parent_path = page.url_path.rsplit("/", 2)[0] + "/"
            blog_path = site.root_page.url_path + chrome.get("blog_url", "").lstrip("/")
            if chrome.get("blog_url") and parent_path == blog_path:
                crumbs.append({"title": chrome["blog_title"], "url": chrome["blog_url"]})
            else:
                ancestors = page.get_ancestors().filter(depth__gt=site.root_page.depth)
                for ancestor in ancestors.only("title", "url_path"):
                    crumbs.append({"title": ancestor.title, "url": ancestor.get_url(request)})
    current = {"title": page.title, "url": page.get_url(request)}
    if trail:
        crumbs.append(current)
        current = {"title": trail[-1], "url": ""}
    return {"crumbs": crumbs, "current": current}


def _terms(query: str) -> list[str]:
    words = {word for word in re.split(r"\W+", query or "") if len(word) > 1}
    return sorted(words, key=len, reverse=True)


@register.filter
def highlight(text, query: str) -> SafeString:
    """Escape `text` and wrap the words that start with a search term in <mark>."""
    text = str(text or "")
    terms = _terms(query)
    if not terms:
        return escape(text)
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")\w*", re.IGNORECASE)
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above


@register.filter
def hostname(url: str) -> str:
    """www.example.org for https://www.example.org/path."""
    host = urlsplit(str(url or "")).hostname or ""
    return host.removeprefix("www.")


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with `changes` applied (a value of None removes the key)."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    if params.get("page") in ("1", 1):
        params.pop("page")
    return params.urlencode()


@register.filter
def absolute_url(url: str) -> str:
    """An absolute URL on the site's public address (SITE_URL) for a path."""
    url = str(url or "")
    if url.startswith("/") and not url.startswith("//"):
        return settings.SITE_URL + url
    return url


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """This page's address on SITE_URL, without query parameters except a page number."""
    request = context.get("request")
    if request is None:
        return settings.SITE_URL + "/"
    url = settings.SITE_URL + request.path
    page_number = request.GET.get("page")
    if page_number and page_number.isdigit() and page_number != "1":
        url += f"?page={page_number}"
    return url


@register.simple_tag
def share_image_for(page):
    """The image that represents a page when shared: a post's featured image, the home page's
    hero image, or None."""
    return getattr(page, "featured_image", None) or getattr(page, "hero_image", None)
