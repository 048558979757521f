"""Security headers on every kind of page, templates without inline script or style, and no
asset from another host on any front-end page (rendered from the demo content)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client

from portal.models import User
from tests.factories.accounts import log_in
from tests.utils import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SITE_POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


@pytest.fixture(autouse=True)
def _media_root():
    """The module's media folder holds the demo images for every test (see `site`)."""


def _policy(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def _client(demo_site, who: str) -> Client:
    client = Client()
    if who != "anonymous":
        log_in(client, User.objects.get(pk=demo_site[who]))
    return client


FRONT_END = [
    ("anonymous", "/"),
    ("anonymous", "/about/"),
    ("anonymous", "/blog/"),
    ("anonymous", "/blog/{post}/"),
    ("anonymous", "/blog/category/{category}/"),
    ("anonymous", "/search/?q=exploitation"),
    ("anonymous", "/newsletter/"),
    ("anonymous", "/newsletter/archive/"),
    ("anonymous", "/newsletter/archive/{issue}/"),
    ("anonymous", "/newsletter/confirm/{confirm}/"),
    ("anonymous", "/newsletter/unsubscribe/{unsubscribe}/"),
    ("anonymous", "/accounts/login/"),
    ("anonymous", "/accounts/signup/"),
    ("anonymous", "/accounts/password/reset/"),
    ("anonymous", "/no-such-page/"),
    ("amelia", "/portal/"),
    ("amelia", "/portal/members/"),
    ("amelia", "/portal/members/{peer}/"),
    ("amelia", "/portal/profile/edit/"),
    ("amelia", "/portal/connections/"),
    ("amelia", "/portal/messages/{conversation}/"),
    ("amelia", "/portal/account/"),
    ("amelia", "/accounts/2fa/"),
    ("amelia", "/newsletter/account/"),
    ("amelia", "/member-resources/"),
]


@pytest.mark.parametrize(("who", "path"), FRONT_END)
def test_front_end_pages_carry_the_strict_policy_and_the_other_headers(demo_site, who, path):
    response = _client(demo_site, who).get(path.format(**demo_site))

    assert response.status_code in (200, 404)
    policy = _policy(response["Content-Security-Policy"])
    for directive, values in SITE_POLICY.items():
        assert policy[directive] == values, directive
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    permissions = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in permissions


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/pages/", "/admin/members/", "/admin/snippets/newsletter/issue/"]
)
def test_the_admin_has_its_own_policy_that_still_keeps_other_hosts_out(demo_site, path):
    response = _client(demo_site, "staff").get(path)

    assert response.status_code == 200
    policy = _policy(response["Content-Security-Policy"])
    # Wagtail's admin needs inline scripts and styles; nothing else is relaxed.
    assert policy["script-src"] == {"'self'", "'unsafe-inline'"}
    assert policy["style-src"] == {"'self'", "'unsafe-inline'"}
    assert policy["default-src"] == {"'self'"}
    assert policy["object-src"] == {"'none'"}
    assert policy["base-uri"] == {"'self'"}
    assert policy["form-action"] == {"'self'"}
    assert policy["frame-ancestors"] == {"'self'"}
    for values in policy.values():
        assert not [value for value in values if "." in value or value == "*"], values
    assert "gravatar.com" not in response.content.decode()
    assert "Permissions-Policy" in response


def _preview_urls(demo_site) -> list[str]:
    from blog.models import BlogPostPage

    post = BlogPostPage.objects.get(slug=demo_site["post"])
    revision = post.save_revision()
    return [
        f"/admin/pages/{post.pk}/view_draft/",
        f"/admin/pages/{post.pk}/revisions/{revision.pk}/view/",
    ]


def test_previews_have_the_site_policy_and_may_be_framed_by_the_admin_only(demo_site):
    """Wagtail renders a preview in a request of its own, for the page's public URL: the site's
    policy applies (the preview shows what readers get), but the admin may frame it."""
    from newsletter.models import Issue

    client = _client(demo_site, "staff")
    issue = Issue.objects.get(slug=demo_site["issue"])
    issue_preview = f"/admin/snippets/newsletter/issue/preview/{issue.pk}/"
    assert client.post(issue_preview, _issue_form(issue)).json()["is_valid"] is True

    responses = {url: client.get(url) for url in _preview_urls(demo_site)}
    responses[issue_preview] = client.get(issue_preview, {"mode": "email"})
    for url, response in responses.items():
        assert response.status_code == 200, url
        assert 'class="site-header' in response.content.decode() or url == issue_preview, url
        policy = _policy(response["Content-Security-Policy"])
        assert policy["frame-ancestors"] == {"'self'"}, url
        assert response["X-Frame-Options"] == "SAMEORIGIN", url
        assert policy["script-src"] == {"'self'"}, url
        for directive in ("default-src", "img-src", "object-src", "base-uri", "form-action"):
            assert policy[directive] == SITE_POLICY[directive], (url, directive)
        # The email is styled inline (as email clients need), the site's pages are not.
        expected_styles = {"'self'", "'unsafe-inline'"} if url == issue_preview else {"'self'"}
        assert policy["style-src"] == expected_styles, url

    # The same post, live, still refuses every frame.
    live = client.get(f"/blog/{demo_site['post']}/")
    assert _policy(live["Content-Security-Policy"])["frame-ancestors"] == {"'none'"}
    assert live["X-Frame-Options"] == "DENY"


def _issue_form(issue) -> dict[str, str]:
    return {
        "subject": issue.subject,
        "preheader": issue.preheader,
        "body-count": "1",
        "body-0-type": "heading",
        "body-0-value": "A heading typed just now",
        "body-0-deleted": "",
        "body-0-order": "0",
        "body-0-id": "",
        "latest_posts_heading": "Latest",
        "latest_posts_limit": "3",
    }


# --- Templates: no inline script or style ---------------------------------------------------

APPS = ("blog", "portal", "newsletter", "icmec")


def _front_end_templates() -> list[Path]:
    found = []
    for app in APPS:
        for template in sorted((ROOT / app / "templates").rglob("*.html")):
            parts = template.relative_to(ROOT / app / "templates").parts
            # Wagtail admin screens and emails have their own rules (emails need inline CSS).
            if "admin" in parts or "email" in parts:
                continue
            found.append(template)
    return found


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(?!\s*</script>)", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.IGNORECASE)


def test_there_are_front_end_templates_to_check():
    templates = _front_end_templates()
    assert len(templates) > 50
    assert ROOT / "icmec/templates/base.html" in templates


@pytest.mark.parametrize(
    "template", _front_end_templates(), ids=lambda path: str(path.relative_to(ROOT))
)
def test_front_end_templates_have_no_inline_script_or_style(template):
    source = template.read_text()

    for pattern in (INLINE_SCRIPT, STYLE_ATTRIBUTE, STYLE_ELEMENT, EVENT_HANDLER):
        assert not pattern.search(source), f"{pattern.pattern} in {template}"


# --- Rendered pages: every asset from this host ---------------------------------------------


class AssetCollector(HTMLParser):
    """Every asset address a page loads, and every inline script or style it carries."""

    def __init__(self):
        super().__init__()
        self.assets: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "style" in attributes:
            self.inline.append(f"style= on <{tag}>")
        self.inline += [f"{name}= on <{tag}>" for name in attributes if name.startswith("on")]
        if tag == "script":
            if attributes.get("src"):
                self.assets.append(attributes["src"])
            elif attributes.get("type") not in ("application/json", "application/ld+json"):
                self._in_script = True
        elif tag == "style":
            self.inline.append("<style>")
        elif tag == "link" and set((attributes.get("rel") or "").split()) & {
            "stylesheet",
            "icon",
            "preload",
            "modulepreload",
            "manifest",
            "apple-touch-icon",
        }:
            self.assets.append(attributes.get("href") or "")
        elif tag in ("img", "source", "iframe", "video", "audio", "embed", "input"):
            for name in ("src", "poster", "data"):
                if attributes.get(name):
                    self.assets.append(attributes[name])
            for name in ("srcset", "imagesrcset"):
                for candidate in (attributes.get(name) or "").split(","):
                    if candidate.strip():
                        self.assets.append(candidate.split()[0])
        elif tag == "object" and attributes.get("data"):
            self.assets.append(attributes["data"])

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append("inline <script>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


@pytest.mark.parametrize(("who", "path"), FRONT_END)
def test_front_end_pages_load_nothing_from_another_host(demo_site, who, path):
    response = _client(demo_site, who).get(path.format(**demo_site))
    collector = AssetCollector()
    collector.feed(response.content.decode())

    assert collector.assets, "every page loads at least its stylesheet"
    foreign = [
        url
        for url in collector.assets
        if urlsplit(url).scheme != "data" and urlsplit(url).netloc not in ("", "testserver")
    ]
    assert foreign == []
    assert collector.inline == []
