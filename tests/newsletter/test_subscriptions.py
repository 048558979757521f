"""Subscription services: every state transition, confirmation tokens, member and import paths."""

from __future__ import annotations

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from newsletter import privacy, selectors, services, tokens
from newsletter.models import Delivery, Subscriber, SubscriptionEvent
from tests.factories.newsletter import IssueFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

Status = Subscriber.Status


def confirmation_link(message) -> str:
    import re

    match = re.search(r"(http://testserver/newsletter/confirm/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def token_from(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def test_a_new_address_becomes_pending_and_gets_a_confirmation_link(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        subscriber = services.subscriber_subscribe(
            email="  Reader@Example.ORG ",
            first_name="Buy cheap pills at spam.example",
            source="footer",
        )

    assert subscriber.email == "reader@example.org"
    assert subscriber.status == Status.PENDING
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reader@example.org"]
    assert "confirm" in message.subject.lower()
    # The name typed with an address nobody confirmed is not mailed to it.
    assert subscriber.first_name == "Buy cheap pills at spam.example"
    assert "Hello,\n" in message.body
    assert "spam.example" not in message.body + message.alternatives[0][0]
    html = message.alternatives[0][0]
    assert 'style="' in html  # CSS inlined for email clients
    assert confirmation_link(message) in html
    assert "PO Box" in message.body


def test_invalid_addresses_are_refused():
    with pytest.raises(ValidationError):
        services.subscriber_subscribe(email="not-an-address", source="page")
    assert not Subscriber.objects.exists()


def test_confirming_records_when_and_from_which_form(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.subscriber_subscribe(email="ann@example.org", source="home")
    token = token_from(confirmation_link(mail.outbox[0]))

    subscriber = services.subscriber_confirm(token=token)

    assert subscriber.status == Status.CONFIRMED
    assert subscriber.confirmed_source == "home"
    assert timezone.now() - subscriber.confirmed_at < timedelta(seconds=5)
    kinds = list(subscriber.events.values_list("kind", "source"))
    assert kinds == [("requested", "home"), ("confirmed", "home")]
    # Confirming twice is harmless.
    assert services.subscriber_confirm(token=token).status == Status.CONFIRMED
    assert subscriber.events.count() == 2


def test_confirmation_links_expire_after_seven_days():
    subscriber = SubscriberFactory(status=Status.PENDING, confirmed_at=None)
    eight_days_ago = time.time() - 8 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=eight_days_ago):
        token = tokens.confirmation_token(
            subscriber_uuid=subscriber.uuid, version=subscriber.token_version, source="page"
        )
    with pytest.raises(tokens.ExpiredToken):
        services.subscriber_confirm(token=token)
    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING


def test_altered_confirmation_links_are_rejected():
    subscriber = SubscriberFactory(status=Status.PENDING)
    token = tokens.confirmation_token(
        subscriber_uuid=subscriber.uuid, version=subscriber.token_version, source="page"
    )
    with pytest.raises(tokens.InvalidToken):
        services.subscriber_confirm(token=token[:-2] + "xx")


def test_a_pending_address_gets_a_new_link_and_both_links_work(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.subscriber_subscribe(email="ann@example.org", source="page")
    with django_capture_on_commit_callbacks(execute=True):
        services.subscriber_subscribe(email="ann@example.org", first_name="Ann", source="footer")

    assert Subscriber.objects.count() == 1
    assert len(mail.outbox) == 2
    first = token_from(confirmation_link(mail.outbox[0]))
    assert services.subscriber_confirm(token=first).status == Status.CONFIRMED


def test_a_confirmed_address_is_told_it_is_already_subscribed(django_capture_on_commit_callbacks):
    subscriber = SubscriberFactory(email="ann@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.subscriber_subscribe(email="ANN@example.org", source="page")

    subscriber.refresh_from_db()
    assert subscriber.status == Status.CONFIRMED
    assert len(mail.outbox) == 1
    assert "already subscribed" in mail.outbox[0].subject
    assert "/newsletter/unsubscribe/" in mail.outbox[0].body


def test_resubscribing_after_unsubscribing_needs_confirmation_again(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        services.subscriber_subscribe(email="ann@example.org", source="page")
    old_token = token_from(confirmation_link(mail.outbox[0]))
    subscriber = services.subscriber_confirm(token=old_token)
    services.subscriber_unsubscribe(subscriber=subscriber, method="link")

    with django_capture_on_commit_callbacks(execute=True):
        services.subscriber_subscribe(email="ann@example.org", source="page")

    subscriber.refresh_from_db()
    assert subscriber.status == Status.PENDING
    # The link from before the unsubscribe cannot put the address back...
    with pytest.raises(tokens.InvalidToken):
        services.subscriber_confirm(token=old_token)
    # ...the new one can.
    new_token = token_from(confirmation_link(mail.outbox[-1]))
    assert services.subscriber_confirm(token=new_token).status == Status.CONFIRMED


def test_a_suppressed_address_can_come_back_through_confirmation(
    django_capture_on_commit_callbacks,
):
    SubscriberFactory(email="ann@example.org")
    services.subscriber_suppress(email="ann@example.org", kind="bounced", reason="550 no user")
    assert selectors.subscriber_for_email(email="ann@example.org").status == Status.SUPPRESSED

    with django_capture_on_commit_callbacks(execute=True):
        services.subscriber_subscribe(email="ann@example.org", source="page")

    subscriber = selectors.subscriber_for_email(email="ann@example.org")
    assert subscriber.status == Status.PENDING
    services.subscriber_confirm(token=token_from(confirmation_link(mail.outbox[-1])))
    subscriber.refresh_from_db()
    assert subscriber.status == Status.CONFIRMED
    assert subscriber.suppressed_reason == ""


def test_unsubscribing_skips_deliveries_not_yet_sent_and_is_idempotent():
    subscriber = SubscriberFactory()
    issue = IssueFactory()
    queued = Delivery.objects.create(issue=issue, subscriber=subscriber, email=subscriber.email)
    sent = Delivery.objects.create(
        issue=IssueFactory(), subscriber=subscriber, email=subscriber.email, status="sent"
    )

    services.subscriber_unsubscribe(subscriber=subscriber, method="link", issue_id=issue.pk)
    services.subscriber_unsubscribe(subscriber=subscriber, method="link", issue_id=issue.pk)

    subscriber.refresh_from_db()
    queued.refresh_from_db()
    sent.refresh_from_db()
    assert subscriber.status == Status.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    assert queued.status == Delivery.Status.SKIPPED
    assert sent.status == Delivery.Status.SENT
    event = subscriber.events.get(kind=SubscriptionEvent.Kind.UNSUBSCRIBED)
    assert event.issue_id == issue.pk


def test_unsubscribe_tokens_do_not_expire_and_cannot_be_forged():
    subscriber = SubscriberFactory()
    a_year_ago = time.time() - 365 * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=a_year_ago):
        token = tokens.unsubscribe_token(subscriber_uuid=subscriber.uuid, issue_id=None)

    services.subscriber_unsubscribe_by_token(token=token, method="link")
    subscriber.refresh_from_db()
    assert subscriber.status == Status.UNSUBSCRIBED

    other = SubscriberFactory()
    forged = f"{other.uuid.hex}.:{token.rsplit(':', 1)[1]}"
    with pytest.raises(tokens.InvalidToken):
        services.subscriber_unsubscribe_by_token(token=forged, method="link")
    other.refresh_from_db()
    assert other.status == Status.CONFIRMED


def test_pending_addresses_older_than_thirty_days_are_deleted():
    old = SubscriberFactory(status=Status.PENDING, confirmed_at=None)
    Subscriber.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    recent = SubscriberFactory(status=Status.PENDING, confirmed_at=None)
    confirmed_long_ago = SubscriberFactory()
    Subscriber.objects.filter(pk=confirmed_long_ago.pk).update(
        created_at=timezone.now() - timedelta(days=400)
    )

    assert services.subscribers_purge_pending() == 1
    assert set(Subscriber.objects.values_list("pk", flat=True)) == {
        recent.pk,
        confirmed_long_ago.pk,
    }


def make_member(email="member@example.org", verified=True):
    from allauth.account.models import EmailAddress

    from portal.models import User

    user = User.objects.create_user(email=email, password="x" * 16, first_name="Mia")
    EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    return user


def test_a_member_with_a_verified_address_is_subscribed_at_once():
    user = make_member(verified=True)

    subscriber = services.subscriber_subscribe_member(user=user)

    assert subscriber.status == Status.CONFIRMED
    assert subscriber.confirmed_source == "account"
    assert subscriber.first_name == "Mia"
    assert not mail.outbox
    assert services.subscriber_unsubscribe_member(user=user).status == Status.UNSUBSCRIBED


def test_a_member_with_an_unverified_address_confirms_by_email(django_capture_on_commit_callbacks):
    user = make_member(verified=False)

    with django_capture_on_commit_callbacks(execute=True):
        subscriber = services.subscriber_subscribe_member(user=user)

    assert subscriber.status == Status.PENDING
    assert mail.outbox[0].to == ["member@example.org"]


def test_import_with_attested_consent_confirms_and_records_it(django_capture_on_commit_callbacks):
    staff = make_member(email="staff@example.org")
    SubscriberFactory(email="gone@example.org", status=Status.UNSUBSCRIBED)
    SubscriberFactory(email="already@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        result = services.subscribers_import(
            rows=[
                ("New@Example.org", "Nia"),
                ("gone@example.org", ""),
                ("already@example.org", ""),
                ("nonsense", ""),
                ("new@example.org", "duplicate row"),
            ],
            consent_attested=True,
            actor=staff,
            note="Sign-up sheet, AusCERT conference 2026",
        )

    assert (result.added, result.confirmed, result.unchanged) == (1, 1, 1)
    assert result.left_out == ["gone@example.org"]
    assert result.invalid == [(4, "nonsense")]
    new = Subscriber.objects.get(email="new@example.org")
    assert new.status == Status.CONFIRMED
    assert new.first_name == "Nia"
    event = new.events.get()
    assert event.kind == "attested"
    assert event.actor == staff
    assert "AusCERT" in event.detail
    assert Subscriber.objects.get(email="gone@example.org").status == Status.UNSUBSCRIBED
    assert not mail.outbox


def test_import_without_attestation_sends_confirmation_emails(django_capture_on_commit_callbacks):
    staff = make_member(email="staff@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        result = services.subscribers_import(
            rows=[("a@example.org", ""), ("b@example.org", "Bo")],
            consent_attested=False,
            actor=staff,
        )
    assert result.added == 2
    assert result.confirmed == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    assert not any("Bo" in m.body.split() for m in mail.outbox)
    assert set(Subscriber.objects.values_list("status", flat=True)) == {Status.PENDING}


def test_privacy_export_and_erasure():
    user = make_member(email="member@example.org")
    subscriber = services.subscriber_subscribe_member(user=user)
    issue = IssueFactory(subject="March news")
    Delivery.objects.create(
        issue=issue, subscriber=subscriber, email=subscriber.email, status="sent"
    )

    exported = privacy.export_for_user(user)
    assert exported["status"] == "confirmed"
    assert exported["events"][0]["what"] == "confirmed"
    assert exported["newsletters"] == [{"subject": "March news", "status": "sent", "sent_at": None}]
    import json

    json.dumps(exported)

    privacy.erase_for_user(user)
    assert not Subscriber.objects.filter(email="member@example.org").exists()
    assert list(Delivery.objects.values_list("email", flat=True)) == [""]
    assert privacy.export_for_user(user) is None


def test_privacy_handlers_are_registered_with_the_portal():
    from portal.privacy import handlers

    handler = next(h for h in handlers() if h.name == "newsletter")
    assert handler.exporter is privacy.export_for_user
    assert handler.eraser is privacy.erase_for_user
