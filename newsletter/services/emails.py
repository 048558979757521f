"""The one-off emails a worker sends: the confirmation link, the "already subscribed" note and a
test copy of an issue, and the links they carry.

They go one at a time through Django's email backend; an issue's messages to its subscribers
are assembled and sent by `newsletter.mail` instead (see `services.delivery`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from newsletter import mail, rendering, tokens
from newsletter.models import Issue, Subscriber

Status = Subscriber.Status


def confirmation_email_send(*, subscriber_id: int, source: str, requested_at: str = "") -> bool:
    """Mail the confirmation link to a pending subscriber (the task behind `subscribe`).

    Safe to run twice: a request that was already answered is not mailed again.
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        if subscriber is None or subscriber.status != Status.PENDING:
            return False
        sent_at = subscriber.confirmation_sent_at
        if requested_at and sent_at is not None and sent_at >= datetime.fromisoformat(requested_at):
            return False
        token = tokens.confirmation_token(
            subscriber_uuid=subscriber.uuid, version=subscriber.token_version, source=source
        )
        confirm_url = rendering.absolute_url(reverse("newsletter:confirm", kwargs={"token": token}))
        # No name in it: the address is not confirmed yet, so whatever name was typed with it
        # must not reach its inbox (it would let anyone mail their words to any address).
        rendered = rendering.render_transactional("confirm", {"confirm_url": confirm_url})
        _send_transactional(subscriber.email, rendered)
        subscriber.confirmation_sent_at = timezone.now()
        subscriber.save(update_fields=["confirmation_sent_at"])
    return True


def already_subscribed_notice_send(*, subscriber_id: int) -> bool:
    """Tell a confirmed subscriber who signed up again that nothing changed."""
    subscriber = Subscriber.objects.filter(pk=subscriber_id, status=Status.CONFIRMED).first()
    if subscriber is None:
        return False
    rendered = rendering.render_transactional(
        "already_subscribed", {"unsubscribe_url": unsubscribe_url(subscriber.uuid)}
    )
    _send_transactional(subscriber.email, rendered)
    return True


def unsubscribe_url(subscriber_uuid: Any, issue_id: int | None = None) -> str:
    """A subscriber's personal unsubscribe link (signed: it needs no login)."""
    token = tokens.unsubscribe_token(subscriber_uuid=subscriber_uuid, issue_id=issue_id)
    return rendering.absolute_url(reverse("newsletter:unsubscribe", kwargs={"token": token}))


def _send_transactional(
    to: str, rendered: rendering.RenderedEmail, headers: dict[str, str] | None = None
) -> None:
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=mail.from_address(),
        to=[to],
        headers=headers or {},
    )
    message.attach_alternative(rendered.html, "text/html")
    message.send()


def issue_test_copy_send(*, issue_id: int, to_email: str) -> None:
    """Mail the test copy staff asked for with `issue_send_test`: the issue as it stands now,
    its subject marked "[Test]", to one address."""
    issue = Issue.objects.get(pk=issue_id)
    rendered = rendering.render_issue_preview(issue=issue)
    rendered = rendering.RenderedEmail(
        subject=f"[Test] {rendered.subject}", html=rendered.html, text=rendered.text
    )
    _send_transactional(to_email, rendered)


def unsubscribe_url_template() -> str:
    """The unsubscribe link with "TOKEN" where each recipient's token goes (built once per
    batch: reversing a URL per message would cost more than the rest of the message)."""
    return rendering.absolute_url(reverse("newsletter:unsubscribe", kwargs={"token": "TOKEN"}))
