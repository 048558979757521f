"""The public site's views:

- `site`: the views outside the page tree (search, robots.txt, sitemap.xml), mounted by `urls`;
- `pages`: what the page types ask of the view layer when Wagtail serves them (their context,
  the blog index's filters and feeds), registered in `blog.models.rendering` by `register()`.
"""

from blog.views.site import robots_txt, search, sitemap

__all__ = ["robots_txt", "search", "sitemap"]
