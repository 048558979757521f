"""Changing one's email address: the address typed learns nothing of who typed it, and the
form cannot be used to flood an inbox."""

import pytest
from django.core import mail

from tests.factories.portal import PASSWORD

pytestmark = pytest.mark.django_db


def _ask_for(client, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post("/accounts/email/", {"action_add": "", "email": email}, follow=True)


@pytest.fixture
def reauthenticated(client, member):
    client.force_login(member)
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    return client


def test_typing_another_members_address_does_not_tell_them_who_asked(
    reauthenticated, member, peer, django_capture_on_commit_callbacks
):
    _ask_for(reauthenticated, peer.email, django_capture_on_commit_callbacks)

    [message] = [m for m in mail.outbox if m.to == [peer.email]]
    text = message.subject + message.body
    for revealing in (member.first_name, member.last_name, member.email, "amelia"):
        assert revealing.lower() not in text.lower()
    # Nothing to confirm: the address is the peer's own.
    assert "/accounts/confirm-email/" not in message.body
    assert "nothing has changed" in message.body


def test_a_free_address_gets_a_link_that_does_not_name_the_requester(
    reauthenticated, member, django_capture_on_commit_callbacks
):
    _ask_for(reauthenticated, "someone.else@example.org", django_capture_on_commit_callbacks)

    [message] = [m for m in mail.outbox if m.to == ["someone.else@example.org"]]
    assert "/accounts/confirm-email/" in message.body
    assert member.first_name not in message.body
    assert member.email not in message.body


def test_the_asker_sees_the_same_answer_for_a_taken_and_a_free_address(
    reauthenticated, peer, django_capture_on_commit_callbacks
):
    answers = []
    for email in (peer.email, "free.address@example.org"):
        response = _ask_for(reauthenticated, email, django_capture_on_commit_callbacks)
        html = response.content.decode().replace(email, "EMAIL")
        answers.append((response.status_code, response.redirect_chain, "EMAIL" in html))

    assert answers[0] == answers[1]


def test_repeated_changes_of_address_are_limited(
    reauthenticated, peer, django_capture_on_commit_callbacks
):
    for n in range(3):
        response = _ask_for(
            reauthenticated, f"attempt{n}@example.org", django_capture_on_commit_callbacks
        )
        assert "too many times" not in response.content.decode()
    mail.outbox.clear()

    response = _ask_for(reauthenticated, peer.email, django_capture_on_commit_callbacks)

    html = response.content.decode()
    assert response.status_code == 200
    assert "too many times" in html
    assert f'value="{peer.email}"' in html  # the form keeps what was typed
    assert mail.outbox == []
