"""Factories for the newsletter's tests (subscribers, issues) and the few things they need."""

from __future__ import annotations

import factory
from django.utils import timezone

from newsletter.models import Issue, Subscriber


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    first_name = factory.Faker("first_name")
    status = Subscriber.Status.CONFIRMED
    source = Subscriber.Source.FOOTER
    confirmed_at = factory.LazyFunction(timezone.now)
    confirmed_source = Subscriber.Source.FOOTER


class IssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issue

    subject = factory.Sequence(lambda n: f"News from the sector, number {n}")
    preheader = "Research, events and training from ICMEC Australia"
    include_latest_posts = False
    body = factory.LazyFunction(
        lambda: [
            {"type": "heading", "value": "In this issue"},
            {
                "type": "rich_text",
                "value": (
                    "<p>Welcome to our <b>newsletter</b>. Read "
                    '<a href="https://example.org/report">the report</a>.</p>'
                ),
            },
            {
                "type": "button",
                "value": {"text": "Visit our website", "page": None, "url": "https://example.org/"},
            },
        ]
    )


def make_blog_post(*, title: str, members_only: bool = False, published_at=None, image=None):
    """A live blog post under the site's blog (the blog index made on demand)."""
    from blog.models import BlogIndexPage, BlogPostPage, HomePage

    home = HomePage.objects.get()
    index = BlogIndexPage.objects.first()
    if index is None:
        index = home.add_child(instance=BlogIndexPage(title="News", slug="blog"))
    post = BlogPostPage(
        title=title,
        summary=f"Summary of {title}.",
        members_only=members_only,
        featured_image=image,
        body=[{"type": "paragraph", "value": f"<p>{title} in full.</p>"}],
    )
    index.add_child(instance=post)
    post.save_revision().publish()
    if published_at is not None:
        BlogPostPage.objects.filter(pk=post.pk).update(first_published_at=published_at)
        post.refresh_from_db()
    return post
