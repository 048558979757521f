"""Factories for the public site: images, snippets and pages (created under a given parent)."""

from __future__ import annotations

import datetime
import io

import factory
import wagtail_factories
from django.core.files.images import ImageFile
from django.utils.text import slugify
from PIL import Image

from blog.models import (
    Author,
    BlogIndexPage,
    BlogPostPage,
    Category,
    SiteImage,
    StandardPage,
)


def png_bytes(width: int = 640, height: int = 360, colour=(11, 110, 117)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(output, format="PNG")
    return output.getvalue()


class SiteImageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SiteImage

    title = factory.Sequence(lambda n: f"Image {n}")
    description = factory.LazyAttribute(lambda obj: f"Alt text of {obj.title}")
    file = factory.LazyAttribute(
        lambda obj: ImageFile(io.BytesIO(png_bytes()), name=f"{slugify(obj.title)}.png")
    )


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author {n}")
    role = "Research lead"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda obj: slugify(obj.name))
    description = factory.LazyAttribute(lambda obj: f"Posts about {obj.name.lower()}.")


class StandardPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = StandardPage

    title = factory.Sequence(lambda n: f"Standard page {n}")
    introduction = "An introduction that says what the page is about."
    body = factory.LazyFunction(
        lambda: [{"type": "paragraph", "value": "<p>Some prose about the organisation.</p>"}]
    )


class BlogIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = BlogIndexPage

    title = "News"
    slug = "blog"
    introduction = "News, research and events."


class BlogPostPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = BlogPostPage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Post number {n}")
    date_published = factory.Sequence(
        lambda n: datetime.date(2024, 1, 1) + datetime.timedelta(days=n)
    )
    summary = factory.LazyAttribute(lambda obj: f"The summary of {obj.title.lower()}.")
    body = factory.LazyFunction(
        lambda: [
            {"type": "paragraph", "value": "<p>" + "Words of the body. " * 60 + "</p>"},
            {"type": "heading", "value": {"text": "A section", "level": "h2"}},
        ]
    )

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)
            self.save()

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)
            self.save()

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create and extracted:
            self.authors.set(extracted)
            self.save()


def site_blog_index() -> BlogIndexPage:
    """The site's blog index, made under the home page the first time it is asked for."""
    from blog.models import HomePage

    return BlogIndexPage.objects.first() or BlogIndexPageFactory(parent=HomePage.objects.get())


class PublishedBlogPostFactory(BlogPostPageFactory):
    """A post published as an editor publishes one (a revision, then `publish()`, which sets
    `first_published_at` and what listings and the newsletter read), under the site's blog
    index unless `parent` says otherwise.

    `published_at` backdates its first publication (the newsletter's latest posts are those
    published since the last issue).
    """

    parent = factory.LazyFunction(site_blog_index)

    @factory.post_generation
    def published_at(self, create, extracted, **kwargs):
        if not create:
            return
        self.save_revision().publish()
        if extracted is not None:
            BlogPostPage.objects.filter(pk=self.pk).update(first_published_at=extracted)
            self.refresh_from_db()


def ensure_site_baseline():
    """What the data migrations create: Wagtail's root page and root collection, the home page
    as the site's root, the Editors, Moderators and Members groups and the moderation workflow.

    A transactional test's flush empties every table; the root conftest's post_migrate receiver
    calls this after each flush. Tests whose module-scoped data outlives flushes call it too.
    Idempotent. Returns the home page.
    """
    from importlib import import_module

    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth.models import Group
    from django.utils.translation import get_supported_language_variant
    from wagtail.models import Collection, Locale, Page

    from blog.models import HomePage

    locale = Locale.objects.order_by("pk").first() or Locale.objects.create(
        language_code=get_supported_language_variant(settings.LANGUAGE_CODE)
    )
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root", live=True, locale=locale))
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")
    Group.objects.get_or_create(name="Members")
    import_module("blog.migrations.0004_home_page").create_home_page(apps, None)
    import_module("blog.migrations.0005_staff_groups_and_workflow").set_up_staff(apps, None)
    return HomePage.objects.get()
