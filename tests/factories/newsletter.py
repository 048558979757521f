"""Factories for the newsletter's tests (subscribers, issues) and the few things they need."""

from __future__ import annotations

import factory
from django.utils import timezone

from newsletter.models import Issue, Subscriber
from tests.factories.accounts import totp_activate


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


STAFF_PASSWORD = "a-long-staff-password-1"


def make_staff(*, email: str = "editor@example.org", password: str = STAFF_PASSWORD):
    """A staff user with Wagtail admin access, the right to send issues and a TOTP device."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import Group, Permission

    from portal.models import User

    user = User.objects.create_user(
        email=email, password=password, first_name="Edith", last_name="Editor", is_staff=True
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    group, _ = Group.objects.get_or_create(name="Newsletter editors")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="newsletter",
            codename__in=[
                "add_issue",
                "change_issue",
                "delete_issue",
                "send_issue",
                "add_subscriber",
                "change_subscriber",
                "view_subscriber",
                "delete_subscriber",
            ],
        ),
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
    )
    user.groups.add(group)
    secret = totp_activate(user)
    user.totp_secret = secret
    user.raw_password = password
    return user


def make_blog_post(*, title: str, members_only: bool = False, published_at=None, image=None):
    """A live blog post under the site's blog (the home page and blog index made on demand)."""
    from wagtail.models import Page, Site

    from blog.models import BlogIndexPage, BlogPostPage, HomePage

    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = root.add_child(
            instance=HomePage(
                title="Home",
                slug="home-nl",
                mission_heading="Protecting children",
                mission_statement="<p>Together.</p>",
            )
        )
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            Site.objects.create(hostname="testserver", root_page=home, is_default_site=True)
        else:
            site.root_page = home
            site.save()
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
