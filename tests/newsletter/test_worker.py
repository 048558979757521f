"""Real delivery: a real Celery worker process, a real broker, a real SMTP server.

Each test asserts what matters at the SMTP server: every confirmed subscriber got exactly one
message (zero lost, zero duplicates), through faults: a worker killed with SIGKILL mid-send, Redis
killed mid-send and restarted empty, a server that refuses for a while, a recipient refused
permanently.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest

from newsletter import selectors, services
from newsletter.models import Delivery, Issue, Subscriber
from tests.factories.newsletter import IssueFactory
from tests.newsletter.conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


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


def sweep_until_sent(issue: Issue, *, timeout: float) -> None:
    """Run the sweeper, as beat does every minute, until the issue is sent.

    Its threshold is shortened for the tests: it must exceed the time a live batch holds its
    rows, and here batches take well under a second.
    """

    def swept_and_sent():
        services.deliveries_sweep(stale_after=timedelta(seconds=3))
        issue.refresh_from_db()
        return issue.status == Issue.Status.SENT

    wait_for(swept_and_sent, interval=1.0, timeout=timeout)


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
        assert "<http://testserver/newsletter/unsubscribe/" in links and "<mailto:" in links
        message_ids.add(message["Message-ID"])
    assert len(message_ids) == 200


def test_a_worker_killed_mid_send_loses_and_duplicates_nothing(smtp_server, start_worker):
    expected = make_subscribers(120)
    issue = IssueFactory()
    first = start_worker(concurrency=1)

    # Killed while the server is asked to accept recipient 55: messages before it were
    # accepted and recorded, this one was not accepted.
    send_and_kill_at_recipient(smtp_server, issue, 55, first.kill, lambda: first.process.poll())
    stuck = selectors.issue_progress(issue_id=issue.pk)
    assert stuck.sending > 0, stuck  # the dead worker's claimed rows
    assert smtp_server.handler.count == 54

    start_worker(concurrency=2)

    sweep_until_sent(issue, timeout=25)
    assert_each_got_exactly_one(smtp_server, expected)
    assert Delivery.objects.filter(status="sent").count() == 120


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


@pytest.fixture
def private_redis(monkeypatch, tmp_path):
    """A Redis server of this test's own (it gets killed), as REDIS_URL for the broker fixture."""
    import shutil
    import socket
    import subprocess

    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
    command += ["no", "--dir", str(tmp_path)]

    class Server:
        url = f"redis://127.0.0.1:{port}/0"
        process = None

        def start(self):
            import redis

            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
            client = redis.Redis(port=port)
            wait_for(lambda: _pings(client), message="The private Redis did not start")
            return self

        def kill(self):
            self.process.kill()
            self.process.wait(timeout=10)

    def _pings(client):
        try:
            return client.ping()
        except Exception:
            return False

    server = Server().start()
    monkeypatch.setenv("REDIS_URL", server.url)
    yield server
    if server.process.poll() is None:
        server.kill()


def test_redis_dying_mid_send_loses_and_duplicates_nothing(
    private_redis, smtp_server, start_worker
):
    # Redis keeps nothing on disk here (as on this project's machines): when it dies, the batch
    # tasks still queued in it are gone. The deliveries are rows in PostgreSQL, so the sweeper
    # (beat, every minute) sends them again through the new Redis, and nothing goes twice.
    from icmec.celery import app
    from tests.newsletter.conftest import _reset_connections

    expected = make_subscribers(150)
    issue = IssueFactory()
    worker = start_worker(concurrency=2)

    send_and_kill_at_recipient(
        smtp_server, issue, 40, private_redis.kill, lambda: private_redis.process.poll()
    )
    time.sleep(2)  # the batches in flight finish; the queued ones died with Redis
    assert selectors.issue_progress(issue_id=issue.pk).queued > 0

    private_redis.start()  # empty: a restart of a server that keeps nothing
    _reset_connections(app)

    # The worker reconnects with Celery's growing back-off (2 s, 4 s, 6 s...): allow for it.
    try:
        sweep_until_sent(issue, timeout=90)
    except AssertionError as error:
        log = worker.log_text()[-3000:]
        raise AssertionError(f"Not sent after Redis came back; the worker's log:\n{log}") from error
    assert_each_got_exactly_one(smtp_server, expected)
    assert Delivery.objects.filter(issue=issue, status="sent").count() == 150
