"""Reads about subscribers, issues and deliveries. Never writes.

Selectors sit above the models and below rendering and services: they import models only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import timezone

from newsletter.models import Delivery, Issue, Subscriber


def normalise_email(email: str) -> str:
    """Addresses are compared and stored trimmed and in lower case."""
    return (email or "").strip().lower()


def subscriber_for_email(*, email: str) -> Subscriber | None:
    return Subscriber.objects.filter(email=normalise_email(email)).first()


def subscriber_still_consents(*, subscriber: Subscriber) -> bool:
    """The address confirmed its subscription and has not unsubscribed since (a suppression
    was not its choice, so lifting one subscribes it again)."""
    return subscriber.confirmed_at is not None and (
        subscriber.unsubscribed_at is None or subscriber.unsubscribed_at < subscriber.confirmed_at
    )


def subscriber_for_user(*, user: Any) -> Subscriber | None:
    if not getattr(user, "is_authenticated", False) or not user.email:
        return None
    return subscriber_for_email(email=user.email)


def confirmed_subscriber_count() -> int:
    return Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).count()


def previous_sent_issue(*, issue: Issue) -> Issue | None:
    return (
        Issue.objects.filter(status__in=Issue.ARCHIVED_STATUSES)
        .exclude(pk=issue.pk)
        .exclude(sending_started_at__isnull=True)
        .order_by("-sending_started_at")
        .first()
    )


def issue_latest_posts(*, issue: Issue) -> list[Any]:
    """Public posts published since the previous issue went out, newest first.

    An email goes to people nobody vetted: the posts are those anyone may read, by the blog's one
    visibility rule (no members-only post, nothing under a view restriction). Posts already
    featured in the body are left out.
    """
    from blog.selectors import visible_posts

    posts = (
        visible_posts(user=None)
        .exclude(pk__in=teaser_post_ids(issue))
        .select_related("featured_image")
        .defer_streamfields()
        .order_by("-first_published_at", "-pk")
    )
    previous = previous_sent_issue(issue=issue)
    if previous is not None:
        posts = posts.filter(first_published_at__gt=previous.sending_started_at)
    if issue.sending_started_at is not None:
        posts = posts.filter(first_published_at__lte=issue.sending_started_at)
    return list(posts[: issue.latest_posts_limit])


def posts_by_ids(ids: list[int]) -> list[Any]:
    """The posts frozen on an issue when it was sent, in that order, if still public."""
    from blog.models import BlogPostPage

    found = {
        post.pk: post
        for post in BlogPostPage.objects.live()
        .public()
        .filter(pk__in=ids, members_only=False)
        .select_related("featured_image")
        .defer_streamfields()
    }
    return [found[pk] for pk in ids if pk in found]


def teaser_post_ids(issue: Issue) -> set[int]:
    """The posts the issue's body already features (left out of its latest posts)."""
    return {
        block.value["post"].pk
        for block in issue.body
        if block.block_type == "post_teaser" and block.value["post"] is not None
    }


def archive_issues() -> QuerySet[Issue]:
    """Issues that have gone out, newest first: the public archive and its feed."""
    return (
        Issue.objects.filter(status__in=Issue.ARCHIVED_STATUSES)
        .exclude(slug__isnull=True)
        .defer("rendered_html", "rendered_text", "body")
        .order_by("-sending_started_at")
    )


@dataclass(frozen=True)
class IssueProgress:
    queued: int
    sending: int
    sent: int
    failed: int
    skipped: int
    cancelled: int
    last_claimed_at: Any
    last_sent_at: Any = None
    sent_last_minute: int = 0
    due: int = 0
    next_retry_at: Any = None
    temporary_failures: int = 0
    last_due_at: Any = None

    @property
    def total(self) -> int:
        return self.queued + self.sending + self.sent + self.failed + self.skipped + self.cancelled

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.skipped + self.cancelled

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def last_activity_at(self) -> Any:
        moments = [m for m in (self.last_claimed_at, self.last_sent_at) if m is not None]
        return max(moments) if moments else None


def issue_progress(*, issue_id: int, now: Any = None) -> IssueProgress:
    """Counts by status and the pace of sending, in one pass over the issue's deliveries."""
    now = now or timezone.now()
    statuses = Delivery.Status
    queued = Q(status=statuses.QUEUED)
    counts = Delivery.objects.filter(issue_id=issue_id).aggregate(
        **{status.value: Count("pk", filter=Q(status=status.value)) for status in statuses},
        last_claimed_at=Max("claimed_at"),
        last_sent_at=Max("sent_at"),
        sent_last_minute=Count(
            "pk", filter=Q(status=statuses.SENT, sent_at__gte=now - timedelta(minutes=1))
        ),
        due=Count(
            "pk", filter=queued & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        ),
        next_retry_at=Min("next_attempt_at", filter=queued & Q(next_attempt_at__gt=now)),
        temporary_failures=Count("pk", filter=Q(status=statuses.FAILED, temporary_failure=True)),
        last_due_at=Max("next_attempt_at", filter=queued & Q(next_attempt_at__lte=now)),
    )
    return IssueProgress(**counts)


@dataclass(frozen=True)
class IssueActivity:
    due: bool
    live_leases: bool
    last_claimed_at: Any


def issue_activity(*, issue_id: int, now: Any) -> IssueActivity:
    """What the sweeper needs to know: is anything due, is a live batch at work, and when was
    a row last claimed."""
    deliveries = Delivery.objects.filter(issue_id=issue_id)
    return IssueActivity(
        due=deliveries.filter(status=Delivery.Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .exists(),
        live_leases=deliveries.filter(
            status=Delivery.Status.SENDING, lease_expires_at__gte=now
        ).exists(),
        last_claimed_at=deliveries.aggregate(last=Max("claimed_at"))["last"],
    )


def issue_stalled_minutes(*, issue: Issue, progress: IssueProgress, now: Any) -> int:
    """Whole minutes (at least 1) since anything moved while work was due, or 0: a send whose
    workers are all gone, or whose tasks were lost, says so."""
    if issue.status != Issue.Status.SENDING or not (progress.due or progress.sending):
        return 0
    # Since the last claim or message, or since a retry became due (nobody sends while waiting).
    moments = [progress.last_activity_at, progress.last_due_at, issue.sending_started_at]
    moments = [moment for moment in moments if moment is not None]
    if not moments:
        return 0
    last = max(moments)
    idle = (now - last).total_seconds()
    return int(idle // 60) if idle >= 60 else 0


def issue_failures(*, issue_id: int, limit: int = 200) -> QuerySet[Delivery]:
    return Delivery.objects.filter(issue_id=issue_id, status=Delivery.Status.FAILED).order_by(
        "email"
    )[:limit]


def issues_due(*, now: Any) -> QuerySet[Issue]:
    return Issue.objects.filter(status=Issue.Status.SCHEDULED, scheduled_at__lte=now)
