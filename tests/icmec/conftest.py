"""The demo site, loaded once per test module that asks for it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from blog.models import BlogPostPage, Category
from newsletter import tokens
from newsletter.models import Issue, Subscriber
from portal import demo as portal_demo
from portal import services
from portal.models import ConnectionRequest, Conversation, User
from tests.factories.accounts import totp_activate


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo content (in a transaction rolled back after the module), and the ids and tokens
    that URLs need. A module using it replaces the per-test `_media_root` fixture with a no-op,
    so that the demo's images stay where they were loaded."""
    media = override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media")))
    media.enable()
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo_content", stdout=io.StringIO())
        amelia = User.objects.get(email=portal_demo.MEMBERS[0]["email"])
        tom = User.objects.get(email=portal_demo.MEMBERS[1]["email"])
        priya = User.objects.get(email=portal_demo.MEMBERS[2]["email"])
        pending = services.connection_request_send(sender=priya, recipient=amelia)
        post = BlogPostPage.objects.live().filter(members_only=False).first()
        subscriber = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED).first()
        staff = User.objects.get(email="admin@example.org")
        totp_activate(staff)
        ids = {
            "amelia": amelia.pk,
            "staff": staff.pk,
            "membership": amelia.membership.pk,
            "subscriber": subscriber.pk,
            "post": post.url_path.rstrip("/").rsplit("/", 1)[-1],
            "category": Category.objects.first().slug,
            "tag": post.tags.first().slug if post.tags.exists() else "safety",
            "year": post.date_published.year,
            "issue": Issue.objects.get(status=Issue.Status.SENT).slug,
            "peer": tom.profile.public_id,
            "stranger": User.objects.get(email=portal_demo.MEMBERS[3]["email"]).profile.public_id,
            "conversation": Conversation.objects.first().pk,
            "request": pending.pk,
            "confirm": tokens.confirmation_token(
                subscriber_uuid=subscriber.uuid, version=1, source="footer"
            ),
            "unsubscribe": tokens.unsubscribe_token(subscriber_uuid=subscriber.uuid),
        }
        assert ConnectionRequest.objects.filter(pk=pending.pk).exists()
        yield ids
        transaction.set_rollback(True)
    media.disable()
