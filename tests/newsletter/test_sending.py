"""Sending an issue: snapshot, rendering, per-recipient results, SMTP classification, sweeper.

The SMTP tests run the batch sender in this process against a real aiosmtpd server; the
real-worker tests are in test_worker.py.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.message import AnymailRecipientStatus
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile
from django.utils import timezone
from wagtail.blocks import StreamBlockValidationError

from newsletter import rendering, selectors, services
from newsletter.blocks import IssueBodyBlock
from newsletter.models import Delivery, Issue, Subscriber
from newsletter.services import delivery as delivery_engine
from tests.factories.blog import PublishedBlogPostFactory, SiteImageFactory, png_bytes
from tests.factories.newsletter import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

ADDRESS = "PO Box 0000, Sydney NSW 2001, Australia"


def start(issue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.issue_start_sending(issue_id=issue.pk)


def test_sending_snapshots_confirmed_subscribers_and_mails_each_once(
    django_capture_on_commit_callbacks,
):
    confirmed = SubscriberFactory.create_batch(5)
    SubscriberFactory(status=Subscriber.Status.PENDING)
    SubscriberFactory(status=Subscriber.Status.UNSUBSCRIBED)
    SubscriberFactory(status=Subscriber.Status.SUPPRESSED)
    issue = IssueFactory(subject="Our March news")

    assert start(issue, django_capture_on_commit_callbacks) == 5

    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert issue.recipient_count == 5
    assert issue.slug.endswith("our-march-news")
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.email for s in confirmed)
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    message_ids = {m.extra_headers["Message-ID"] for m in mail.outbox}
    assert len(message_ids) == 5

    message = mail.outbox[0]
    assert message.subject == "Our March news"
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert re.fullmatch(
        r"<http://testserver/newsletter/unsubscribe/[^>]+/>, "
        r"<mailto:news@localhost\?subject=[^>]+>",
        unsubscribe,
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    personal_link = unsubscribe[1:].split(">", 1)[0]
    assert personal_link in html
    assert personal_link in message.body
    assert "%%unsubscribe_url%%" not in html + message.body
    assert ADDRESS in html
    assert ADDRESS in message.body
    assert "<h2" in html
    assert 'style="' in html
    assert "Welcome to our newsletter. Read the report (https://example.org/report)." in (
        message.body
    )
    assert f"http://testserver/newsletter/archive/{issue.slug}/" in html


def test_an_issue_is_sent_at_most_once(django_capture_on_commit_callbacks):
    SubscriberFactory.create_batch(2)
    issue = IssueFactory()
    start(issue, django_capture_on_commit_callbacks)

    with pytest.raises(services.IssueStateError):
        services.issue_start_sending(issue_id=issue.pk)
    with pytest.raises(services.IssueStateError):
        services.issue_schedule(
            issue_id=issue.pk, when=timezone.now() + timedelta(days=1), user=None
        )
    assert len(mail.outbox) == 2
    assert Delivery.objects.count() == 2


def test_batches_run_twice_never_send_twice(django_capture_on_commit_callbacks):
    SubscriberFactory.create_batch(3)
    issue = IssueFactory()
    start(issue, django_capture_on_commit_callbacks)

    outcome = services.delivery_batch_send(issue_id=issue.pk)
    services.issue_dispatch(issue_id=issue.pk)

    assert outcome.claimed == 0
    assert len(mail.outbox) == 3


def test_addresses_that_leave_after_the_snapshot_are_skipped():
    stays, leaves = SubscriberFactory.create_batch(2)
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)  # no on-commit: nothing dispatched yet
    services.subscriber_unsubscribe(subscriber=leaves, method="link")

    services.delivery_batch_send(issue_id=issue.pk)

    assert [m.to for m in mail.outbox] == [[stays.email]]
    assert selectors.issue_progress(issue_id=issue.pk).skipped == 1
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


def test_scheduled_issues_go_out_when_due(django_capture_on_commit_callbacks):
    SubscriberFactory()
    due = IssueFactory()
    later = IssueFactory()
    services.issue_schedule(issue_id=due.pk, when=timezone.now() + timedelta(minutes=5), user=None)
    services.issue_schedule(issue_id=later.pk, when=timezone.now() + timedelta(days=1), user=None)
    Issue.objects.filter(pk=due.pk).update(scheduled_at=timezone.now() - timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        assert services.issues_start_due() == [due.pk]

    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == Issue.Status.SENT
    assert later.status == Issue.Status.SCHEDULED
    with pytest.raises(ValidationError):
        services.issue_schedule(issue_id=later.pk, when=timezone.now(), user=None)
    assert services.issue_unschedule(issue_id=later.pk).status == Issue.Status.DRAFT


def test_the_sweeper_returns_rows_of_dead_workers_and_redispatches(
    django_capture_on_commit_callbacks,
):
    SubscriberFactory.create_batch(3)
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)
    # A worker claimed two rows and died: its lease ran out a moment ago.
    claimed = delivery_engine._claim(issue.pk, 2)
    long_ago = timezone.now() - timedelta(minutes=1)
    Delivery.objects.filter(pk__in=[c.id for c in claimed]).update(
        claimed_at=long_ago, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = services.deliveries_sweep()

    assert result.returned == 2
    assert result.redispatched == [issue.pk]
    assert len(mail.outbox) == 3
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    # Rows under a live lease are left alone, however long ago they were claimed (a slow batch).
    other = IssueFactory()
    services.issue_start_sending(issue_id=other.pk)
    [row] = delivery_engine._claim(other.pk, 1)
    Delivery.objects.filter(pk=row.id).update(claimed_at=timezone.now() - timedelta(hours=1))
    result = services.deliveries_sweep()
    assert (result.returned, result.redispatched) == (0, [])
    assert Delivery.objects.get(pk=row.id).status == Delivery.Status.SENDING


def test_latest_posts_are_public_posts_since_the_last_issue():
    previous = IssueFactory()
    Issue.objects.filter(pk=previous.pk).update(
        status=Issue.Status.SENT,
        sending_started_at=timezone.now() - timedelta(days=10),
        slug="previous",
    )
    PublishedBlogPostFactory(title="Old post", published_at=timezone.now() - timedelta(days=20))
    new = PublishedBlogPostFactory(
        title="New post", published_at=timezone.now() - timedelta(days=2)
    )
    PublishedBlogPostFactory(
        title="Members post", members_only=True, published_at=timezone.now() - timedelta(days=1)
    )
    featured = PublishedBlogPostFactory(
        title="Featured", published_at=timezone.now() - timedelta(days=1)
    )
    issue = IssueFactory(
        include_latest_posts=True,
        body=[{"type": "post_teaser", "value": {"post": featured.pk, "summary": ""}}],
    )

    assert [p.title for p in selectors.issue_latest_posts(issue=issue)] == [new.title]

    rendered = rendering.render_issue(issue, posts=[new])
    assert "http://testserver/blog/featured/" in rendered.html
    assert "http://testserver/blog/new-post/" in rendered.text
    assert "Members post" not in rendered.html


def test_members_only_posts_cannot_be_chosen_as_teasers():
    post = PublishedBlogPostFactory(title="Members post", members_only=True)
    block = IssueBodyBlock()
    value = block.to_python([{"type": "post_teaser", "value": {"post": post.pk, "summary": ""}}])
    with pytest.raises(StreamBlockValidationError):
        block.clean(value)


def test_images_use_renditions_with_absolute_urls():
    image = SiteImageFactory(
        title="Training day",
        description="People at a training day",
        file=ImageFile(io.BytesIO(png_bytes(1600, 900, (11, 37, 69))), name="training.png"),
    )
    issue = IssueFactory(
        body=[
            {
                "type": "image",
                "value": {"image": image.pk, "alt_text": "", "caption": "Our team", "link": ""},
            }
        ]
    )
    html = rendering.render_issue(issue, posts=[]).html
    match = re.search(r'<img src="([^"]+)" alt="People at a training day" width="560"', html)
    assert match, html
    assert match.group(1).startswith("http://testserver/media/images/training")


# --- SMTP, in this process, against a real server ----------------------------------------------


def test_the_smtp_path_builds_standard_messages(smtp_settings):
    subscriber = SubscriberFactory(email="ann@example.org")
    issue = IssueFactory(subject="Café news – March", preheader="Inside: a report")
    services.issue_start_sending(issue_id=issue.pk)

    outcome = services.delivery_batch_send(issue_id=issue.pk)

    assert outcome.sent == 1
    [received] = smtp_settings.handler.messages
    assert received.rcpt_tos == ["ann@example.org"]
    message = received.message
    assert message["Subject"] == "Café news – March"
    assert message["To"] == "ann@example.org"
    delivery = Delivery.objects.get()
    assert message["Message-ID"].startswith(f"<{delivery.pk}.{issue.pk}.")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    text_part, html_part = message.get_payload()
    assert text_part.get_content_type() == "text/plain"
    assert html_part.get_content_type() == "text/html"
    unsubscribe = re.findall(r"<([^>]+)>", " ".join(message["List-Unsubscribe"].split()))
    assert unsubscribe[0].startswith("http://testserver/newsletter/unsubscribe/")
    assert unsubscribe[1].startswith("mailto:")
    assert unsubscribe[0] in html_part.get_content()
    assert unsubscribe[0] in text_part.get_content()
    assert "Inside: a report" in html_part.get_content()
    assert ADDRESS in text_part.get_content()
    # The link in the email really unsubscribes.
    from django.test import Client

    response = Client().post(
        unsubscribe[0].removeprefix("http://testserver"), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED


def test_https_site_urls_give_https_unsubscribe_links(smtp_settings, settings):
    settings.SITE_URL = "https://www.icmec.org.au"
    SubscriberFactory()
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)
    services.delivery_batch_send(issue_id=issue.pk)
    header = smtp_settings.handler.messages[0].message["List-Unsubscribe"]
    assert header.startswith("<https://www.icmec.org.au/newsletter/unsubscribe/")


def test_a_permanent_refusal_is_recorded_and_suppresses_the_address(smtp_settings):
    good = SubscriberFactory.create_batch(3)
    bad = SubscriberFactory(email="nobody@example.org")
    smtp_settings.handler.refuse_permanently.add("nobody@example.org")
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)

    outcome = services.delivery_batch_send(issue_id=issue.pk)

    assert (outcome.sent, outcome.failed) == (3, 1)
    assert sorted(smtp_settings.handler.recipients()) == sorted(s.email for s in good)
    failed = Delivery.objects.get(status="failed")
    assert failed.email == "nobody@example.org"
    assert failed.error.startswith("550 5.1.1")
    bad.refresh_from_db()
    assert bad.status == Subscriber.Status.SUPPRESSED
    assert bad.events.filter(kind="bounced").exists()
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT


@pytest.mark.parametrize(
    "reply",
    [
        "550 5.7.26 This mail has been blocked because the sender is unauthenticated.",
        "550 5.7.1 Service unavailable, client host blocked using Spamhaus",
        "554 5.7.9 Message not accepted for policy reasons",
        "550 Message rejected as spam",
    ],
)
def test_a_policy_refusal_is_recorded_and_keeps_the_address(smtp_settings, reply):
    """One DMARC mistake at a large provider must not remove all its readers."""
    reader = SubscriberFactory(email="reader@bigmail.example")
    smtp_settings.handler.replies["reader@bigmail.example"] = reply
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)

    outcome = services.delivery_batch_send(issue_id=issue.pk)

    assert outcome.failed == 1
    failed = Delivery.objects.get()
    assert failed.status == Delivery.Status.FAILED
    assert failed.error == reply
    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.CONFIRMED
    assert not reader.events.filter(kind="bounced").exists()


def test_a_dead_mailbox_reply_without_an_enhanced_code_suppresses(smtp_settings):
    reader = SubscriberFactory(email="left@example.org")
    smtp_settings.handler.replies["left@example.org"] = "550 <left@example.org>... User unknown"
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)

    services.delivery_batch_send(issue_id=issue.pk)

    reader.refresh_from_db()
    assert reader.status == Subscriber.Status.SUPPRESSED
    assert "User unknown" in reader.suppressed_reason


def test_a_temporary_refusal_defers_that_recipient_with_backoff(
    smtp_settings, django_capture_on_commit_callbacks
):
    SubscriberFactory.create_batch(2)
    SubscriberFactory(email="busy@example.org")
    smtp_settings.handler.refuse_temporarily.add("busy@example.org")
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)

    outcome = services.delivery_batch_send(issue_id=issue.pk)

    assert (outcome.sent, outcome.deferred) == (2, 1)
    busy = Delivery.objects.get(email="busy@example.org")
    assert busy.status == Delivery.Status.QUEUED
    assert busy.attempts == 1
    assert busy.next_attempt_at > timezone.now()
    assert busy.error.startswith("450")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENDING
    # Not due yet: nothing is claimed.
    assert services.delivery_batch_send(issue_id=issue.pk).claimed == 0
    # Once due and accepted, it is sent once.
    smtp_settings.handler.refuse_temporarily.clear()
    Delivery.objects.filter(pk=busy.pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    assert services.delivery_batch_send(issue_id=issue.pk).sent == 1
    assert smtp_settings.handler.recipients()["busy@example.org"] == 1


def test_connection_trouble_returns_the_batch_to_the_queue(smtp_settings):
    SubscriberFactory.create_batch(3)
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)
    smtp_settings.stop()

    with pytest.raises(services.TransientSendError) as raised:
        services.delivery_batch_send(issue_id=issue.pk, attempt=2)

    assert raised.value.delay == 4  # the policy's third step: 1 s, 2 s, 4 s
    assert set(Delivery.objects.values_list("status", flat=True)) == {"queued"}
    # The rows wait for the retry, and the report can say why and until when.
    progress = selectors.issue_progress(issue_id=issue.pk)
    assert progress.due == 0
    assert progress.next_retry_at > timezone.now()
    issue.refresh_from_db()
    assert "Cannot connect to the mail server" in issue.last_error
    assert issue.last_error_at
    smtp_settings.start()
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(hours=1))
    assert services.delivery_batch_send(issue_id=issue.pk).sent == 3


def test_a_421_mid_batch_keeps_what_was_sent_and_requeues_the_rest(smtp_settings):
    SubscriberFactory.create_batch(4)
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)
    seen = []

    def refuse_after_two(address):
        seen.append(address)
        smtp_settings.handler.temporarily_refusing = len(seen) > 2

    smtp_settings.handler.on_rcpt = refuse_after_two

    with pytest.raises(services.TransientSendError):
        services.delivery_batch_send(issue_id=issue.pk)

    progress = selectors.issue_progress(issue_id=issue.pk)
    assert (progress.sent, progress.queued, progress.sending) == (2, 2, 0)
    smtp_settings.handler.on_rcpt = None
    smtp_settings.handler.temporarily_refusing = False
    Delivery.objects.filter(status="queued").update(
        next_attempt_at=timezone.now() - timedelta(hours=1)  # the retry's time has come
    )
    services.delivery_batch_send(issue_id=issue.pk)
    assert sorted(smtp_settings.handler.recipients().values()) == [1, 1, 1, 1]


def test_folded_html_keeps_its_meaning_in_fewer_lines():
    from newsletter.mail import MAX_LINE, fold_html

    html = "<table>\n  <tr>\n    <td>Hello\n      world</td>\n  </tr>\n</table>\n" * 200
    folded = fold_html(html)
    assert all(len(line) <= MAX_LINE for line in folded.split("\n"))
    assert len(folded.split("\n")) < len(html.split("\n")) / 20
    assert " ".join(folded.split()) == " ".join(html.split())


def test_non_ascii_bodies_fall_back_to_quoted_printable_without_8bitmime():
    from newsletter.mail import IssueMessageFactory, Recipient
    from newsletter.rendering import RenderedEmail

    factory = IssueMessageFactory(
        issue_id=1,
        started_at_ts=0,
        rendered=RenderedEmail("Café", "<p>Café %%unsubscribe_url%%</p>", "Café"),
    )
    recipient = Recipient(1, "a@example.org", "https://x.example/u/1/", "mailto:u@x.example")
    eight_bit = factory.as_bytes(recipient, eight_bit_ok=True)
    seven_bit = factory.as_bytes(recipient, eight_bit_ok=False)
    assert b"Content-Transfer-Encoding: 8bit" in eight_bit
    assert "Café https://x.example/u/1/".encode() in eight_bit
    assert seven_bit.isascii()
    assert b"Content-Transfer-Encoding: quoted-printable" in seven_bit
    from email import message_from_bytes, policy

    html = message_from_bytes(seven_bit, policy=policy.default).get_payload()[1]
    assert html.get_content() == "<p>Café https://x.example/u/1/</p>"


class RefusingServiceBackend(AnymailTestBackend):
    """Anymail's test backend, as an email API that refuses two addresses."""

    def parse_recipient_status(self, response, payload, message):
        statuses = {"invalid@example.org": "invalid", "blocked@example.org": "rejected"}
        return {
            email: AnymailRecipientStatus(message_id=None, status=statuses.get(email, "sent"))
            for email in payload.recipient_emails
        }


def test_an_email_api_refusal_suppresses_only_an_invalid_address(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingServiceBackend"
    invalid = SubscriberFactory(email="invalid@example.org")
    blocked = SubscriberFactory(email="blocked@example.org")
    SubscriberFactory(email="fine@example.org")
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)

    outcome = services.delivery_batch_send(issue_id=issue.pk)

    assert (outcome.sent, outcome.failed) == (1, 2)
    invalid.refresh_from_db()
    blocked.refresh_from_db()
    assert invalid.status == Subscriber.Status.SUPPRESSED
    assert blocked.status == Subscriber.Status.CONFIRMED
    assert "Rejected by the email service" in Delivery.objects.get(email=blocked.email).error
