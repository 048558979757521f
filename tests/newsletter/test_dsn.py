"""Bounce messages (delivery status notifications, RFC 3464) mailed back to a delivery's signed
bounce address and posted to the inbound webhook, as Gmail, Exchange and Postfix write them.

The messages are sent for real over SMTP (aiosmtpd) with the bounce address as envelope
sender; the inbound webhook is Mailgun's (raw MIME, HMAC-signed), as an inbound route posts it.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from pathlib import Path

import pytest

from newsletter import bounces, services
from newsletter.models import Delivery, Subscriber
from tests.factories.newsletter import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

SAMPLES = Path(__file__).parent / "dsn"
INBOUND_URL = "/newsletter/webhooks/mailgun/inbound_mime/"
SIGNING_KEY = "mailgun-signing-key"


@pytest.fixture
def bounce_settings(settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.NEWSLETTER_BOUNCE_ADDRESS = "bounces@news.example.org"
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": "hook-user:hook-secret",
        "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY,
    }
    return settings


def send_issue_to(*emails: str) -> list[Delivery]:
    for email in emails:
        SubscriberFactory(email=email)
    issue = IssueFactory()
    services.issue_start_sending(issue_id=issue.pk)
    services.delivery_batch_send(issue_id=issue.pk)
    deliveries = list(Delivery.objects.filter(issue=issue).order_by("email"))
    assert {d.status for d in deliveries} == {Delivery.Status.SENT}
    return deliveries


def sample(name: str, *, delivery: Delivery, bounce_address: str | None = None) -> str:
    text = (SAMPLES / name).read_text()
    return (
        text.replace("{bounce_address}", bounce_address or bounces.bounce_address(delivery.pk))
        .replace("{recipient}", delivery.email)
        .replace("{delivery_id}", str(delivery.pk))
    )


def post_inbound(client, raw: str, *, recipient: str = ""):
    timestamp, token = str(int(time.time())), "b" * 50
    signature = hmac.new(SIGNING_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return client.post(
        INBOUND_URL,
        {
            "body-mime": raw,
            "recipient": recipient,
            "timestamp": timestamp,
            "token": token,
            "signature": signature.hexdigest(),
        },
        HTTP_AUTHORIZATION="Basic aG9vay11c2VyOmhvb2stc2VjcmV0",  # hook-user:hook-secret
    )


def test_each_message_is_sent_from_its_own_signed_bounce_address(bounce_settings, smtp_server):
    deliveries = send_issue_to("ann@example.net", "bob@example.net")

    senders = {m.rcpt_tos[0]: m.mail_from for m in smtp_server.handler.messages}
    for delivery in deliveries:
        assert senders[delivery.email] == bounces.bounce_address(delivery.pk)
        assert bounces.delivery_id_from_address(senders[delivery.email]) == delivery.pk
    # The reader still sees the newsletter's own sender.
    assert {m.message["From"] for m in smtp_server.handler.messages} == {
        "ICMEC Australia <news@localhost>"
    }


@pytest.mark.parametrize("name", ["postfix_user_unknown.eml", "exchange_recipient_not_found.eml"])
def test_a_dead_mailbox_report_suppresses_the_address(bounce_settings, client, name):
    gone, other = send_issue_to("gone@example.net", "other@example.net")

    response = post_inbound(client, sample(name, delivery=gone))

    assert response.status_code == 200
    subscriber = Subscriber.objects.get(email="gone@example.net")
    assert subscriber.status == Subscriber.Status.SUPPRESSED
    assert "5.1.1" in subscriber.suppressed_reason  # 5.1.1 or 5.1.10
    event = subscriber.events.get(kind="bounced")
    assert event.issue_id == gone.issue_id
    gone.refresh_from_db()
    assert gone.status == Delivery.Status.FAILED
    assert gone.error.startswith("Bounced later: Bounce message (Mailgun): 550 5.1.1")
    assert Subscriber.objects.get(email="other@example.net").status == "confirmed"
    # The same report posted again changes nothing more.
    post_inbound(client, sample(name, delivery=gone))
    assert subscriber.events.filter(kind="bounced").count() == 1
    assert Subscriber.objects.get(email="gone@example.net").status == "suppressed"


def test_a_policy_refusal_report_is_recorded_and_keeps_the_address(bounce_settings, client):
    [reader] = send_issue_to("reader@gmail.example")

    response = post_inbound(client, sample("gmail_dmarc.eml", delivery=reader))

    assert response.status_code == 200
    subscriber = Subscriber.objects.get(email="reader@gmail.example")
    assert subscriber.status == Subscriber.Status.CONFIRMED
    event = subscriber.events.get(kind="refused")
    assert "5.7.26" in event.detail
    assert "unauthenticated" in event.detail
    reader.refresh_from_db()
    assert reader.status == Delivery.Status.FAILED
    assert "5.7.26" in reader.error


def test_the_envelope_recipient_alone_identifies_the_delivery(bounce_settings, client):
    [gone] = send_issue_to("gone@example.net")
    raw = sample("postfix_user_unknown.eml", delivery=gone, bounce_address="postmaster@other")

    post_inbound(client, raw, recipient=bounces.bounce_address(gone.pk))

    assert Subscriber.objects.get(email="gone@example.net").status == "suppressed"


def test_a_delay_report_changes_nothing(bounce_settings, client):
    [slow] = send_issue_to("slow@example.net")

    post_inbound(client, sample("postfix_delayed.eml", delivery=slow))

    subscriber = Subscriber.objects.get(email="slow@example.net")
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert not subscriber.events.exclude(kind="confirmed").exists()
    slow.refresh_from_db()
    assert slow.status == Delivery.Status.SENT


@pytest.mark.parametrize(
    "address",
    [
        "bounces@news.example.org",  # no delivery named
        "bounces+{id}-0000000000000000@news.example.org",  # forged signature
        "someone@example.org",
    ],
)
def test_a_report_without_a_valid_bounce_address_is_ignored(bounce_settings, client, address):
    """Anybody can mail the bounce address: only the signature proves which delivery failed."""
    [reader] = send_issue_to("reader@example.net")
    address = address.replace("{id}", str(reader.pk))

    response = post_inbound(
        client, sample("postfix_user_unknown.eml", delivery=reader, bounce_address=address)
    )

    assert response.status_code == 200
    assert Subscriber.objects.get(email="reader@example.net").status == "confirmed"
    reader.refresh_from_db()
    assert reader.status == Delivery.Status.SENT


def test_the_reports_are_parsed_field_by_field():
    from email import message_from_string, policy

    fake = Delivery(pk=7, email="carol@contoso.example")
    raw = (SAMPLES / "exchange_recipient_not_found.eml").read_text()
    raw = raw.replace("{recipient}", fake.email).replace("{bounce_address}", "b@x")
    message = message_from_string(raw.replace("{delivery_id}", "7"), policy=policy.default)

    [recipient] = bounces.delivery_status_report(message)

    assert recipient.final_recipient == "carol@contoso.example"
    assert recipient.action == "failed"
    assert recipient.status == "5.1.10"
    assert recipient.diagnostic.startswith("550 5.1.10 RESOLVER.ADR.RecipientNotFound")
    assert recipient.verdict.suppress
    not_a_report = message_from_string("Subject: Out of office\n\nBack Monday.\n")
    assert bounces.delivery_status_report(not_a_report) is None
