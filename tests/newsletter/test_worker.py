"""Real delivery: a real Celery worker process, a real broker, a real SMTP server.

Each test asserts what matters at the SMTP server: every confirmed subscriber got exactly one
message (zero lost, zero duplicates), through faults: a worker killed with SIGKILL mid-send, Redis
killed mid-send and restarted empty, a server that refuses for a while, a recipient refused
permanently.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from newsletter import selectors, services
from newsletter.models import Delivery, Issue, Subscriber
from tests.factories.accounts import StaffFactory, login_staff
from tests.factories.newsletter import IssueFactory
from tests.newsletter.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def make_subscribers(confirmed: int, *, pending: int = 0, unsubscribed: int = 0) -> list[str]:
    rows = [
        Subscriber(email=f"reader{n}@example.org", status=Subscriber.Status.CONFIRMED)
        for n in range(confirmed)
    ]
    rows += [
        Subscriber(email=f"pending{n}@example.org", status=Subscriber.Status.PENDING)
        for n in range(pending)
    ]
    rows += [
        Subscriber(email=f"gone{n}@example.org", status=Subscriber.Status.UNSUBSCRIBED)
        for n in range(unsubscribed)
    ]
    Subscriber.objects.bulk_create(rows)
    return [f"reader{n}@example.org" for n in range(confirmed)]


def wait_until_sent(issue: Issue, timeout: float = 25.0) -> None:
    def sent():
        issue.refresh_from_db()
        return issue.status == Issue.Status.SENT

    wait_for(
        sent,
        timeout=timeout,
        message=f"Issue not sent: {selectors.issue_progress(issue_id=issue.pk)}",
    )


def send_and_kill_at_recipient(smtp_server, issue: Issue, number: int, kill, exit_code) -> None:
    """Start sending `issue` and call `kill` when the SMTP server is asked for recipient
    `number`; return once `exit_code()` says the killed process has gone."""
    seen = []

    def on_rcpt(address):
        seen.append(address)
        if len(seen) == number:
            kill()

    smtp_server.handler.on_rcpt = on_rcpt
    services.issue_start_sending(issue_id=issue.pk)
    wait_for(lambda: exit_code() is not None, message="The process was not killed")
    smtp_server.handler.on_rcpt = None


def beat_until_sent(issue: Issue, *, timeout: float = 60.0) -> float:
    """Do what Celery beat does, at its own interval (15 s), until the issue is sent: sweep the
    deliveries and relay the outbox. Returns the seconds it took.

    Beat's tasks run here rather than through the broker, so that a broker being restarted
    delays only the work of the worker under test.
    """
    from django.conf import settings

    from outbox.services import outbox_relay

    interval = settings.CELERY_BEAT_SCHEDULE["newsletter-sweep-deliveries"]["schedule"]
    started = time.monotonic()
    next_tick = started

    def ticked_and_sent():
        nonlocal next_tick
        if time.monotonic() >= next_tick:
            services.deliveries_sweep()
            outbox_relay()
            next_tick += interval.total_seconds()
        issue.refresh_from_db()
        return issue.status == Issue.Status.SENT

    try:
        wait_for(ticked_and_sent, interval=0.2, timeout=timeout)
    except AssertionError:
        progress = selectors.issue_progress(issue_id=issue.pk)
        raise AssertionError(f"Not sent within {timeout:.0f} s: {progress}") from None
    return time.monotonic() - started


def assert_each_got_exactly_one(smtp_server, expected: list[str]) -> None:
    received = smtp_server.handler.recipients()
    assert received == Counter(dict.fromkeys(expected, 1)), (
        f"lost: {set(expected) - set(received)}; "
        f"duplicates: {[e for e, n in received.items() if n > 1]}; "
        f"strangers: {set(received) - set(expected)}"
    )


def test_an_issue_reaches_200_subscribers_exactly_once(smtp_server, start_worker):
    expected = make_subscribers(200, pending=7, unsubscribed=9)
    issue = IssueFactory(subject="Two hundred readers")
    start_worker(concurrency=2)

    services.issue_start_sending(issue_id=issue.pk)
    wait_until_sent(issue)

    assert_each_got_exactly_one(smtp_server, expected)
    progress = selectors.issue_progress(issue_id=issue.pk)
    assert (progress.sent, progress.failed, progress.queued, progress.sending) == (200, 0, 0, 0)
    message_ids = set()
    for received in smtp_server.handler.messages:
        message = received.message
        assert message["Subject"] == "Two hundred readers"
        assert message.get_content_type() == "multipart/alternative"
        parts = [part.get_content_type() for part in message.iter_parts()]
        assert parts == ["text/plain", "text/html"]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        links = " ".join(message["List-Unsubscribe"].split())
        assert "<http://testserver/newsletter/unsubscribe/" in links
        assert "<mailto:" in links
        message_ids.add(message["Message-ID"])
    assert len(message_ids) == 200


def test_a_worker_killed_mid_send_loses_and_duplicates_nothing(smtp_server, start_worker):
    expected = make_subscribers(120)
    issue = IssueFactory()
    first = start_worker(concurrency=1)

    # Killed while the server is asked to accept recipient 55: messages before it were
    # accepted and recorded, this one was not accepted.
    send_and_kill_at_recipient(smtp_server, issue, 55, first.kill, lambda: first.process.poll())
    killed_at = time.monotonic()
    stuck = selectors.issue_progress(issue_id=issue.pk)
    assert stuck.sending > 0, stuck  # the dead worker's claimed rows, under its lease
    assert smtp_server.handler.count == 54

    time.sleep(3)
    start_worker(concurrency=2)
    ready_at = time.monotonic()

    # The dead batch's lease (20 s) runs out; the next sweep gives its rows to the new worker.
    beat_until_sent(issue, timeout=60)
    # Within a minute of the death, or of a worker being there to take over, if that is later.
    assert time.monotonic() - max(killed_at, ready_at - 3) < 60
    assert_each_got_exactly_one(smtp_server, expected)
    assert Delivery.objects.filter(status="sent").count() == 120


def _pool_processes(worker) -> list[int]:
    """The pids of a worker's pool processes (the children of its main process)."""
    pid = worker.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def test_a_batch_terminated_mid_message_records_it_and_gives_the_rest_back(
    smtp_server, start_worker
):
    # Celery terminates a pool process with SIGTERM when it cancels the task running there (on a
    # lost broker connection, or a revoke with terminate=True). Terminated after the server
    # accepted a message but before its reply was read, the batch must still record that message
    # as sent (or it would go again) and hand the rest back at once.
    expected = make_subscribers(60)
    issue = IssueFactory()
    worker = start_worker(concurrency=1)
    terminated = []

    def terminate_the_sender(recipients):
        if smtp_server.handler.count == 25 and not terminated:
            [child] = _pool_processes(worker)
            os.kill(child, signal.SIGTERM)
            terminated.append(child)
            time.sleep(0.5)  # the signal arrives while the batch waits for this reply

    smtp_server.handler.on_data = terminate_the_sender
    services.issue_start_sending(issue_id=issue.pk)
    wait_for(lambda: terminated, message="The batch never reached message 25")
    wait_for(
        lambda: not Path(f"/proc/{terminated[0]}").exists(),
        message="The terminated process did not end",
    )

    beat_until_sent(issue, timeout=40)
    assert_each_got_exactly_one(smtp_server, expected)
    assert Delivery.objects.filter(issue=issue, status="sent").count() == 60


def test_a_slow_live_batch_is_never_taken_over(smtp_server, start_worker):
    expected = make_subscribers(8)
    issue = IssueFactory()
    # Leases of 1.5 s; each message takes 1 s at the server: one batch of 8 lives 8 s.
    start_worker(concurrency=1, extra_env={"NEWSLETTER_LEASE_SECONDS": "1.5"})
    smtp_server.handler.on_rcpt = lambda address: time.sleep(1.0)
    from django.test import override_settings

    with override_settings(NEWSLETTER_LEASE_SECONDS=1.5):
        services.issue_start_sending(issue_id=issue.pk)
        returned = []

        def swept_and_sent():
            returned.append(services.deliveries_sweep().returned)
            issue.refresh_from_db()
            return issue.status == Issue.Status.SENT

        wait_for(swept_and_sent, interval=0.5, timeout=40)

    assert sum(returned) == 0
    assert len(returned) > 10
    assert_each_got_exactly_one(smtp_server, expected)


def test_a_server_that_refuses_for_a_while_loses_and_duplicates_nothing(smtp_server, start_worker):
    expected = make_subscribers(150)
    issue = IssueFactory()
    start_worker(concurrency=2)
    smtp_server.stop()  # connection refused

    services.issue_start_sending(issue_id=issue.pk)
    wait_for(
        lambda: Delivery.objects.filter(issue=issue).exclude(error="").exists(),
        message="No failed connection attempt recorded",
    )
    time.sleep(1.5)
    assert smtp_server.handler.count == 0
    seen = []

    def busy_for_a_while(address):
        # Later the server answers "421 try later" to everyone for a second and a half.
        seen.append(address)
        if len(seen) == 60:
            smtp_server.handler.temporarily_refusing = True
            threading.Timer(
                1.5, lambda: setattr(smtp_server.handler, "temporarily_refusing", False)
            ).start()

    smtp_server.handler.on_rcpt = busy_for_a_while
    smtp_server.start()

    wait_until_sent(issue)
    assert_each_got_exactly_one(smtp_server, expected)
    assert len(seen) > 150  # the refused recipients were tried again


def test_a_recipient_refused_permanently_is_recorded_and_the_rest_delivered(
    smtp_server, start_worker
):
    expected = make_subscribers(60)
    refused = "reader17@example.org"
    smtp_server.handler.refuse_permanently.add(refused)
    issue = IssueFactory()
    start_worker(concurrency=2)

    services.issue_start_sending(issue_id=issue.pk)
    wait_until_sent(issue)

    assert_each_got_exactly_one(smtp_server, [e for e in expected if e != refused])
    failed = Delivery.objects.get(issue=issue, status="failed")
    assert failed.email == refused
    assert failed.error.startswith("550")
    assert Subscriber.objects.get(email=refused).status == Subscriber.Status.SUPPRESSED


def test_redis_dying_mid_send_loses_and_duplicates_nothing(
    private_redis, smtp_server, start_worker
):
    # Redis keeps nothing on disk here (as on this project's machines): when it dies, the batch
    # tasks still queued in it are gone. The deliveries are rows in PostgreSQL, so the sweeper
    # (beat) sends them again through the new Redis, and nothing goes twice.
    from icmec.celery import app
    from tests.newsletter.conftest import _reset_connections

    expected = make_subscribers(150)
    issue = IssueFactory()
    worker = start_worker(concurrency=2)

    send_and_kill_at_recipient(
        smtp_server, issue, 40, private_redis.kill, lambda: private_redis.process.poll()
    )
    killed_at = time.monotonic()
    time.sleep(2)  # the batches in flight finish; the queued ones died with Redis
    assert selectors.issue_progress(issue_id=issue.pk).queued > 0

    private_redis.start()  # empty: a restart of a server that keeps nothing
    _reset_connections(app)

    try:
        beat_until_sent(issue, timeout=60)
    except AssertionError as error:
        import redis

        waiting = redis.Redis.from_url(private_redis.url).llen("celery")
        log = worker.log_text()[-3000:]
        raise AssertionError(
            f"Not sent after Redis came back ({waiting} tasks in Redis); the worker's log:\n{log}"
        ) from error
    assert time.monotonic() - killed_at < 60
    assert_each_got_exactly_one(smtp_server, expected)
    assert Delivery.objects.filter(issue=issue, status="sent").count() == 150


# --- Requests while the broker is down: the outbox ------------------------------------------


def _redis_back(private_redis) -> None:
    from icmec.celery import app
    from tests.newsletter.conftest import _reset_connections

    private_redis.start()
    _reset_connections(app)


def test_with_redis_down_a_sign_up_answers_and_the_confirmation_arrives_once_it_is_back(
    private_redis, smtp_server, start_worker, client
):
    from outbox.models import OutboxTask
    from outbox.services import outbox_relay

    start_worker(concurrency=1)
    assert client.get("/newsletter/").status_code == 200  # this process's first request
    private_redis.kill()

    started = time.monotonic()
    response = client.post(
        "/newsletter/",
        {"email": "ann@example.org", "consent": "on", "form_id": "footer"},
        HTTP_ORIGIN="http://testserver",
    )
    assert time.monotonic() - started < 3  # one quick attempt at the broker, no waiting
    assert response.status_code == 302
    assert response["Location"] == "/newsletter/check-your-inbox/"
    assert Subscriber.objects.get(email="ann@example.org").status == Subscriber.Status.PENDING
    waiting = OutboxTask.objects.get(task_name="newsletter.tasks.send_confirmation")
    assert waiting.relayed_at is None
    assert waiting.last_error
    time.sleep(1)
    assert smtp_server.handler.count == 0

    _redis_back(private_redis)

    def relayed_and_arrived():
        outbox_relay()  # beat's relay
        return smtp_server.handler.count >= 1

    wait_for(relayed_and_arrived, interval=1.0, timeout=60, message="No confirmation arrived")
    time.sleep(1)
    [received] = smtp_server.handler.messages
    assert received.rcpt_tos == ["ann@example.org"]
    assert "/newsletter/confirm/" in received.message.get_body(("plain",)).get_content()
    waiting.refresh_from_db()
    assert waiting.taken_at
    assert waiting.done_at
    assert waiting.args == []


def test_with_redis_down_send_now_shows_the_issue_sending_and_it_goes_out_once_it_is_back(
    private_redis, smtp_server, start_worker, client
):

    expected = make_subscribers(30)
    issue = IssueFactory()
    login_staff(client, StaffFactory(newsletter_editor=True, mfa=True, email="editor@example.org"))
    start_worker(concurrency=2)
    private_redis.kill()

    response = client.post(
        f"/admin/newsletter/issues/{issue.pk}/send/", {"action": "send", "confirm": "on"}
    )
    assert response.status_code == 302
    report = client.get(response["Location"])
    assert report.status_code == 200
    assert 'data-issue-status="sending"' in report.content.decode()
    assert "Sending to 30 subscribers." in report.content.decode()

    _redis_back(private_redis)
    beat_until_sent(issue, timeout=60)
    assert_each_got_exactly_one(smtp_server, expected)
