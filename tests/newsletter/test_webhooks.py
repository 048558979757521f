"""Email service webhooks (django-anymail): the provider's signed or authorised POST is faked,
our handling is real."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import pytest

from newsletter.models import Subscriber
from tests.factories.newsletter import SubscriberFactory

pytestmark = pytest.mark.django_db

POSTMARK_URL = "/newsletter/webhooks/postmark/tracking/"


@pytest.fixture
def anymail_settings(settings):
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": "hook-user:hook-secret",
        "MAILGUN_WEBHOOK_SIGNING_KEY": "mailgun-signing-key",
    }
    return settings


def basic_auth(credentials: str) -> dict:
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(credentials.encode()).decode()}


def postmark_bounce(email: str, kind: str = "HardBounce") -> dict:
    return {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": kind,
        "TypeCode": 1,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Description": "The server was unable to deliver your message (ex: unknown user).",
        "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
        "Email": email,
        "BouncedAt": "2026-11-20T10:00:00Z",
        "Inactive": True,
    }


def post_postmark(client, payload, credentials="hook-user:hook-secret"):
    return client.post(
        POSTMARK_URL,
        json.dumps(payload),
        content_type="application/json",
        **basic_auth(credentials),
    )


def test_a_hard_bounce_suppresses_the_address(client, anymail_settings):
    subscriber = SubscriberFactory(email="gone@example.org")

    response = post_postmark(client, postmark_bounce("Gone@example.org"))

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.SUPPRESSED
    assert "unknown user" in subscriber.suppressed_reason
    assert subscriber.events.get().kind == "bounced"


def test_a_soft_bounce_does_not(client, anymail_settings):
    subscriber = SubscriberFactory(email="full@example.org")
    response = post_postmark(client, postmark_bounce("full@example.org", kind="SoftBounce"))
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_a_spam_complaint_suppresses_the_address(client, anymail_settings):
    subscriber = SubscriberFactory(email="angry@example.org")
    payload = postmark_bounce("angry@example.org", kind="SpamComplaint")
    payload["RecordType"] = "SpamComplaint"
    post_postmark(client, payload)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.SUPPRESSED
    assert subscriber.events.get().kind == "complained"


def test_unauthorised_webhook_calls_change_nothing(client, anymail_settings):
    subscriber = SubscriberFactory(email="gone@example.org")
    response = post_postmark(client, postmark_bounce("gone@example.org"), "hook-user:wrong")
    assert response.status_code in (400, 401, 403)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_a_webhook_call_without_credentials_is_refused(client, anymail_settings):
    subscriber = SubscriberFactory(email="gone@example.org")

    response = client.post(
        POSTMARK_URL,
        json.dumps(postmark_bounce("gone@example.org")),
        content_type="application/json",
    )

    assert response.status_code in (400, 401, 403)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


@pytest.mark.parametrize("url", [POSTMARK_URL, "/newsletter/webhooks/mailgun/tracking/"])
def test_without_a_webhook_secret_the_webhooks_are_switched_off(client, settings, url):
    """A site that sends through SMTP (or whose email service is not set up yet) must not let
    anyone post fake bounces that suppress addresses."""
    settings.ANYMAIL = {}
    subscriber = SubscriberFactory(email="gone@example.org")

    response = client.post(
        url,
        json.dumps(postmark_bounce("gone@example.org")),
        content_type="application/json",
        **basic_auth("any:thing"),
    )

    assert response.status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_the_webhook_of_a_service_without_its_signing_key_is_not_found(client, settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook-user:hook-secret"}

    response = client.post(
        "/newsletter/webhooks/mailgun/tracking/",
        "{}",
        content_type="application/json",
        **basic_auth("hook-user:hook-secret"),
    )

    assert response.status_code == 404


def mailgun_event(email: str, *, severity: str, key: str = "mailgun-signing-key") -> dict:
    timestamp, token = str(int(time.time())), "a" * 50
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256)
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature.hexdigest()},
        "event-data": {
            "event": "failed",
            "severity": severity,
            "recipient": email,
            "timestamp": float(timestamp),
            "id": "event-id",
            "reason": "bounce",
            "delivery-status": {"code": 550, "message": "No such mailbox", "description": ""},
            "message": {"headers": {"message-id": "abc@example.org"}},
        },
    }


def test_a_signed_mailgun_permanent_failure_suppresses(client, anymail_settings):
    subscriber = SubscriberFactory(email="gone@example.org")
    response = client.post(
        "/newsletter/webhooks/mailgun/tracking/",
        json.dumps(mailgun_event("gone@example.org", severity="permanent")),
        content_type="application/json",
        **basic_auth("hook-user:hook-secret"),
    )
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.SUPPRESSED


def test_a_badly_signed_mailgun_event_is_refused(client, anymail_settings):
    subscriber = SubscriberFactory(email="gone@example.org")
    response = client.post(
        "/newsletter/webhooks/mailgun/tracking/",
        json.dumps(mailgun_event("gone@example.org", severity="permanent", key="wrong")),
        content_type="application/json",
        **basic_auth("hook-user:hook-secret"),
    )
    assert response.status_code in (400, 403)
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_mail_to_the_unsubscribe_address_unsubscribes(client, anymail_settings):
    from newsletter import tokens

    subscriber = SubscriberFactory(email="reader@example.org")
    other = SubscriberFactory(email="other@example.org")
    token = tokens.unsubscribe_token(subscriber_uuid=subscriber.uuid)

    def inbound(subject):
        return client.post(
            "/newsletter/webhooks/postmark/inbound/",
            json.dumps(
                {
                    "FromFull": {"Email": "reader@example.org", "Name": ""},
                    "ToFull": [{"Email": "news@localhost", "Name": ""}],
                    "Subject": subject,
                    "TextBody": "",
                    "Headers": [],
                }
            ),
            content_type="application/json",
            **basic_auth("hook-user:hook-secret"),
        )

    assert inbound(f"unsubscribe {token[:-3]}xyz").status_code == 200  # forged: ignored
    assert inbound("Re: your newsletter").status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED

    assert inbound(f"unsubscribe {token}").status_code == 200
    subscriber.refresh_from_db()
    other.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    assert subscriber.events.get(kind="unsubscribed").source == "mailto"
    assert other.status == Subscriber.Status.CONFIRMED


def test_a_hard_bounce_for_a_policy_reason_is_recorded_and_keeps_the_address(
    client, anymail_settings
):
    """A "hard bounce" from the service is judged by the receiving server's answer."""
    subscriber = SubscriberFactory(email="reader@bigmail.example")
    payload = postmark_bounce("reader@bigmail.example")
    payload["Description"] = "The server was unable to deliver your message."
    payload["Details"] = "smtp;550 5.7.26 Unauthenticated email from example.org is not accepted"

    response = post_postmark(client, payload)

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    event = subscriber.events.get()
    assert event.kind == "refused"
    assert "5.7.26" in event.detail


def test_the_webhooks_work_when_the_newsletter_is_sent_over_smtp(client, anymail_settings):
    """An SMTP relay that posts events (Postmark's, Mailgun's...) reports bounces here too."""
    anymail_settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    subscriber = SubscriberFactory(email="gone@example.org")

    response = post_postmark(client, postmark_bounce("gone@example.org"))

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.SUPPRESSED
