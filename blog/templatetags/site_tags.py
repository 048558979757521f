"""Site-wide template tags: navigation and footer data."""

from django import template
from wagtail.models import Page, Site

register = template.Library()


@register.inclusion_tag("components/main_nav.html", takes_context=True)
def main_nav(context):
    """The home page's children that are live, public and marked "show in menus"."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    root = site.root_page if site else None
    items = []
    if root is not None:
        items = list(root.get_children().live().public().in_menu().only("title", "url_path"))
    current = context.get("page")
    return {
        "request": request,
        "site_root": root,
        "items": items,
        "current_path": current.url_path if isinstance(current, Page) else "",
    }
