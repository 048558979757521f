"""The blog: its index page (listing, filters, feeds) and its posts, with their tags."""

from __future__ import annotations

import math

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.search import index

from blog.blocks import BodyBlock
from blog.models.images import SiteImage
from blog.models.pages import SitePageMixin, lazy, paginate, redirect_to_login
from blog.models.querysets import BlogPostPageQuerySet, visitor_is_member
from blog.models.snippets import Author, Category
from icmec.pagination import CountedPaginator

WORDS_PER_MINUTE = 230


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
