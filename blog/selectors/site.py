"""The site around every page: the links every page shows (its chrome) and free slugs under a
parent page. Which site serves a request is Wagtail's rule, answered from memory by
`blog.wagtail_internals.site_for_request`.
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from wagtail.models import Page, Site

from blog.models import BlogIndexPage, SocialMediaSettings
from blog.selectors.visibility import public_pages
from icmec.caching.memo import cached_for_version


def page_free_slug(*, parent: Page, slug: str) -> str:
    """`slug` if no child of `parent` has it, else the first of `slug-2`, `slug-3`... that is free
    (cut to fit the 255 characters of a slug)."""
    taken = set(
        parent.get_children().filter(slug__startswith=slug[:200]).values_list("slug", flat=True)
    )
    candidate, number = slug, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = f"{slug[: 255 - len(suffix)]}{suffix}"
    return candidate


def site_chrome(*, site: Site | None) -> dict[str, Any]:
    """The links every page shows: main navigation, footer links and the blog's feeds.

    One query (the social links come with the site), then kept until published content changes.
    """
    if site is None:
        return {
            "nav": [],
            "footer": [],
            "blog_url": "",
            "blog_title": "",
            "rss_url": "",
            "atom_url": "",
            "social": [],
            "contact_email": "",
        }
    return cached_for_version(f"site-chrome:{site.pk}", lambda: _build_site_chrome(site))


def _build_site_chrome(site: Site) -> dict[str, Any]:
    blog_type = ContentType.objects.get_for_model(BlogIndexPage)
    children = (
        public_pages(site.root_page.get_children())
        .filter(
            Q(show_in_menus=True) | Q(standardpage__show_in_footer=True) | Q(content_type=blog_type)
        )
        .values(
            "title", "url_path", "show_in_menus", "content_type_id", "standardpage__show_in_footer"
        )
    )
    root_path = site.root_page.url_path
    nav, footer, blog_url, blog_title = [], [], "", ""
    for child in children:
        url = "/" + child["url_path"][len(root_path) :]
        link = {"title": child["title"], "url": url, "url_path": child["url_path"]}
        if child["show_in_menus"]:
            nav.append(link)
        if child["standardpage__show_in_footer"]:
            footer.append(link)
        if child["content_type_id"] == blog_type.pk:
            blog_url, blog_title = url, child["title"]
    try:
        social = site.socialmediasettings  # loaded with the site (see site_for_request)
    except SocialMediaSettings.DoesNotExist:
        social = SocialMediaSettings(site=site)  # nothing set yet (a selector never writes)
    return {
        "nav": nav,
        "footer": footer,
        "blog_url": blog_url,
        "blog_title": blog_title,
        "social": social.links(),
        "contact_email": social.contact_email,
        "rss_url": f"{blog_url}feed/rss/" if blog_url else "",
        "atom_url": f"{blog_url}feed/atom/" if blog_url else "",
    }
