"""What a running send does and shows: the per-message checks (unsubscribed meanwhile, paused,
cancelled, lease lost), the lease's heartbeat, the retry policy, a refused login, and the
staff's report and controls. The batch sender runs in this process against a real aiosmtpd
server; the real-worker faults are in test_worker.py."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from newsletter import retry, selectors, services
from newsletter.models import Delivery, Issue, Subscriber
from newsletter.services import delivery as delivery_engine
from tests.factories.accounts import StaffFactory, login_staff
from tests.factories.newsletter import IssueFactory, SubscriberFactory
from tests.fixtures.smtp import SMTPServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def relay(monkeypatch):
    """Hold back what the outbox hands to Celery after a commit (in these transactional tests
    the eager task would otherwise send the whole issue at once), until the test lets go."""
    from outbox import services as outbox_services

    real = outbox_services._relay_after_commit
    state = {"on": False}
    monkeypatch.setattr(
        outbox_services, "_relay_after_commit", lambda entry: state["on"] and real(entry)
    )
    return state


def readers(count: int) -> list[Subscriber]:
    return [SubscriberFactory(email=f"reader{n}@example.org") for n in range(count)]


def in_server_thread(hook, *, own_session: bool = False):
    """Run `hook` while the SMTP server handles a command, in a thread of its own (the server's
    loop is async). It uses this test's database session (the sender waits for the server's
    answer meanwhile), or with `own_session` a session of its own, as another process would."""
    from django.db import connections

    shared = None if own_session else connections["default"]

    def run(*args):
        errors = []

        def target():
            if shared is not None:
                shared.inc_thread_sharing()
                connections["default"] = shared
            try:
                hook(*args)
            except Exception as exc:  # shown by the test, not swallowed by the server
                errors.append(exc)
            finally:
                if shared is not None:
                    shared.dec_thread_sharing()
                else:
                    connection.close()

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        assert not errors, errors

    return run


# --- Checks right before each message ----------------------------------------------------------


def test_a_reader_who_unsubscribes_during_a_running_batch_is_skipped(smtp_settings):
    people = readers(5)
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)
    leaving = people[3]

    def unsubscribe_while_sending(address):
        # The batch has claimed every row (reader3's included) and is sending reader1's.
        if address == "reader1@example.org":
            services.subscriber_unsubscribe(subscriber=leaving, method="one-click")

    smtp_settings.handler.on_rcpt = in_server_thread(unsubscribe_while_sending)

    outcome = services.delivery_batch_send(issue_id=issue.pk)

    assert (outcome.claimed, outcome.sent, outcome.skipped) == (5, 4, 1)
    received = smtp_settings.handler.recipients()
    assert leaving.email not in received
    assert sorted(received) == sorted(p.email for p in people if p != leaving)
    assert Delivery.objects.get(email=leaving.email).status == Delivery.Status.SKIPPED


@pytest.mark.parametrize("control", ["pause", "cancel"])
def test_pausing_or_cancelling_stops_a_running_batch_before_its_next_message(
    smtp_settings, django_capture_on_commit_callbacks, control
):
    readers(6)
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)

    def staff_act(address):
        if address == "reader1@example.org":
            getattr(services, f"issue_{control}")(issue_id=issue.pk)

    smtp_settings.handler.on_rcpt = in_server_thread(staff_act)

    outcome = services.delivery_batch_send(issue_id=issue.pk)

    # reader1's message was already on its way; nothing after it.
    assert sorted(smtp_settings.handler.recipients()) == [
        "reader0@example.org",
        "reader1@example.org",
    ]
    progress = selectors.issue_progress(issue_id=issue.pk)
    assert progress.sent == 2
    assert progress.sending == 0
    issue.refresh_from_db()
    if control == "pause":
        assert issue.status == Issue.Status.PAUSED
        assert progress.queued == 4
        assert services.delivery_batch_send(issue_id=issue.pk).claimed == 0
        with django_capture_on_commit_callbacks(execute=True):
            services.issue_resume(issue_id=issue.pk)  # eager: dispatched and sent here
        assert len(smtp_settings.handler.recipients()) == 6
        assert set(smtp_settings.handler.recipients().values()) == {1}
        issue.refresh_from_db()
        assert issue.status == Issue.Status.SENT
    else:
        assert issue.status == Issue.Status.CANCELLED
        assert (progress.queued, progress.cancelled, outcome.cancelled) == (0, 4, 4)


def test_a_batch_whose_lease_was_taken_over_sends_nothing_more(smtp_settings):
    readers(4)
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)
    other_batch = uuid.uuid4()

    def taken_over(address):
        # As if the sweeper had given the rows to another batch (this one looked dead).
        if address == "reader0@example.org":
            Delivery.objects.filter(status="sending").exclude(email=address).update(
                lease_owner=other_batch
            )

    smtp_settings.handler.on_rcpt = in_server_thread(taken_over)

    outcome = services.delivery_batch_send(issue_id=issue.pk)

    assert outcome.stopped == "lease lost"
    assert list(smtp_settings.handler.recipients()) == ["reader0@example.org"]
    assert Delivery.objects.filter(lease_owner=other_batch, status="sending").count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_slow_live_batch_keeps_its_lease_and_is_never_taken_over(smtp_settings, settings, relay):
    settings.NEWSLETTER_LEASE_SECONDS = 0.9  # renewed every 0.3 s
    readers(3)
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)
    sweeps = []

    def slow_server(address):
        # One answer takes longer than the whole lease; the sweeper runs meanwhile.
        if address == "reader1@example.org":
            for _ in range(4):
                time.sleep(0.5)
                sweeps.append(services.deliveries_sweep().returned)

    smtp_settings.handler.on_rcpt = in_server_thread(slow_server, own_session=True)

    outcome = services.delivery_batch_send(issue_id=issue.pk)

    assert sweeps == [0, 0, 0, 0]
    assert outcome.sent == 3
    assert outcome.stopped == ""
    assert set(smtp_settings.handler.recipients().values()) == {1}


@pytest.mark.django_db(transaction=True)
def test_a_dead_batch_lease_expires_and_the_sweeper_returns_its_rows(settings, relay):
    settings.NEWSLETTER_LEASE_SECONDS = 0.5
    readers(3)
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)
    delivery_engine._claim(issue.pk, 2, uuid.uuid4())  # claimed, then its worker died: no heartbeat

    assert services.deliveries_sweep().returned == 0  # the lease still runs
    time.sleep(0.7)
    result = services.deliveries_sweep()

    # Returned, and dispatched again (nothing claimed for a lease's length): sent once each.
    assert (result.returned, result.redispatched) == (2, [issue.pk])
    assert sorted(m.to[0] for m in mail.outbox) == [f"reader{n}@example.org" for n in range(3)]
    assert Delivery.objects.filter(status="sent").count() == 3


# --- Retries ---------------------------------------------------------------------------------


def test_temporary_refusals_are_retried_for_a_day_with_capped_backoff():
    policy = retry.RetryPolicy(base_seconds=30, max_seconds=1800, retry_for_seconds=24 * 3600)
    assert [policy.delay(n) for n in range(8)] == [30, 60, 120, 240, 480, 960, 1800, 1800]
    last_try = next(n for n in range(1, 500) if policy.gives_up(n))
    assert policy.waited(last_try) >= 24 * 3600 > policy.waited(last_try - 1)
    assert 24 * 3600 - policy.waited(last_try - 1) <= 1800  # no wait longer than the cap
    assert not policy.gives_up(6)  # the old limit gave up after 6 tries (15 minutes)
    assert policy.delay(10_000) == 1800


def test_a_recipient_refused_for_a_day_fails_temporarily_and_can_be_resent(
    smtp_settings, django_capture_on_commit_callbacks
):
    SubscriberFactory(email="busy@example.org")
    smtp_settings.handler.refuse_temporarily.add("busy@example.org")
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)
    last_try = next(n for n in range(1, 10_000) if retry.policy().gives_up(n))
    Delivery.objects.update(attempts=last_try - 1)

    outcome = services.delivery_batch_send(issue_id=issue.pk)

    assert outcome.failed == 1
    failed = Delivery.objects.get()
    assert failed.temporary_failure
    assert failed.error.startswith("Refused temporarily for 24 hours")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert "450 4.2.1" in issue.last_error
    # The mailbox works again: staff resend what failed temporarily.
    smtp_settings.handler.refuse_temporarily.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.issue_resend_failed(issue_id=issue.pk) == 1
    assert smtp_settings.handler.recipients()["busy@example.org"] == 1
    assert Delivery.objects.get().status == Delivery.Status.SENT


@pytest.fixture
def login_refusing_smtp(settings):
    server = SMTPServer(refuse_logins=True).start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = "news", "wrong password"
    yield server
    server.stop()


def test_a_refused_login_pauses_the_send_and_says_so(login_refusing_smtp):
    readers(3)
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)

    outcome = services.delivery_batch_send(issue_id=issue.pk)  # no TransientSendError: no retry

    assert outcome.stopped == "paused"
    assert outcome.sent == 0
    issue.refresh_from_db()
    assert issue.status == Issue.Status.PAUSED
    assert "refused the login (535" in issue.last_error
    assert "check the user name and password" in issue.last_error
    assert selectors.issue_progress(issue_id=issue.pk).queued == 3
    assert login_refusing_smtp.handler.count == 0


# --- The report and the controls ---------------------------------------------------------------


def report(client, issue) -> str:
    response = client.get(f"/admin/newsletter/issues/{issue.pk}/report/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_report_shows_the_pace_the_last_error_the_next_retry_and_a_stall(staff_client):
    readers(5)
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)
    now = timezone.now()
    ids = list(Delivery.objects.order_by("id").values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids[:2]).update(status="sent", sent_at=now, claimed_at=now)
    Delivery.objects.filter(pk=ids[2]).update(
        attempts=1, next_attempt_at=now + timedelta(minutes=5), error="451 4.3.0 Try later"
    )
    Issue.objects.filter(pk=issue.pk).update(last_error="451 4.3.0 Try later", last_error_at=now)

    page = report(staff_client, issue)
    assert "2 messages in the last minute" in page
    assert "451 4.3.0 Try later" in page
    assert "data-next-retry" in page
    assert "No worker has sent anything" not in page

    # Nothing has moved for three minutes while two deliveries are due.
    long_ago = now - timedelta(minutes=3)
    Delivery.objects.filter(pk__in=ids[:2]).update(sent_at=long_ago, claimed_at=long_ago)
    Issue.objects.filter(pk=issue.pk).update(sending_started_at=long_ago)
    page = report(staff_client, issue)
    assert "No worker has sent anything for 3 minutes: check the workers." in page
    assert "0 messages in the last minute" in page


def test_staff_pause_resume_and_cancel_from_the_report(staff_client):
    readers(4)
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)  # no on-commit here: nothing dispatched
    control = f"/admin/newsletter/issues/{issue.pk}/control/"

    assert "Pause sending" in report(staff_client, issue)
    staff_client.post(control, {"action": "pause"})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.PAUSED
    page = report(staff_client, issue)
    assert "Resume sending" in page
    assert "Pause sending" not in page

    staff_client.post(control, {"action": "resume"})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING

    staff_client.post(control, {"action": "cancel"})
    issue.refresh_from_db()
    assert issue.status == Issue.Status.CANCELLED
    page = report(staff_client, issue)
    assert '<td data-count="cancelled">4</td>' in page
    assert "Cancel: send nothing more" not in page
    assert services.delivery_batch_send(issue_id=issue.pk).claimed == 0
    assert not mail.outbox
    # A control that does not apply any more says so and changes nothing.
    response = staff_client.post(control, {"action": "resume"}, follow=True)
    assert "Only a paused issue can be resumed." in response.content.decode()


def test_the_controls_need_the_send_permission(client):
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)
    editor = StaffFactory(newsletter_editor=True, mfa=True, email="editor@example.org")
    group = editor.groups.first()
    group.permissions.remove(*group.permissions.filter(codename="send_issue"))
    login_staff(client, editor)
    response = client.post(f"/admin/newsletter/issues/{issue.pk}/control/", {"action": "cancel"})
    assert response.status_code in (302, 403)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING
