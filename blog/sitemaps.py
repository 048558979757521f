"""sitemap.xml: every public page of the site, never a members-only post."""

from wagtail.contrib.sitemaps import Sitemap

from blog import selectors


class SiteSitemap(Sitemap):
    def items(self):
        return selectors.sitemap_pages(site=self.get_wagtail_site())
