"""Private messages, unread marks and the batched email notifications."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal import selectors, services, tasks
from portal.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(member, peer):
    request = services.connection_request_send(sender=member, recipient=peer)
    services.connection_request_accept(user=peer, request_id=request.pk)
    mail.outbox.clear()
    return member, peer


def _age_messages(minutes=30):
    Message.objects.update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_only_connections_can_message(member, peer):
    with pytest.raises(ValidationError, match="connections"):
        services.message_send(sender=member, recipient=peer, body="Hello")


def test_a_message_counts_as_unread_until_the_thread_is_opened(client, connected):
    member, peer = connected
    message = services.message_send(sender=member, recipient=peer, body="Hello Tom")

    assert selectors.nav_counts(peer).unread_messages == 1
    assert selectors.nav_counts(member).unread_messages == 0
    client.force_login(peer)
    page = client.get(f"/portal/messages/{message.conversation_id}/")
    assert "Hello Tom" in page.content.decode()
    assert selectors.nav_counts(peer).unread_messages == 0


def test_a_reply_in_the_thread_view_is_kept_when_empty_and_sent_when_written(client, connected):
    member, peer = connected
    first = services.message_send(sender=member, recipient=peer, body="Hello")
    client.force_login(peer)
    url = f"/portal/messages/{first.conversation_id}/"

    empty = client.post(url, {"body": "   "})
    assert empty.status_code == 200
    assert "Write a message first." in empty.content.decode()

    response = client.post(url, {"body": "Hi Amelia, <b>thanks</b>"})
    assert response.status_code == 302
    html = client.get(url).content.decode()
    assert "Hi Amelia, &lt;b&gt;thanks&lt;/b&gt;" in html


def test_a_burst_of_messages_sends_one_email(connected):
    member, peer = connected
    for n in range(5):
        services.message_send(sender=member, recipient=peer, body=f"Message {n}")
    _age_messages()

    tasks.send_message_digests()
    tasks.send_message_digests()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["tom@example.org"]
    assert "5 unread messages from Amelia Chen" in mail.outbox[0].body
    assert "Message 3" not in mail.outbox[0].body  # the content stays on the site


def test_messages_in_the_grace_period_or_already_read_are_not_emailed(connected):
    member, peer = connected
    services.message_send(sender=member, recipient=peer, body="Fresh")
    tasks.send_message_digests()
    assert mail.outbox == []

    _age_messages()
    Message.objects.update(read_at=timezone.now())
    tasks.send_message_digests()
    assert mail.outbox == []


def test_each_member_can_turn_each_email_off(connected, third):
    member, peer = connected
    services.notification_preferences_update(
        profile=peer.profile, email_on_request=False, email_on_accept=True, email_on_message=False
    )
    services.message_send(sender=member, recipient=peer, body="Hello")
    _age_messages()
    tasks.send_message_digests()
    services.connection_request_send(sender=third, recipient=peer)

    assert mail.outbox == []


def test_the_preferences_form_saves_the_choices(client, member):
    client.force_login(member)

    client.post("/portal/account/", {"email_on_request": "on"})

    member.profile.refresh_from_db()
    assert (
        member.profile.email_on_request,
        member.profile.email_on_accept,
        member.profile.email_on_message,
    ) == (True, False, False)


def test_the_header_shows_pending_requests_and_unread_messages(client, connected, third):
    member, peer = connected
    services.message_send(sender=member, recipient=peer, body="One")
    services.message_send(sender=member, recipient=peer, body="Two")
    services.connection_request_send(sender=third, recipient=peer)
    client.force_login(peer)

    html = client.get("/portal/members/").content.decode()

    assert '<span class="count-badge" aria-hidden="true">3</span>' in html
    assert "1 connection request, 2 unread messages" in html


def test_the_header_costs_anonymous_visitors_no_query(client, django_assert_num_queries):
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    template = Template('{% include "portal/includes/account_nav.html" %}')
    with django_assert_num_queries(0):
        html = template.render(Context({"request": request, "user": request.user}))
    assert "Join the portal" in html


def test_the_header_costs_a_member_a_fixed_number_of_queries(connected, django_assert_num_queries):
    from django.template import Context, Template
    from django.test import RequestFactory

    member, peer = connected
    request = RequestFactory().get("/")
    request.user = type(peer).objects.get(pk=peer.pk)
    template = Template('{% include "portal/includes/account_nav.html" %}')
    # What the account may open (its groups, shared with the blog's members-only check, and
    # whether it has a profile), then the counts.
    with django_assert_num_queries(2):
        html = template.render(Context({"request": request, "user": request.user}))
    assert "My portal" in html
