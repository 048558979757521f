import io

import pytest
from django.core import mail
from django.core.management.base import OutputWrapper
from django.core.management.color import no_style

from newsletter import demo
from newsletter.models import Delivery, Issue, Subscriber

pytestmark = pytest.mark.django_db


def test_demo_content_is_idempotent_and_mails_nobody(client):
    for _ in range(2):
        demo.load(stdout=OutputWrapper(io.StringIO()), style=no_style())

    assert Subscriber.objects.count() == len(demo.DEMO_SUBSCRIBERS)
    assert set(Subscriber.objects.values_list("status", flat=True)) == {
        "confirmed",
        "pending",
        "unsubscribed",
        "suppressed",
    }
    sent = Issue.objects.get(status=Issue.Status.SENT)
    assert Issue.objects.filter(status=Issue.Status.DRAFT).count() == 1
    assert Delivery.objects.filter(issue=sent, status="sent").count() == sent.recipient_count
    assert not mail.outbox
    archive = client.get("/newsletter/archive/").content.decode()
    assert demo.DEMO_ISSUE_SUBJECT in archive
    page = client.get(sent.get_absolute_url())
    assert page.status_code == 200
    assert "Thank you for joining us" in page.content.decode()
