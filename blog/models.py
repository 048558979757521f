"""The public site's page types, snippets, images and site settings."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.images.models import AbstractImage, AbstractRendition, Image
from wagtail.models import Orderable, Page, PageViewRestriction
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from blog.blocks import BodyBlock
from blog.forms import SitePageForm
from blog.middleware import PublicCacheMixin
from icmec.pagination import CountedPaginator, page_of

WORDS_PER_MINUTE = 230


class SiteImage(AbstractImage):
    """The site's image model: alt text (the `description`) is required on every image."""

    description = models.CharField(
        _("alt text"),
        max_length=255,
        help_text=_(
            "Describe the image for people who cannot see it. Blocks may override it where the "
            "image is used."
        ),
    )

    admin_form_fields = (*Image.admin_form_fields,)

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")


class SiteRendition(AbstractRendition):
    image = models.ForeignKey(SiteImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)


@register_snippet
class Author(index.Indexed, models.Model):
    name = models.CharField(max_length=120)
    role = models.CharField(max_length=160, blank=True)
    photo = models.ForeignKey(
        SiteImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    panels = [FieldPanel("name"), FieldPanel("role"), FieldPanel("photo")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@register_snippet
class Category(index.Indexed, models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(
        max_length=80,
        unique=True,
        blank=True,
        allow_unicode=False,
        help_text=_("Used in the category's address. Leave empty to make one from the name."),
    )
    description = models.TextField(blank=True, max_length=500)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:80]


@register_setting(icon="site")
class SocialMediaSettings(BaseSiteSetting):
    """The footer's "Connect with us" links. Empty links are not shown."""

    linkedin = models.URLField(_("LinkedIn"), blank=True)
    facebook = models.URLField(_("Facebook"), blank=True)
    x = models.URLField(_("X (Twitter)"), blank=True)
    instagram = models.URLField(_("Instagram"), blank=True)
    youtube = models.URLField(_("YouTube"), blank=True)
    contact_email = models.EmailField(blank=True)

    class Meta:
        verbose_name = _("social media and contact")

    def links(self) -> list[tuple[str, str]]:
        pairs = [
            ("LinkedIn", self.linkedin),
            ("Facebook", self.facebook),
            ("X", self.x),
            ("Instagram", self.instagram),
            ("YouTube", self.youtube),
        ]
        return [(label, url) for label, url in pairs if url]


class SitePageMixin(PublicCacheMixin):
    """What every page type of the site shares: public caching of its responses and a cheaper
    view-restriction check (none while no page is restricted, else one query where Wagtail makes
    two)."""

    # Related objects fetched with the page when it is served (see HomePage.route).
    route_select_related: tuple[str, ...] = ()
    base_form_class = SitePageForm

    @property
    def share_title(self) -> str:
        """The page's name when shared (og:title, twitter:title)."""
        return self.seo_title or self.title

    def get_view_restrictions(self):
        from blog import selectors

        if not selectors.any_view_restrictions():
            return PageViewRestriction.objects.none()  # a queryset, as the admin expects
        if self.alias_of_id:
            return super().get_view_restrictions()
        # The page and its ancestors, from the tree path; restrictions of an ancestor that is an
        # alias are those of its source page (as in Wagtail's own implementation).
        paths = [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]
        aliased_sources = Page.objects.filter(path__in=paths, alias_of__isnull=False)
        return PageViewRestriction.objects.filter(
            Q(page__path__in=paths) | Q(page__in=aliased_sources.values("alias_of"))
        )


def lazy(build: Callable[[], Any]) -> SimpleLazyObject:
    """A context value computed when a template first uses it. Listings inside a cached fragment
    cost nothing (not even building their querysets) when the fragment comes from the cache."""
    return SimpleLazyObject(build)


def redirect_to_login(next_path: str) -> HttpResponse:
    """Send an anonymous visitor to the login page, coming back to `next_path` afterwards."""
    from django.contrib.auth.views import redirect_to_login as django_redirect_to_login

    response = django_redirect_to_login(next_path)
    add_never_cache_headers(response)
    return response


def paginate(request: HttpRequest, paginator: Paginator):
    """The requested page, clamped to the pages that exist (see `icmec.pagination`)."""
    return page_of(paginator, request.GET.get("page"))


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

    def route(self, request, path_components):
        """Find the page for a path below the home page at once, whatever its depth.

        Wagtail walks down the tree one level at a time, two queries a level. Here the deepest
        page whose `url_path` is a prefix of the requested path is found in one step (see
        `selectors.deepest_page_for_path`); that page routes what remains of the path (a
        RoutablePage's routes, or a 404).
        """
        from blog import selectors

        if not path_components:
            return super().route(request, path_components)
        found = selectors.deepest_page_for_path(home=self, path_components=path_components)
        if found is None:
            raise Http404
        page, depth = found
        return page.route(request, path_components[depth:])

    def get_context(self, request, *args, **kwargs):
        from blog import selectors

        context = super().get_context(request, *args, **kwargs)
        user = request.user

        def cards() -> tuple[list[BlogPostPage], list[BlogPostPage]]:
            featured_ids = selectors.featured_post_ids(home=self)
            featured = selectors.featured_posts(
                post_ids=featured_ids, user=user, prefetch_renditions=False
            )
            latest = list(
                selectors.latest_posts(
                    user=user, limit=6, exclude_ids=featured_ids, prefetch_renditions=False
                )
            )
            selectors.card_renditions_prefetch([*featured, *latest])  # one query for both
            return featured, latest

        home_cards = lazy(cards)
        context["featured_posts"] = lazy(lambda: home_cards[0])
        context["latest_posts"] = lazy(lambda: home_cards[1])
        return context


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


class BlogIndexPage(SitePageMixin, RoutablePageMixin, Page):
    """The blog: every post lives under it. Filters and feeds are routes of this page:

    /blog/                      all posts, 10 a page (?page=2)
    /blog/category/<slug>/      posts in a category
    /blog/tag/<slug>/           posts with a tag
    /blog/<year>/               posts dated in a year
    /blog/feed/rss/, /blog/feed/atom/                        the feeds
    /blog/category/<slug>/feed/rss/, .../feed/atom/          a category's feeds
    """

    introduction = models.TextField(max_length=500, blank=True)

    max_count = 1
    parent_page_types = ["blog.HomePage"]
    subpage_types = ["blog.BlogPostPage"]
    template = "blog/blog_index_page.html"

    content_panels = [*Page.content_panels, FieldPanel("introduction")]
    search_fields = [*Page.search_fields, index.SearchField("introduction")]

    class Meta:
        verbose_name = _("blog index page")

    def get_context(self, request, *args, filter_kind=None, filter_value=None, **kwargs):
        from blog import selectors

        context = super().get_context(request, *args, **kwargs)
        filters = {filter_kind: filter_value} if filter_kind else {}
        user = request.user
        paginator = CountedPaginator(
            lambda: selectors.post_list(user=user, **filters),
            selectors.post_count(user=user, **filters),
            settings.BLOG_POSTS_PER_PAGE,
        )
        context.update(
            {
                "posts": paginate(request, paginator),
                "filter_kind": filter_kind,
                "filter_value": filter_value,
                "categories": lazy(lambda: selectors.categories_in_use(user=user)),
                "archive_years": lazy(lambda: selectors.archive_years(user=user)),
            }
        )
        return context

    @path("")
    def all_posts(self, request):
        return self.render(request)

    @path("category/<slug:slug>/")
    def category_posts(self, request, slug):
        from blog import selectors

        category = selectors.category_by_slug(slug=slug)
        if category is None:
            raise Http404("No such category.")
        return self.render(request, filter_kind="category", filter_value=category)

    @path("tag/<slug:slug>/")
    def tag_posts(self, request, slug):
        from blog import selectors

        tag = selectors.tag_by_slug(slug=slug)
        # A tag (or a year, below) is only an address while posts the visitor may read have it.
        if tag is None or not selectors.post_count(user=request.user, tag=tag):
            raise Http404("No such tag.")
        return self.render(request, filter_kind="tag", filter_value=tag)

    @path("<int:year>/")
    def year_posts(self, request, year):
        from blog import selectors

        if not 1900 <= year <= 2999 or not selectors.post_count(user=request.user, year=year):
            raise Http404("No such year.")
        return self.render(request, filter_kind="year", filter_value=year)

    @path("feed/rss/", name="feed_rss")
    def feed_rss(self, request):
        from blog.feeds import RssPostsFeed

        return RssPostsFeed()(request, index_page=self)

    @path("feed/atom/", name="feed_atom")
    def feed_atom(self, request):
        from blog.feeds import AtomPostsFeed

        return AtomPostsFeed()(request, index_page=self)

    @path("category/<slug:slug>/feed/rss/", name="category_feed_rss")
    def category_feed_rss(self, request, slug):
        from blog.feeds import RssPostsFeed

        return RssPostsFeed()(request, index_page=self, category_slug=slug)

    @path("category/<slug:slug>/feed/atom/", name="category_feed_atom")
    def category_feed_atom(self, request, slug):
        from blog.feeds import AtomPostsFeed

        return AtomPostsFeed()(request, index_page=self, category_slug=slug)

    def get_cached_paths(self) -> list[str]:
        """Every address of this page that a frontend cache may hold (purged on publish)."""
        from blog import selectors

        paths = ["/", "/feed/rss/", "/feed/atom/"]
        for slug in Category.objects.values_list("slug", flat=True):
            paths += [f"/category/{slug}/", f"/category/{slug}/feed/rss/"]
            paths.append(f"/category/{slug}/feed/atom/")
        paths += [f"/{year}/" for year in selectors.archive_years(user=None)]
        return paths


class BlogPostTag(TaggedItemBase):
    content_object = ParentalKey(
        "blog.BlogPostPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class BlogPostPage(SitePageMixin, Page):
    """A news post or article."""

    date_published = models.DateField(
        _("date published"),
        default=timezone.localdate,
        db_index=True,
        help_text=_("Shown on the post and used to order posts; not the go-live time."),
    )
    summary = models.TextField(
        max_length=300,
        help_text=_("One or two sentences, shown in listings, feeds and search engines."),
    )
    featured_image = models.ForeignKey(
        SiteImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    featured_image_alt = models.CharField(
        _("featured image alt text"),
        max_length=255,
        blank=True,
        help_text=_("Leave empty to use the image's own alt text."),
    )
    body = StreamField(BodyBlock())
    authors = ParentalManyToManyField(Author, blank=True, related_name="posts")
    categories = ParentalManyToManyField(Category, blank=True, related_name="posts")
    tags = ClusterTaggableManager(through=BlogPostTag, blank=True)
    members_only = models.BooleanField(
        _("members only"),
        default=False,
        help_text=_(
            "Only approved members of the portal (and staff) can read this post. It is left out "
            "of public listings, feeds, search and the sitemap."
        ),
    )

    parent_page_types = ["blog.BlogIndexPage"]
    subpage_types: list[str] = []
    template = "blog/blog_post_page.html"
    # Fetched with the post when it is served (see HomePage.route): the featured image and all
    # its renditions (the picture and the share image) in one more query.
    route_select_related = ("featured_image",)
    route_prefetch_related = ("featured_image__renditions",)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date_published"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("featured_image"), FieldPanel("featured_image_alt")],
            heading=_("Featured image"),
        ),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("authors", widget=forms.CheckboxSelectMultiple),
                FieldPanel("categories", widget=forms.CheckboxSelectMultiple),
                FieldPanel("tags"),
            ],
            heading=_("Authors and topics"),
        ),
    ]
    promote_panels = [*Page.promote_panels, FieldPanel("members_only")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("members_only"),
        index.FilterField("date_published"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.RelatedFields("categories", [index.SearchField("name")]),
    ]

    class Meta:
        verbose_name = _("blog post")

    def clean(self) -> None:
        super().clean()
        if self.featured_image_alt and not self.featured_image:
            raise ValidationError({"featured_image_alt": _("Choose a featured image first.")})

    @property
    def featured_image_alt_text(self) -> str:
        if self.featured_image_alt:
            return self.featured_image_alt
        return self.featured_image.description if self.featured_image else ""

    @property
    def listing_summary(self) -> str:
        return self.summary

    # Read by the post's template inside its cached fragment: a cache hit costs no query.
    @cached_property
    def author_list(self) -> list[Author]:
        return list(self.authors.select_related("photo").order_by("name"))

    @cached_property
    def category_list(self) -> list[Category]:
        return list(self.categories.order_by("name"))

    @cached_property
    def tag_list(self) -> list:
        return list(self.tags.order_by("name"))

    @cached_property
    def reading_time(self) -> int:
        """Estimated minutes to read the body, at least one."""
        words = 0
        for block in self.body:
            if block.block_type in ("paragraph",):
                words += len(strip_tags(block.value.source).split())
            elif block.block_type in ("heading", "quote", "statistic"):
                words += sum(len(str(v).split()) for v in block.value.values())
        return max(1, math.ceil(words / WORDS_PER_MINUTE))

    def serve(self, request, *args, **kwargs):
        from blog import selectors

        if not selectors.post_is_readable_by(post=self, user=request.user):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            from portal.refusals import members_only_refused

            return members_only_refused(request)
        response = super().serve(request, *args, **kwargs)
        if self.members_only:
            # A members-only post must never be stored by a shared cache.
            add_never_cache_headers(response)
        return response

    def get_context(self, request, *args, **kwargs):
        from blog import selectors

        context = super().get_context(request, *args, **kwargs)
        user = request.user
        context["latest_posts"] = lazy(
            lambda: selectors.latest_posts(
                user=user, limit=3, exclude_ids=[self.pk], with_images=False
            )
        )
        # Related posts leave out the post itself and the three already listed as latest.
        context["related_posts"] = lazy(
            lambda: selectors.related_posts(post=self, user=user, limit=3)
        )
        return context

    def get_sitemap_urls(self, request=None):
        # The sitemap's own query leaves these out; this guards any other sitemap built later.
        return [] if self.members_only else super().get_sitemap_urls(request)
