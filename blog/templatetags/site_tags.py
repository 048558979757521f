"""Site-wide template tags: navigation, breadcrumbs, search highlighting, the home page's
sections from other apps, structured data (JSON-LD)."""

from __future__ import annotations

import html
import json
import re
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.core.paginator import Page as PaginatorPage
from django.core.serializers.json import DjangoJSONEncoder
from django.http import QueryDict
from django.utils.html import escape, format_html
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
def mentions(text, query: str) -> bool:
    """Whether `text` holds a word starting with one of the search terms (as `highlight` marks)."""
    terms = _terms(query)
    if not terms:
        return False
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, terms)) + r")", re.IGNORECASE)
    return bool(pattern.search(str(text or "")))


@register.filter
def search_snippet(snippet: str) -> SafeString:
    """A body snippet from the search (`blog.selectors.SearchHit.body_snippet`) as HTML: the text
    escaped, the matched words in <mark>. The text comes from rich text, so its entities are
    decoded first (and escaped again)."""
    from blog.selectors import SNIPPET_START, SNIPPET_STOP

    parts, is_open = [], False
    for piece in re.split(f"({SNIPPET_START}|{SNIPPET_STOP})", str(snippet or "")):
        if piece == SNIPPET_START:
            if not is_open:
                parts.append("<mark>")
                is_open = True
        elif piece == SNIPPET_STOP:
            if is_open:
                parts.append("</mark>")
                is_open = False
        else:
            parts.append(escape(re.sub(r"\s+", " ", html.unescape(piece))))
    if is_open:
        parts.append("</mark>")
    return mark_safe("".join(parts).strip())  # noqa: S308 - every piece of text is escaped above


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
    """This page's address on SITE_URL, without query parameters except the number of the page
    of a list shown (after clamping: `?page=999` of a three-page list is page 3)."""
    request = context.get("request")
    if request is None:
        return settings.SITE_URL + "/"
    url = settings.SITE_URL + request.path
    for name in PAGINATED_CONTEXT_NAMES:
        shown = context.get(name)
        if isinstance(shown, PaginatorPage):
            if shown.number != 1:
                url += f"?page={shown.number}"
            break
    return url


# The names under which views put the page of a paginated list in their template's context.
PAGINATED_CONTEXT_NAMES = ("posts", "results", "issues", "page_obj")


@register.simple_tag
def share_image_for(page):
    """The image that represents a page when shared: its `share_image` (a post's featured
    image, an event's image, the home page's hero image), or None."""
    return getattr(page, "share_image", None)


@register.simple_tag
def page_links(page, around: int = 2) -> list[dict]:
    """The page numbers a pagination bar shows: the first, the last and `around` either side of
    the current one, with a gap (None) where numbers are left out."""
    last = page.paginator.num_pages
    current = page.number
    shown = {1, last, *range(max(1, current - around), min(last, current + around) + 1)}
    links: list[dict] = []
    previous = 0
    for number in sorted(shown):
        if number - previous > 1:
            links.append({"gap": True})
        links.append({"number": number, "current": number == current})
        previous = number
    return links


@register.simple_tag(takes_context=True)
def home_section(context, section) -> str:
    """Render a section another app added to the home page (`blog.views.pages.HomeSectionShown`)
    with its own values on top of the page's context."""
    section_template = context.template.engine.get_template(section.template)
    with context.push(**section.values):
        return section_template.render(context)


# What must not appear as such inside a <script> element: "</script>" or "<!--" would end or
# change it, "&" keeps the JSON the same in HTML and XHTML; U+2028 and U+2029 for old parsers.
JSON_SCRIPT_ESCAPES = {
    ord("<"): "\\u003C",
    ord(">"): "\\u003E",
    ord("&"): "\\u0026",
    ord("\u2028"): "\\u2028",
    ord("\u2029"): "\\u2029",
}


@register.simple_tag
def json_ld(data) -> str:
    """`data` as a JSON-LD block (schema.org structured data), escaped as Django's `json_script`
    escapes JSON: no value can close the element, whatever it holds.

    A `<script type="application/ld+json">` is a data block, never run, so the Content Security
    Policy (no inline script) allows it and it needs no nonce (which would make every copy of a
    cached page differ)."""
    if not data:
        return ""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(
        JSON_SCRIPT_ESCAPES
    )
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308
