"""Demo content for the newsletter: subscribers in each state and one sent issue in the archive.

Idempotent: running it again changes nothing. The sent issue is recorded as sent without mailing
anyone (its deliveries are written as already sent).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from newsletter import rendering, selectors
from newsletter.models import Delivery, Issue, Subscriber, SubscriptionEvent

DEMO_SUBSCRIBERS = [
    ("amelia.nguyen@example.org", "Amelia", Subscriber.Status.CONFIRMED, "footer"),
    ("james.obrien@example.org", "James", Subscriber.Status.CONFIRMED, "home"),
    ("priya.sharma@example.org", "Priya", Subscriber.Status.CONFIRMED, "page"),
    ("tom.walker@example.org", "", Subscriber.Status.CONFIRMED, "import"),
    ("li.chen@example.org", "Li", Subscriber.Status.PENDING, "footer"),
    ("sam.taylor@example.org", "Sam", Subscriber.Status.UNSUBSCRIBED, "home"),
    ("bounced.address@example.org", "", Subscriber.Status.SUPPRESSED, "page"),
]

DEMO_ISSUE_SUBJECT = "Welcome to the ICMEC Australia newsletter"


def _demo_subscribers(now) -> list[Subscriber]:
    subscribers = []
    for n, (email, first_name, status, source) in enumerate(DEMO_SUBSCRIBERS):
        created = now - timedelta(days=60 - n)
        subscriber, made = Subscriber.objects.get_or_create(
            email=email,
            defaults={
                "first_name": first_name,
                "status": status,
                "source": source,
                "created_at": created,
            },
        )
        if made:
            SubscriptionEvent.objects.create(
                subscriber=subscriber, kind="requested", source=source, at=created
            )
            if status != Subscriber.Status.PENDING:
                subscriber.confirmed_at = created + timedelta(minutes=7)
                subscriber.confirmed_source = source
                SubscriptionEvent.objects.create(
                    subscriber=subscriber, kind="confirmed", source=source, at=created
                )
            if status == Subscriber.Status.UNSUBSCRIBED:
                subscriber.unsubscribed_at = now - timedelta(days=3)
                SubscriptionEvent.objects.create(
                    subscriber=subscriber, kind="unsubscribed", source="link"
                )
            if status == Subscriber.Status.SUPPRESSED:
                subscriber.suppressed_reason = "550 5.1.1 No such user here"
                SubscriptionEvent.objects.create(
                    subscriber=subscriber, kind="bounced", detail=subscriber.suppressed_reason
                )
            subscriber.save()
        subscribers.append(subscriber)
    return subscribers


def _demo_body() -> list[dict[str, Any]]:
    body: list[dict[str, Any]] = [
        {"type": "heading", "value": "Thank you for joining us"},
        {
            "type": "rich_text",
            "value": (
                "<p>Every month we share news, research and events from across the "
                "child-protection response ecosystem: financial-crime teams, police, regulators, "
                "data owners and NGOs working together to stop the sexual exploitation of "
                "children.</p>"
                "<p>In this first issue:</p>"
                "<ul><li>what our member portal offers vetted professionals;</li>"
                "<li>the training we run this season;</li>"
                "<li>where to read our latest research.</li></ul>"
            ),
        },
        {
            "type": "button",
            "value": {
                "text": "Join the member portal",
                "page": None,
                "url": "/portal/",
            },
        },
    ]
    try:
        from blog.models import BlogPostPage
    except ImportError:  # pragma: no cover - the blog is part of the project
        return body
    post = BlogPostPage.objects.live().public().filter(members_only=False).order_by("-pk").first()
    if post is not None:
        body.append({"type": "post_teaser", "value": {"post": post.pk, "summary": ""}})
    return body


def load(*, stdout, style) -> None:
    now = timezone.now()
    with transaction.atomic():
        subscribers = _demo_subscribers(now)
        if Issue.objects.filter(subject=DEMO_ISSUE_SUBJECT).exists():
            stdout.write("Newsletter demo content is already in place.")
            return
        sent_at = now - timedelta(days=14)
        issue = Issue.objects.create(
            subject=DEMO_ISSUE_SUBJECT,
            preheader="What to expect from us, and how to get involved",
            body=_demo_body(),
            include_latest_posts=True,
            created_at=sent_at - timedelta(days=1),
        )
        issue.sending_started_at = sent_at
        posts = selectors.issue_latest_posts(issue=issue)
        issue.latest_post_ids = [post.pk for post in posts]
        issue.slug = f"{timezone.localtime(sent_at):%Y-%m-%d}-welcome"
        rendered = rendering.render_issue(issue, posts=posts)
        issue.rendered_html, issue.rendered_text = rendered.html, rendered.text
        confirmed = [s for s in subscribers if s.status != Subscriber.Status.PENDING]
        # Recorded as sent to those who were subscribed then; nobody is mailed.
        Delivery.objects.bulk_create(
            Delivery(
                issue=issue,
                subscriber=s,
                email=s.email,
                status=Delivery.Status.SENT,
                claimed_at=sent_at,
                sent_at=sent_at + timedelta(seconds=2),
            )
            for s in confirmed
        )
        issue.recipient_count = len(confirmed)
        issue.status = Issue.Status.SENT
        issue.sent_at = sent_at + timedelta(seconds=3)
        issue.save()
        Issue.objects.get_or_create(
            subject="Training dates for the new year",
            defaults={
                "preheader": "Draft: dates to confirm",
                "body": [{"type": "heading", "value": "Training dates"}],
            },
        )
    stdout.write(
        style.SUCCESS(
            ngettext(
                "Newsletter: %(count)d subscriber, one sent issue in the archive, a draft.",
                "Newsletter: %(count)d subscribers, one sent issue in the archive, a draft.",
                len(subscribers),
            )
            % {"count": len(subscribers)}
        )
    )
