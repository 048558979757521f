"""Connection requests, connections, blocks and reports: the rules and their emails."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from portal import selectors, services
from portal.models import Connection, ConnectionRequest, Report
from tests.factories.portal import ApplicantFactory, MemberFactory

pytestmark = pytest.mark.django_db


def test_a_request_then_acceptance_connects_both_and_emails_each_once(
    member, peer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.connection_request_send(sender=member, recipient=peer, note="Hi Tom")
    assert [m.to for m in mail.outbox] == [["tom@example.org"]]
    assert "Hi Tom" in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        services.connection_request_accept(user=peer, request_id=request.pk)

    assert selectors.are_connected(member, peer)
    assert selectors.are_connected(peer, member)
    request.refresh_from_db()
    assert request.status == ConnectionRequest.Status.ACCEPTED
    assert [m.to for m in mail.outbox][-1] == ["amelia@example.org"]
    assert "accepted your connection request" in mail.outbox[-1].body


def test_at_most_one_open_request_per_pair_either_way(member, peer):
    services.connection_request_send(sender=member, recipient=peer)

    with pytest.raises(ValidationError, match="already waiting"):
        services.connection_request_send(sender=member, recipient=peer)
    with pytest.raises(ValidationError, match="already asked"):
        services.connection_request_send(sender=peer, recipient=member)
    assert ConnectionRequest.objects.count() == 1


def test_the_database_refuses_a_second_open_request_too(member, peer):
    from django.db import IntegrityError, transaction

    ConnectionRequest.objects.create(sender=member, recipient=peer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectionRequest.objects.create(sender=peer, recipient=member)


def test_no_request_to_oneself(member):
    with pytest.raises(ValidationError):
        services.connection_request_send(sender=member, recipient=member)


def test_a_declined_request_can_be_sent_again_only_after_30_days(member, peer):
    request = services.connection_request_send(sender=member, recipient=peer)
    services.connection_request_decline(user=peer, request_id=request.pk)

    with pytest.raises(ValidationError, match="ask again from"):
        services.connection_request_send(sender=member, recipient=peer)

    ConnectionRequest.objects.filter(pk=request.pk).update(
        responded_at=timezone.now() - timedelta(days=31)
    )
    again = services.connection_request_send(sender=member, recipient=peer)
    assert again.status == ConnectionRequest.Status.PENDING


def test_only_the_recipient_can_accept_and_only_the_sender_can_withdraw(member, peer, third):
    request = services.connection_request_send(sender=member, recipient=peer)

    for user in (member, third):
        with pytest.raises(ValidationError):
            services.connection_request_accept(user=user, request_id=request.pk)
    for user in (peer, third):
        with pytest.raises(ValidationError):
            services.connection_request_withdraw(user=user, request_id=request.pk)

    services.connection_request_withdraw(user=member, request_id=request.pk)
    request.refresh_from_db()
    assert request.status == ConnectionRequest.Status.WITHDRAWN


def test_either_side_can_remove_a_connection(member, peer):
    request = services.connection_request_send(sender=member, recipient=peer)
    services.connection_request_accept(user=peer, request_id=request.pk)

    services.connection_remove(user=peer, peer=member)

    assert not Connection.objects.exists()


def test_applicants_cannot_send_or_receive_requests(member):
    applicant = ApplicantFactory(email="waiting@example.org")

    with pytest.raises(ValidationError):
        services.connection_request_send(sender=member, recipient=applicant)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.connection_request_send(sender=applicant, recipient=member)


def test_blocking_ends_the_connection_and_stops_requests_and_messages_both_ways(member, peer):
    request = services.connection_request_send(sender=member, recipient=peer)
    services.connection_request_accept(user=peer, request_id=request.pk)

    services.member_block(blocker=peer, blocked=member)

    assert not Connection.objects.exists()
    for sender, recipient in ((member, peer), (peer, member)):
        with pytest.raises(ValidationError):
            services.connection_request_send(sender=sender, recipient=recipient)
        with pytest.raises(ValidationError):
            services.message_send(sender=sender, recipient=recipient, body="hello")
    directory = selectors.directory_search(viewer=member, filters=selectors.DirectoryFilters())
    assert peer.pk not in [p.user_id for p in directory]
    directory = selectors.directory_search(viewer=peer, filters=selectors.DirectoryFilters())
    assert member.pk not in [p.user_id for p in directory]


def test_blocking_withdraws_open_requests_and_unblocking_restores_visibility(member, peer):
    services.connection_request_send(sender=member, recipient=peer)
    services.member_block(blocker=peer, blocked=member)

    assert not ConnectionRequest.objects.filter(status="pending").exists()
    services.member_unblock(blocker=peer, blocked=member)
    assert selectors.profile_for_viewer(viewer=member, public_id=peer.profile.public_id)


def test_a_report_reaches_staff_with_the_conversation_only_if_shared(
    member, peer, reviewer, django_capture_on_commit_callbacks
):
    request = services.connection_request_send(sender=member, recipient=peer)
    services.connection_request_accept(user=peer, request_id=request.pk)
    services.message_send(sender=peer, recipient=member, body="Something inappropriate")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        private = services.member_report(
            reporter=member,
            reported=peer,
            reason="conduct",
            details="Rude.",
            share_conversation=False,
        )
        shared = services.member_report(
            reporter=member,
            reported=peer,
            reason="harassment",
            details="See messages.",
            share_conversation=True,
        )

    assert not private.conversation_shared
    assert not private.messages.exists()
    assert shared.conversation_shared
    assert shared.messages.get().body == "Something inappropriate"
    assert Report.objects.filter(status="open").count() == 2
    assert {tuple(m.to) for m in mail.outbox} == {("rhea@example.org",)}
    assert "Something inappropriate" not in mail.outbox[0].body


def test_connections_and_conversations_come_a_page_at_a_time(client, member, settings):

    settings.PORTAL_LIST_PAGE_SIZE = 3
    peers = MemberFactory.create_in_bulk(4, prefix="paged")
    for peer in peers:
        Connection.objects.create(user=member, peer=peer)
        Connection.objects.create(user=peer, peer=member)
        services.message_send(sender=peer, recipient=member, body=f"Hello from {peer.first_name}")
    client.force_login(member)

    def shown(url, css):
        html = BeautifulSoup(client.get(url).content, "html.parser")
        return len(html.select(css)), html.select_one("nav .pagination [aria-current=page]")

    for url, css in [
        ("/portal/connections/", "#connections-heading + ul .request"),
        ("/portal/messages/", ".conversation-item"),
    ]:
        first, current = shown(url, css)
        assert (first, current.get_text(strip=True)) == (3, "Page1")
        last, current = shown(f"{url}?page=2", css)
        assert (last, current.get_text(strip=True)) == (1, "Page2")
        assert shown(f"{url}?page=999999999999999999", css)[0] == 1  # clamped to the last
        assert shown(f"{url}?page=abc", css)[0] == 3
