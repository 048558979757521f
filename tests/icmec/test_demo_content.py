"""`manage.py load_demo_content` makes people and conversations up: it must not write to them."""

import io

import pytest
from celery.app.task import Task
from django.core import mail
from django.core.management import call_command

from tests.factories.portal import MemberFactory

pytestmark = pytest.mark.django_db


def test_loading_the_demo_sends_no_email_and_queues_no_task(
    django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(Task, "apply_async", lambda task, *args, **kwargs: queued.append(task.name))

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_content", stdout=io.StringIO())

    assert queued == []
    assert mail.outbox == []
    # The demo did create what would normally notify someone.
    from portal.models import ConnectionRequest, Membership

    assert Membership.objects.filter(status="approved").exists()
    assert Membership.objects.filter(status="pending").exists()
    assert ConnectionRequest.objects.exists()


def test_services_notify_again_after_the_demo(django_capture_on_commit_callbacks, monkeypatch):
    """The switch is scoped: outside `notifications_suppressed` the same service emails."""
    from portal import services

    queued = []
    monkeypatch.setattr(Task, "apply_async", lambda task, *args, **kwargs: queued.append(task.name))
    sender, recipient = MemberFactory(email="a@example.org"), MemberFactory(email="b@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        with services.notifications_suppressed():
            services.connection_request_send(sender=sender, recipient=recipient)
        services.connection_request_send(sender=recipient, recipient=MemberFactory())

    assert queued == ["portal.tasks.send_connection_request_email"]
