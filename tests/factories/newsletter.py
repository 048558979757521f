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
