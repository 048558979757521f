"""Snippets that posts refer to (authors, categories) and the site setting every page's footer
shows (social links, contact address)."""

from __future__ import annotations

from django.db import models
from django.db.models import Prefetch
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.images.models import Filter
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from blog.models.images import SiteImage, SiteRendition

# The photo a person's box shows (the post's and the event's templates use the same spec).
PHOTO_SPEC = "fill-{96x96,192x192} format-{webp,jpeg}"
PHOTO_FILTERS: tuple[str, ...] = tuple(Filter.expand_spec(PHOTO_SPEC.split()))


class PersonQuerySet(models.QuerySet):
    def for_boxes(self) -> PersonQuerySet:
        """People as the boxes under a post or an event show them, by name: their photos and
        the photos' renditions read in two queries however many people there are."""
        renditions = SiteRendition.objects.filter(filter_spec__in=PHOTO_FILTERS)
        return (
            self.select_related("photo")
            .prefetch_related(Prefetch("photo__renditions", queryset=renditions))
            .order_by("name")
        )


def people_for_boxes(people: models.Manager) -> list[Person]:
    """The people of a page's many-to-many field (`post.authors`), as their boxes show them.

    A preview holds the page's people in memory (modelcluster's stand-in for a queryset, which
    knows only the basics): those are just put in order."""
    queryset = people.all()
    if isinstance(queryset, PersonQuerySet):
        return list(queryset.for_boxes())
    return list(queryset.order_by("name"))


class Person(index.Indexed, models.Model):
    """A person the site names, with a role and a photo: a post's author, an event's speaker."""

    name = models.CharField(max_length=120)
    role = models.CharField(max_length=160, blank=True)
    photo = models.ForeignKey(
        SiteImage, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PersonQuerySet.as_manager()

    panels = [FieldPanel("name"), FieldPanel("role"), FieldPanel("photo")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@register_snippet
class Author(Person):
    class Meta(Person.Meta):
        pass


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
