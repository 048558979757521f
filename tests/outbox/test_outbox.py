"""The outbox: a request's tasks are rows of its transaction, relayed to Celery after the commit
and again by beat until a worker takes them; a copy of a finished task is skipped; every app's
request-side enqueue goes through it. (With a real broker stopped and started:
tests/newsletter/test_worker.py.)"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from celery.exceptions import Ignore
from django.core import mail
from django.db import transaction
from django.utils import timezone

from newsletter import services as newsletter_services
from newsletter import tasks as newsletter_tasks
from newsletter.models import Subscriber
from outbox import services
from outbox.models import OutboxTask
from tests.portal.test_signup import SIGNUP

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent


def test_a_task_is_written_in_the_transaction_and_relayed_after_the_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        subscriber = newsletter_services.subscriber_subscribe(email="ann@example.org")
        entry = OutboxTask.objects.get()
        assert entry.task_name == "newsletter.tasks.send_confirmation"
        assert entry.args[:2] == [subscriber.pk, "page"]
        assert not mail.outbox  # nothing goes before the commit

    assert len(callbacks) == 1
    assert [m.to for m in mail.outbox] == [["ann@example.org"]]
    entry.refresh_from_db()
    # Taken and finished by the (eager) worker: only a tombstone is kept.
    assert entry.relayed_at
    assert entry.taken_at
    assert entry.done_at
    assert entry.args == []


def test_a_rolled_back_request_leaves_no_task():
    def subscribe_then_fail():
        with transaction.atomic():
            subscriber = newsletter_services.subscriber_subscribe(email="ann@example.org")
            assert OutboxTask.objects.filter(args__0=subscriber.pk).exists()
            raise RuntimeError(subscriber.pk)

    with pytest.raises(RuntimeError) as raised:
        subscribe_then_fail()
    subscriber_pk = raised.value.args[0]
    assert not OutboxTask.objects.filter(args__0=subscriber_pk).exists()
    assert not Subscriber.objects.filter(email="ann@example.org").exists()


def test_the_relay_hands_over_what_no_worker_has_taken(monkeypatch):
    published = []
    monkeypatch.setattr(
        newsletter_tasks.send_confirmation,
        "apply_async",
        lambda args, task_id, **options: published.append((tuple(args), task_id)),
    )
    old = timezone.now() - timedelta(minutes=5)
    never = OutboxTask.objects.create(
        task_name="newsletter.tasks.send_confirmation", args=[1, "page"], created_at=old
    )
    lost = OutboxTask.objects.create(
        task_name="newsletter.tasks.send_confirmation",
        args=[2, "page"],
        created_at=old,
        relayed_at=old,
    )
    OutboxTask.objects.create(  # relayed a moment ago: still on its way
        task_name="newsletter.tasks.send_confirmation",
        args=[3, "page"],
        created_at=old,
        relayed_at=timezone.now(),
    )
    OutboxTask.objects.create(  # a worker has it
        task_name="newsletter.tasks.send_confirmation",
        args=[4, "page"],
        created_at=old,
        taken_at=old,
    )
    OutboxTask.objects.create(  # just written: left to its own after-commit relay
        task_name="newsletter.tasks.send_confirmation", args=[5, "page"]
    )

    assert services.outbox_relay() == 2

    assert published == [((1, "page"), never.celery_task_id), ((2, "page"), lost.celery_task_id)]
    never.refresh_from_db()
    assert never.relayed_at
    assert never.relay_attempts == 1


def test_a_broker_that_is_down_fails_nothing_and_the_relay_stops_at_the_first_refusal(
    monkeypatch, django_capture_on_commit_callbacks
):
    from icmec.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", False)
    calls = []

    def refuse(**kwargs):
        calls.append(kwargs)
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(newsletter_tasks.send_confirmation, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.enqueue(newsletter_tasks.send_confirmation, 1, "page")
    entry.refresh_from_db()
    assert entry.relayed_at is None
    assert "Connection refused" in entry.last_error

    OutboxTask.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    services.enqueue(newsletter_tasks.send_confirmation, 2, "page")
    OutboxTask.objects.update(created_at=timezone.now() - timedelta(minutes=1))
    calls.clear()
    assert services.outbox_relay() == 0
    assert len(calls) == 1  # the broker is down: the second is not tried


def test_a_copy_of_a_finished_task_is_skipped_and_retries_still_run():
    entry = OutboxTask.objects.create(task_name="newsletter.tasks.send_confirmation", args=[1])
    task = newsletter_tasks.send_confirmation
    services.on_task_start(task, entry.celery_task_id)
    entry.refresh_from_db()
    assert entry.taken_at
    assert entry.done_at is None
    services.on_task_start(task, entry.celery_task_id)  # a redelivery or a retry: runs again
    services.on_task_end(task, entry.celery_task_id, "SUCCESS")
    with pytest.raises(Ignore):
        services.on_task_start(task, entry.celery_task_id)  # a copy the broker still held
    services.on_task_start(task, "an-ordinary-celery-task-id")  # not from the outbox: runs


def test_portal_emails_go_through_the_outbox(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    assert OutboxTask.objects.filter(task_name="portal.tasks.send_account_email").exists()


def test_a_portal_email_task_tells_the_outbox_it_was_taken_and_done(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/signup/", SIGNUP)
    entry = OutboxTask.objects.get(task_name="portal.tasks.send_account_email")
    assert entry.taken_at is not None
    assert entry.done_at is not None


def test_every_task_of_the_project_runs_the_outbox_hooks():
    """A task built on another class than the project's skips the hooks of `icmec.celery.Task`:
    its outbox entry would never be marked taken, and the relay would hand it over for ever."""
    from icmec.celery import Task, app

    app.loader.import_default_modules()
    ours = {
        name: task
        for name, task in app.tasks.items()
        if name.split(".")[0] in {"blog", "portal", "newsletter", "outbox"}
    }
    assert len(ours) > 10
    assert [name for name, task in ours.items() if not isinstance(task, Task)] == []


def test_no_request_side_code_hands_a_task_to_the_broker_directly():
    """Every app enqueues from requests with `outbox.services.enqueue` (or a helper calling
    it); `.delay`/`.apply_async` stay in tasks and in the newsletter's worker-side batches."""
    allowed = {
        # Batches are enqueued by workers only; `policy.delay` is the retry policy's backoff.
        "newsletter/services/issues.py": ["send_batch_task.apply_async"],
        "newsletter/services/delivery.py": ["policy.delay"],
        "newsletter/retry.py": ["self.delay"],
        "outbox/services.py": ["task.apply_async"],
    }
    offenders = []
    for app in ("icmec", "outbox", "portal", "blog", "newsletter"):
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if relative.endswith("tasks.py") or "/migrations/" in relative:
                continue
            for call in re.findall(r"[\w.]+\.(?:delay|apply_async)\(", path.read_text()):
                if not any(call.startswith(ok) for ok in allowed.get(relative, [])):
                    offenders.append(f"{relative}: {call}")
    assert offenders == []
