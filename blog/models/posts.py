"""The blog: its index page (listing, filters, feeds) and its posts, with their tags."""

from __future__ import annotations

import math

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import path
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.search import index

from blog.blocks import BodyBlock
from blog.models import rendering
from blog.models.images import SiteImage
from blog.models.pages import SectionIndexPage, SitePageMixin, redirect_to_login
from blog.models.querysets import BlogPostPageQuerySet, visitor_is_member
from blog.models.snippets import Author, Category, people_for_boxes

WORDS_PER_MINUTE = 230


class BlogIndexPage(SectionIndexPage):
    """The blog: every post lives under it. Filters and feeds are routes of this page:

    /blog/                      all posts, 10 a page (?page=2)
    /blog/category/<slug>/      posts in a category
    /blog/tag/<slug>/           posts with a tag
    /blog/<year>/               posts dated in a year
    /blog/feed/rss/, /blog/feed/atom/                        the feeds
    /blog/category/<slug>/feed/rss/, .../feed/atom/          a category's feeds
    """

    subpage_types = ["blog.BlogPostPage"]
    template = "blog/blog_index_page.html"

    class Meta:
        verbose_name = _("blog index page")

    @path("")
    def all_posts(self, request):
        return self.render(request)

    # The routes below are served by the view layer (blog.views.pages, see blog.models.rendering).
    @path("category/<slug:slug>/")
    def category_posts(self, request, slug):
        return rendering.serve_route(self, "category_posts", request, slug=slug)

    @path("tag/<slug:slug>/")
    def tag_posts(self, request, slug):
        return rendering.serve_route(self, "tag_posts", request, slug=slug)

    @path("<int:year>/")
    def year_posts(self, request, year):
        return rendering.serve_route(self, "year_posts", request, year=year)

    @path("feed/rss/", name="feed_rss")
    def feed_rss(self, request):
        return rendering.serve_route(self, "feed_rss", request)

    @path("feed/atom/", name="feed_atom")
    def feed_atom(self, request):
        return rendering.serve_route(self, "feed_atom", request)

    @path("category/<slug:slug>/feed/rss/", name="category_feed_rss")
    def category_feed_rss(self, request, slug):
        return rendering.serve_route(self, "category_feed_rss", request, slug=slug)

    @path("category/<slug:slug>/feed/atom/", name="category_feed_atom")
    def category_feed_atom(self, request, slug):
        return rendering.serve_route(self, "category_feed_atom", request, slug=slug)

    def get_cached_paths(self) -> list[str]:
        """Every address of this page that a frontend cache may hold (purged on publish)."""
        paths = rendering.cached_paths_for(type(self))
        return super().get_cached_paths() if paths is None else paths(self)


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

    objects = PageManager.from_queryset(BlogPostPageQuerySet)()

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

    @property
    def share_image(self) -> SiteImage | None:
        return self.featured_image

    # Read by the post's template inside its cached fragment: a cache hit costs no query.
    @cached_property
    def author_list(self) -> list[Author]:
        return people_for_boxes(self.authors)

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
        if self.members_only and not visitor_is_member(request.user):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            from portal.refusals import members_only_refused

            return members_only_refused(request)
        response = super().serve(request, *args, **kwargs)
        if self.members_only:
            # A members-only post must never be stored by a shared cache.
            add_never_cache_headers(response)
        return response

    def get_sitemap_urls(self, request=None):
        # The sitemap's own query leaves these out; this guards any other sitemap built later.
        return [] if self.members_only else super().get_sitemap_urls(request)
