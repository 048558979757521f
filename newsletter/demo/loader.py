"""Loading the newsletter's demo content from `content/`: subscribers in each state, one issue
in the archive and a draft.

Idempotent: running it again changes nothing. The sent issue is recorded as sent without mailing
anyone (its deliveries are written as already sent).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import OutputWrapper
from django.core.management.color import Style
from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext
from wagtail.models import Page

from blog.demo.blocks import stream_data
from blog.models import BlogPostPage
from icmec.demo import read_content
from newsletter import rendering, selectors
from newsletter.models import Delivery, Issue, Subscriber, SubscriptionEvent

CONTENT = Path(__file__).resolve().parent / "content"
DEMO_SUBSCRIBERS: list[dict[str, Any]] = read_content(CONTENT / "subscribers.toml")["subscriber"]
ISSUES = read_content(CONTENT / "issues.toml")
DEMO_ISSUE_SUBJECT: str = ISSUES["sent_issue"]["subject"]

BODY_TEXT_FIELDS = {"heading": "text", "rich_text": "text"}
BODY_DEFAULTS = {"button": {"page": None, "url": ""}, "post_teaser": {"summary": ""}}


def _demo_subscribers(now: datetime) -> list[Subscriber]:
    subscribers = []
    for n, spec in enumerate(DEMO_SUBSCRIBERS):
        status, source = spec["status"], spec["source"]
        created = now - timedelta(days=60 - n)
        subscriber, made = Subscriber.objects.get_or_create(
            email=spec["email"],
            defaults={
                "first_name": spec["first_name"],
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
                subscriber.suppressed_reason = spec.get("bounce_reason", "")
                SubscriptionEvent.objects.create(
                    subscriber=subscriber, kind="bounced", detail=subscriber.suppressed_reason
                )
            subscriber.save()
        subscribers.append(subscriber)
    return subscribers


def _post_id(name: str) -> int | None:
    """A demo post by slug, or "latest": the latest post that anyone may read (if any)."""
    posts = BlogPostPage.objects.live().public().filter(members_only=False)
    if name != "latest":
        return posts.get(slug=name).pk
    post = posts.order_by("-pk").first()
    return post.pk if post is not None else None


def _body(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's StreamField data; a teaser of a post that is not there yet is left out."""
    body = stream_data(
        blocks,
        text_fields=BODY_TEXT_FIELDS,
        defaults=BODY_DEFAULTS,
        lookups={"page": lambda slug: Page.objects.get(slug=slug).pk, "post": _post_id},
        values={},
    )
    return [
        block
        for block in body
        if not (block["type"] == "post_teaser" and block["value"]["post"] is None)
    ]


def load(*, stdout: OutputWrapper, style: Style) -> None:
    """Create the missing demo subscribers and issues; nobody is mailed."""
    now = timezone.now()
    spec = ISSUES["sent_issue"]
    with transaction.atomic():
        subscribers = _demo_subscribers(now)
        if Issue.objects.filter(subject=spec["subject"]).exists():
            stdout.write("Newsletter demo content is already in place.")
            return
        sent_at = now - timedelta(days=14)
        issue = Issue.objects.create(
            subject=spec["subject"],
            preheader=spec["preheader"],
            body=_body(spec["body"]),
            include_latest_posts=spec["include_latest_posts"],
            created_at=sent_at - timedelta(days=1),
        )
        issue.sending_started_at = sent_at
        posts = selectors.issue_latest_posts(issue=issue)
        issue.latest_post_ids = [post.pk for post in posts]
        issue.slug = f"{timezone.localtime(sent_at):%Y-%m-%d}-{spec['slug']}"
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
        for draft in ISSUES["draft_issue"]:
            Issue.objects.get_or_create(
                subject=draft["subject"],
                defaults={"preheader": draft["preheader"], "body": _body(draft["body"])},
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
