"""The public site's page types, snippets, images and site settings."""

from __future__ import annotations

import math

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.images.models import AbstractImage, AbstractRendition, Image
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from blog.blocks import BodyBlock

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
    slug = models.SlugField(max_length=80, unique=True, allow_unicode=False)
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
            self.slug = slugify(self.name)


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


class HomePage(Page):
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


class HomePageFeaturedPost(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_posts")
    post = models.ForeignKey("blog.BlogPostPage", on_delete=models.CASCADE, related_name="+")

    panels = [PageChooserPanel("post")]


class StandardPage(Page):
    """About, Contact, Privacy, Code of conduct and other pages of prose."""

    introduction = models.TextField(max_length=500, blank=True)
    body = StreamField(BodyBlock(), blank=True)

    parent_page_types = ["blog.HomePage", "blog.StandardPage"]
    subpage_types = ["blog.StandardPage"]
    template = "blog/standard_page.html"

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]
    search_fields = [
        *Page.search_fields,
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]

    class Meta:
        verbose_name = _("standard page")


class BlogIndexPage(Page):
    """The blog: every post lives under it."""

    introduction = models.TextField(max_length=500, blank=True)

    max_count = 1
    parent_page_types = ["blog.HomePage"]
    subpage_types = ["blog.BlogPostPage"]
    template = "blog/blog_index_page.html"

    content_panels = [*Page.content_panels, FieldPanel("introduction")]

    class Meta:
        verbose_name = _("blog index page")


class BlogPostTag(TaggedItemBase):
    content_object = ParentalKey(
        "blog.BlogPostPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class BlogPostPage(Page):
    """A news post or article."""

    date_published = models.DateField(
        _("date published"),
        default=timezone.localdate,
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
    def reading_time(self) -> int:
        """Estimated minutes to read the body, at least one."""
        words = 0
        for block in self.body:
            if block.block_type in ("paragraph",):
                words += len(strip_tags(block.value.source).split())
            elif block.block_type in ("heading", "quote", "statistic"):
                words += sum(len(str(v).split()) for v in block.value.values())
        return max(1, math.ceil(words / WORDS_PER_MINUTE))
