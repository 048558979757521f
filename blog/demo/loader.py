"""Loading the public site's demo content from the files in `content/`.

Idempotent: whatever exists already (found by slug, title or name) is left exactly as it is, so a
second run creates nothing and changes nothing, and staff edits made after the first run survive.
"""

from __future__ import annotations

import datetime
import io
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.core.management.base import OutputWrapper
from django.core.management.color import Style
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction, Site

from blog.demo.art import Artwork, draw_artwork, draw_monogram
from blog.demo.blocks import stream_data
from blog.models import (
    Author,
    BlogIndexPage,
    BlogPostPage,
    Category,
    HomePage,
    HomePageFeaturedPost,
    SiteImage,
    SocialMediaSettings,
    StandardPage,
)
from icmec.demo import read_content
from portal.models import User
from portal.selectors import MEMBERS_GROUP
from portal.services import staff_email_verify

CONTENT = Path(__file__).resolve().parent / "content"
SITE = read_content(CONTENT / "site.toml")
IMAGES: list[dict[str, Any]] = read_content(CONTENT / "images.toml")["image"]
CATEGORIES: list[dict[str, Any]] = read_content(CONTENT / "categories.toml")["category"]
PAGES: list[dict[str, Any]] = read_content(CONTENT / "pages.toml")["page"]
POSTS: list[dict[str, Any]] = read_content(CONTENT / "posts.toml")["post"]
STAFF_EMAIL: str = SITE["staff_account"]["email"]

# What a block left out of a content file holds (the blocks' optional fields).
BODY_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    "heading": {"level": "h2"},
    "image": {"alt_text": "", "caption": ""},
    "quote": {"attribution": ""},
    "statistic": {"source": ""},
    "call_to_action": {"page": None, "url": ""},
}
BODY_TEXT_FIELDS = {"paragraph": "text"}

PageT = TypeVar("PageT", bound=Page)


@dataclass
class Loaded:
    """What the bodies may refer to, and what this run created (for the summary line)."""

    images: dict[str, SiteImage] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)


def settings_values() -> dict[str, object]:
    """The placeholders a text may use (read when the content is written, not when imported)."""
    return {
        "postal_address": settings.ORGANISATION_POSTAL_ADDRESS,
        "reapply_after_days": settings.PORTAL_REAPPLY_AFTER_DAYS,
        "safeguarding_retention_years": settings.PORTAL_SAFEGUARDING_RETENTION_DAYS // 365,
    }


def body_data(blocks: list[dict[str, Any]], loaded: Loaded) -> list[dict[str, Any]]:
    return stream_data(
        blocks,
        text_fields=BODY_TEXT_FIELDS,
        defaults=BODY_DEFAULTS,
        lookups={
            "image": lambda key: loaded.images[key].pk,
            "page": lambda slug: loaded.pages[slug].pk,
        },
        values=settings_values(),
    )


def page_body(slug: str, loaded: Loaded | None = None) -> list[dict[str, Any]]:
    """The StreamField data of the page with this slug in pages.toml, without loading the site
    (so that a test can read what a page says with the settings it chooses)."""
    spec = next(spec for spec in PAGES if spec["slug"] == slug)
    return body_data(spec["body"], loaded or Loaded())


def load(*, stdout: OutputWrapper, style: Style) -> None:
    """Create whatever part of the demo site is missing (see the module docstring)."""
    site = _site()
    home = site.root_page.specific
    loaded = Loaded(images=_images())
    author = _author(loaded)
    categories = _categories(loaded)

    # The pages link to each other by id: create the missing ones, then write and publish them.
    new_pages = []
    for spec in PAGES:
        if spec.get("members_only"):
            continue
        page, created = _standard_page(home, spec)
        loaded.pages[spec["slug"]] = page
        if created:
            new_pages.append((page, spec))
    for page, spec in new_pages:
        page.body = body_data(spec["body"], loaded)
        page.save_revision().publish()
        loaded.created.append(f"page {spec['title']}")
    blog = _blog_index(home, loaded)
    posts = [_post(blog, spec, author, categories, loaded) for spec in POSTS]
    _home_page(home, posts, loaded)
    _social_settings(site, loaded)
    loaded.created += load_staff_account(stdout=stdout, style=style)

    if loaded.created:
        stdout.write(f"Public site: created {', '.join(loaded.created)}.")
    else:
        stdout.write("Public site: demo content already in place.")
    load_member_pages(stdout=stdout, style=style, loaded=loaded)


def _site() -> Site:
    """The default site, pointing at SITE_URL's host and port (canonical URLs, feeds)."""
    site = Site.objects.select_related("root_page").get(is_default_site=True)
    address = urlsplit(settings.SITE_URL)
    hostname = address.hostname or "localhost"
    port = address.port or (443 if address.scheme == "https" else 80)
    if (site.hostname, site.port) != (hostname, port):
        site.hostname, site.port = hostname, port
        site.save(update_fields=["hostname", "port"])
    return site


def _drawn_image(title: str, description: str, draw: Callable[[], bytes], name: str) -> SiteImage:
    """The image with this title, drawn and saved if it is missing (drawing takes a while)."""
    image = SiteImage.objects.filter(title=title).first()
    if image is None:
        image = SiteImage(title=title, description=description)
        image.file = ImageFile(io.BytesIO(draw()), name=name)
        image.save()
    return image


def _images() -> dict[str, SiteImage]:
    images = {}
    for spec in IMAGES:
        artwork = Artwork(spec["style"], spec["palette"], spec["seed"])
        images[spec["key"]] = _drawn_image(
            spec["title"],
            spec["description"],
            lambda artwork=artwork: draw_artwork(artwork),
            f"demo-{spec['key']}.jpg",
        )
    return images


def _author(loaded: Loaded) -> Author:
    spec = SITE["author"]
    author = Author.objects.filter(name=spec["name"]).first()
    if author is not None:
        return author
    photo = _drawn_image(
        spec["photo_title"],
        spec["photo_description"],
        lambda: draw_monogram(spec["initials"]),
        "demo-monogram.png",
    )
    loaded.created.append("an author")
    return Author.objects.create(name=spec["name"], role=spec["role"], photo=photo)


def _categories(loaded: Loaded) -> dict[str, Category]:
    categories = {}
    for spec in CATEGORIES:
        category, created = Category.objects.get_or_create(
            slug=spec["slug"], defaults={"name": spec["name"], "description": spec["description"]}
        )
        if created:
            loaded.created.append(f"category {spec['name']}")
        categories[spec["slug"]] = category
    return categories


def _publish(parent: Page, page: PageT, loaded: Loaded, label: str) -> PageT:
    parent.add_child(instance=page)
    page.save_revision().publish()
    loaded.created.append(label)
    return page


def _page_fields(spec: dict[str, Any]) -> dict[str, Any]:
    """A standard page's own fields, as pages.toml gives them."""
    return {
        "title": spec["title"],
        "slug": spec["slug"],
        "introduction": spec["introduction"],
        "show_in_menus": spec.get("show_in_menus", False),
        "show_in_footer": spec.get("show_in_footer", False),
        "search_description": spec.get("search_description", ""),
    }


def _standard_page(home: Page, spec: dict[str, Any]) -> tuple[StandardPage, bool]:
    """The page, created as a draft if missing (its body may link to pages not made yet)."""
    existing = StandardPage.objects.child_of(home).filter(slug=spec["slug"]).first()
    if existing is not None:
        return existing, False
    page = StandardPage(**_page_fields(spec), live=False)
    home.add_child(instance=page)
    return page, True


def _blog_index(home: Page, loaded: Loaded) -> BlogIndexPage:
    existing = BlogIndexPage.objects.child_of(home).first()
    if existing is not None:
        return existing
    return _publish(home, BlogIndexPage(**SITE["blog"]), loaded, "the blog")


def _post(
    blog: BlogIndexPage,
    spec: dict[str, Any],
    author: Author,
    categories: dict[str, Category],
    loaded: Loaded,
) -> BlogPostPage:
    existing = BlogPostPage.objects.child_of(blog).filter(slug=spec["slug"]).first()
    if existing is not None:
        return existing
    published_at = timezone.make_aware(datetime.datetime.combine(spec["date"], datetime.time(9)))
    post = BlogPostPage(
        title=spec["title"],
        slug=spec["slug"],
        date_published=spec["date"],
        summary=spec["summary"],
        featured_image=loaded.images[spec["image"]],
        body=body_data(spec["body"], loaded),
        members_only=spec.get("members_only", False),
        search_description=spec.get("search_description", ""),
        first_published_at=published_at,
    )
    post.authors = [author]
    post.categories = [categories[slug] for slug in spec["categories"]]
    post.tags.set(spec["tags"])
    return _publish(blog, post, loaded, f"post “{spec['title']}”")


def _home_page(home: HomePage, posts: list[BlogPostPage], loaded: Loaded) -> None:
    """Write the home page once: the migration leaves a placeholder that has no revision."""
    if home.latest_revision_id is not None:
        return
    spec = dict(SITE["home"])
    by_slug = {post.slug: post for post in posts}
    home.featured_posts = [
        HomePageFeaturedPost(post=by_slug[slug]) for slug in spec.pop("featured_posts")
    ]
    home.hero_image = loaded.images[spec.pop("hero_image")]
    home.hero_cta_page = loaded.pages[spec.pop("hero_cta_page")]
    home.seo_title = ""
    for name, value in spec.items():
        setattr(home, name, value)
    home.save_revision().publish()
    loaded.created.append("the home page")


def _social_settings(site: Site, loaded: Loaded) -> None:
    social = SocialMediaSettings.for_site(site)
    if social.links() or social.contact_email:
        return
    for name, value in SITE["social"].items():
        setattr(social, name, value)
    social.save()
    loaded.created.append("social links")


def load_staff_account(*, stdout: OutputWrapper, style: Style) -> list[str]:
    """The staff account, its password shown once; what was created, for the summary."""
    spec = SITE["staff_account"]
    existing = User.objects.filter(email__iexact=spec["email"]).first()
    if existing is not None:
        # Made before its address was recorded as verified: fix it, or its login stops at the
        # "check your email" page.
        staff_email_verify(user=existing)
        return []
    password = secrets.token_urlsafe(15)
    User.objects.create_superuser(
        email=spec["email"],
        password=password,
        first_name=spec["first_name"],
        last_name=spec["last_name"],
    )
    stdout.write(
        style.WARNING(
            f"Staff account: {spec['email']} / {password}\n"
            "  (shown once: note it now; staff set up two-factor authentication at first login)"
        )
    )
    return ["the staff account"]


def load_member_pages(*, stdout: OutputWrapper, style: Style, loaded: Loaded | None = None) -> None:
    """The pages of pages.toml that only approved members (the Members group) may see."""
    for spec in PAGES:
        if not spec.get("members_only") or StandardPage.objects.filter(slug=spec["slug"]).exists():
            continue
        home = HomePage.objects.first()
        if home is None:
            stdout.write(style.WARNING(f"No home page yet: skipped the {spec['title']} page."))
            return
        page = StandardPage(**_page_fields(spec), body=body_data(spec["body"], loaded or Loaded()))
        home.add_child(instance=page)
        page.save_revision().publish()
        members = Group.objects.get_or_create(name=MEMBERS_GROUP)[0]
        restriction = PageViewRestriction.objects.create(
            page=Page.objects.get(pk=page.pk), restriction_type=PageViewRestriction.GROUPS
        )
        restriction.groups.add(members)
        stdout.write(f"Created the {spec['title']} page (members only) at /{page.slug}/.")
