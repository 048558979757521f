"""Rendering a newsletter issue (and the transactional emails) into HTML and plain text.

An issue is rendered ONCE when sending starts: its HTML (CSS inlined with css-inline) and text
are stored on the issue with placeholders for the per-recipient parts, which the sender swaps in
for each message (`personalise`). That keeps the cost per recipient to a few string operations.

Rendering reads through models and selectors; neither imports it (the issue's preview in the
admin reaches it through a template tag, see `Issue.get_preview_template`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from typing import Any

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from wagtail.rich_text import expand_db_html

from newsletter import selectors
from newsletter.models import Issue

UNSUBSCRIBE_PLACEHOLDER = "%%unsubscribe_url%%"
EMAIL_IMAGE_RENDITION = "width-1200"
EMAIL_IMAGE_WIDTH = 560

_inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
_relative_attr = re.compile(r'(\s(?:href|src)=")(/(?!/)[^"]*)"')


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


def absolute_url(url: str) -> str:
    """A URL usable in an email: relative URLs get the site's address in front."""
    if not url or url.startswith(("http://", "https://", "mailto:", "#", "%%")):
        return url
    return f"{settings.SITE_URL}{url if url.startswith('/') else '/' + url}"


def absolutise_html(html: str) -> str:
    return _relative_attr.sub(lambda m: f'{m.group(1)}{absolute_url(m.group(2))}"', html)


def inline_css(html: str) -> str:
    return _inliner.inline(html)


class _TextConverter(HTMLParser):
    """Rich text to readable plain text: paragraphs, list bullets, links as "text (url)"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.list_stack: list[list[int | str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "h2", "h3", "h4", "div"):
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "hr":
            self.parts.append("\n\n----\n\n")
        elif tag in ("ul", "ol"):
            self.list_stack.append([tag, 0])
            self.parts.append("\n")
        elif tag == "li":
            marker = "-"
            if self.list_stack and self.list_stack[-1][0] == "ol":
                self.list_stack[-1][1] = int(self.list_stack[-1][1]) + 1
                marker = f"{self.list_stack[-1][1]}."
            self.parts.append(f"\n{'  ' * max(0, len(self.list_stack) - 1)}{marker} ")
        elif tag == "a":
            self.links.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self.list_stack:
            self.list_stack.pop()
            self.parts.append("\n")
        elif tag == "a" and self.links:
            href = absolute_url(self.links.pop())
            if href and not href.startswith("#"):
                self.parts.append(f" ({href})")
        elif tag in ("p", "h2", "h3", "h4"):
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"\s+", " ", data))

    def text(self) -> str:
        text = "".join(self.parts)
        text = re.sub(r"[ \t]+\n", "\n", text)
        text = re.sub(r"\n{3,}", "\n\n", text)
        return text.strip()


def html_to_text(html: str) -> str:
    converter = _TextConverter()
    converter.feed(html)
    converter.close()
    return unescape(converter.text())


def _image_data(image: Any, alt: str) -> dict[str, Any] | None:
    if image is None:
        return None
    rendition = image.get_rendition(EMAIL_IMAGE_RENDITION)
    width = min(EMAIL_IMAGE_WIDTH, rendition.width)
    height = round(rendition.height * width / rendition.width) if rendition.width else None
    return {
        "url": absolute_url(rendition.url),
        "alt": alt or image.description or "",
        "width": width,
        "height": height,
    }


def _post_data(post: Any, summary: str = "") -> dict[str, Any]:
    return {
        "title": post.title,
        "url": absolute_url(post.get_url() or post.url_path),
        "summary": summary or post.summary,
        "date": post.date_published,
        "image": _image_data(post.featured_image, post.featured_image_alt_text)
        if post.featured_image_id
        else None,
    }


def issue_items(issue: Issue) -> list[dict[str, Any]]:
    """The issue's body as plain data shared by the email, text and web renderings."""
    items: list[dict[str, Any]] = []
    for block in issue.body:
        kind, value = block.block_type, block.value
        if kind == "heading":
            items.append({"type": "heading", "text": value})
        elif kind == "rich_text":
            html = absolutise_html(expand_db_html(value.source))
            items.append({"type": "rich_text", "html": html, "text": html_to_text(html)})
        elif kind == "image":
            image = _image_data(value["image"], value["alt_text"])
            if image:
                link = absolute_url(value["link"] or "")
                items.append(
                    {"type": "image", "image": image, "caption": value["caption"], "link": link}
                )
        elif kind == "post_teaser":
            post = value["post"]
            post = post.specific if post is not None else None
            # A post may have been unpublished or restricted since it was chosen.
            if post is None or post.members_only or not post.live:
                continue
            items.append({"type": "post", "post": _post_data(post, value["summary"])})
        elif kind == "button":
            page = value["page"]
            url = absolute_url(page.get_url() if page is not None else value["url"])
            if url:
                items.append({"type": "button", "text": value["text"], "url": url})
    return items


def issue_context(issue: Issue, *, posts: list[Any], unsubscribe_url: str) -> dict[str, Any]:
    web_url = ""
    if issue.slug:
        web_url = absolute_url(reverse("newsletter:archive_issue", kwargs={"slug": issue.slug}))
    return {
        "issue": issue,
        "items": issue_items(issue),
        "latest_posts": [_post_data(post) for post in posts],
        "unsubscribe_url": unsubscribe_url,
        "manage_url": absolute_url(reverse("newsletter:subscribe")),
        "web_url": web_url,
        "site_url": settings.SITE_URL,
        "organisation_name": settings.ORGANISATION_NAME,
        "postal_address": settings.ORGANISATION_POSTAL_ADDRESS,
    }


def render_issue(issue: Issue, *, posts: list[Any]) -> RenderedEmail:
    """The issue as it will be sent, with the unsubscribe placeholder still in place."""
    context = issue_context(issue, posts=posts, unsubscribe_url=UNSUBSCRIBE_PLACEHOLDER)
    html = inline_css(render_to_string("newsletter/email/issue.html", context))
    text = render_to_string("newsletter/email/issue.txt", context)
    return RenderedEmail(subject=issue.subject, html=html, text=_tidy_text(text))


def render_issue_preview(*, issue: Issue) -> RenderedEmail:
    """The issue as subscribers would get it now (admin preview and test sends)."""
    posts = selectors.issue_latest_posts(issue=issue) if issue.include_latest_posts else []
    rendered = render_issue(issue, posts=posts)
    return personalise(rendered, unsubscribe_url=absolute_url(reverse("newsletter:subscribe")))


def personalise(rendered: RenderedEmail, *, unsubscribe_url: str) -> RenderedEmail:
    return RenderedEmail(
        subject=rendered.subject,
        html=rendered.html.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url),
        text=rendered.text.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe_url),
    )


def render_transactional(template: str, context: dict[str, Any]) -> RenderedEmail:
    """A one-off email (confirmation, notices) from `newsletter/email/<template>.{txt,html}`."""
    context = {
        "site_url": settings.SITE_URL,
        "organisation_name": settings.ORGANISATION_NAME,
        "postal_address": settings.ORGANISATION_POSTAL_ADDRESS,
        **context,
    }
    subject = render_to_string(f"newsletter/email/{template}_subject.txt", context)
    html = inline_css(render_to_string(f"newsletter/email/{template}.html", context))
    text = render_to_string(f"newsletter/email/{template}.txt", context)
    return RenderedEmail(subject=" ".join(subject.split()), html=html, text=_tidy_text(text))


def _tidy_text(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
