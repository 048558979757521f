"""Factories for events: the index page, event pages (under the index) and speakers."""

from __future__ import annotations

from datetime import timedelta

import factory
import wagtail_factories
from django.utils import timezone

from events.models import EventIndexPage, EventPage, Speaker


class EventIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = EventIndexPage

    title = "Events"
    slug = "events"
    introduction = "Webinars, training and roundtables."


class EventPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = EventPage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Event number {n}")
    summary = factory.LazyAttribute(lambda obj: f"What {obj.title.lower()} is about.")
    start_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    end_at = factory.LazyAttribute(lambda obj: obj.start_at + timedelta(hours=2))
    joining_link = "https://meet.example.org/secret-room"

    @factory.post_generation
    def speakers(self, create, extracted, **kwargs):
        if create and extracted:
            self.speakers.set(extracted)
            self.save()


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    name = factory.Sequence(lambda n: f"Speaker {n}")
    role = "Financial crime analyst"
