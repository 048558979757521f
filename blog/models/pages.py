"""What every page type of the site shares (`SitePageMixin`), the home page and standard
pages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageViewRestriction
from wagtail.search import index

from blog import wagtail_internals
from blog.blocks import BodyBlock
from blog.forms import SitePageForm
from blog.models import rendering
from blog.models.images import SiteImage
from icmec.caching.http import PublicCacheMixin


class SitePageMixin(PublicCacheMixin):
    """What every page type of the site shares: public caching of its responses, a cheaper
    view-restriction check (none while no page is restricted, else one query where Wagtail makes
    two), and a context completed by the view layer (see `blog.models.rendering`)."""

    # Related objects fetched with the page when it is served (see HomePage.route).
    route_select_related: tuple[str, ...] = ()
    base_form_class = SitePageForm

    @property
    def share_title(self) -> str:
        """The page's name when shared (og:title, twitter:title)."""
        return self.seo_title or self.title

    @property
    def share_image(self) -> SiteImage | None:
        """The image that represents the page when shared (og:image), if it has one."""
        return None

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(rendering.build_context(self, request, **kwargs))
        return context

    def get_view_restrictions(self) -> QuerySet[PageViewRestriction]:
        restrictions = wagtail_internals.page_view_restrictions(self)
        return super().get_view_restrictions() if restrictions is None else restrictions


def redirect_to_login(next_path: str) -> HttpResponse:
    """Send an anonymous visitor to the login page, coming back to `next_path` afterwards."""
    from django.contrib.auth.views import redirect_to_login as django_redirect_to_login

    response = django_redirect_to_login(next_path)
    add_never_cache_headers(response)
    return response


class HomePage(SitePageMixin, Page):
    """The site's root page: mission, featured and latest posts, newsletter, portal invitation."""

    mission_heading = models.CharField(max_length=160)
    mission_statement = RichTextField(features=["bold", "italic", "link"])
    hero_image = models.ForeignKey(
        SiteImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hero_cta_text = models.CharField(max_length=60, blank=True)
    hero_cta_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    newsletter_heading = models.CharField(max_length=120, default="Stay up to date")
    newsletter_text = models.TextField(max_length=400, blank=True)
    portal_heading = models.CharField(max_length=120, default="Join our Member Portal")
    portal_text = models.TextField(max_length=600, blank=True)

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["blog.StandardPage", "blog.BlogIndexPage"]
    template = "blog/home_page.html"

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("mission_heading"),
                FieldPanel("mission_statement"),
                FieldPanel("hero_image"),
                FieldPanel("hero_cta_text"),
                PageChooserPanel("hero_cta_page"),
            ],
            heading=_("Mission"),
        ),
        InlinePanel("featured_posts", label=_("Featured posts"), max_num=3),
        MultiFieldPanel(
            [FieldPanel("newsletter_heading"), FieldPanel("newsletter_text")],
            heading=_("Newsletter sign-up"),
        ),
        MultiFieldPanel(
            [FieldPanel("portal_heading"), FieldPanel("portal_text")],
            heading=_("Member Portal invitation"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("mission_statement")]

    class Meta:
        verbose_name = _("home page")

    @property
    def share_title(self) -> str:
        # The home page's title ("Home") names it in the admin's tree; shared, it is the site.
        return self.seo_title or settings.WAGTAIL_SITE_NAME

    @property
    def share_image(self) -> SiteImage | None:
        return self.hero_image

    def route(self, request, path_components):
        """Find the page for a path below the home page at once, whatever its depth.

        Wagtail walks down the tree one level at a time, two queries a level. Here the deepest
        page whose `url_path` is a prefix of the requested path is found in one step (see
        `wagtail_internals.deepest_page_for_path`); that page routes what remains of the path (a
        RoutablePage's routes, or a 404).
        """
        if not path_components:
            return super().route(request, path_components)
        found = wagtail_internals.deepest_page_for_path(home=self, path_components=path_components)
        if found is None:
            raise Http404
        page, depth = found
        return page.route(request, path_components[depth:])


class SectionIndexPage(SitePageMixin, RoutablePageMixin, Page):
    """The one index page of a section under the home page (the blog, the events), with an
    introduction shown under its title; the section's pages live below it."""

    introduction = models.TextField(max_length=500, blank=True)

    max_count = 1
    parent_page_types = ["blog.HomePage"]

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]

    class Meta:
        abstract = True


class HomePageFeaturedPost(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_posts")
    post = models.ForeignKey("blog.BlogPostPage", on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("post")]


class StandardPage(SitePageMixin, Page):
    """About, Contact, Privacy, Code of conduct and other pages of prose."""

    introduction = models.TextField(max_length=500, blank=True)
    body = StreamField(BodyBlock(), blank=True)
    show_in_footer = models.BooleanField(
        _("show in footer"),
        default=False,
        help_text=_('List this page under "About this site" in every page\'s footer.'),
    )

    parent_page_types = ["blog.HomePage", "blog.StandardPage"]
    subpage_types = ["blog.StandardPage"]
    template = "blog/standard_page.html"

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    promote_panels = [*Page.promote_panels, FieldPanel("show_in_footer")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]

    class Meta:
        verbose_name = _("standard page")

    @property
    def listing_summary(self) -> str:
        return self.search_description or self.introduction
