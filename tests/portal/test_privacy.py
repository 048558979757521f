"""Download my data and Delete my account, including other apps' registered handlers."""

import json

import pytest

from portal import privacy, services
from portal.models import Connection, ConnectionRequest, Message, User
from tests.factories.accounts import login_staff
from tests.factories.portal import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorder():
    """A handler another app would register in its AppConfig.ready()."""
    calls = []
    privacy.register(
        "test_app",
        exporter=lambda user: {"subscribed": True, "email": user.email},
        eraser=lambda user: calls.append(user.email),
    )
    yield calls
    privacy._handlers.pop("test_app", None)


@pytest.fixture
def history(member, peer):
    request = services.connection_request_send(sender=member, recipient=peer, note="Hello")
    services.connection_request_accept(user=peer, request_id=request.pk)
    services.message_send(sender=member, recipient=peer, body="From Amelia")
    services.message_send(sender=peer, recipient=member, body="From Tom")
    return member, peer


def _fresh_login(client, user):
    client.force_login(user)
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302


def test_the_export_holds_account_profile_connections_messages_and_other_apps(
    client, history, recorder
):
    member, _ = history
    _fresh_login(client, member)

    response = client.post("/portal/account/data/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["account"]["email"] == "amelia@example.org"
    assert data["profile"]["organisation"] == member.profile.organisation
    assert data["membership"]["status"] == "approved"
    assert [c["name"] for c in data["connections"]] == ["Tom Walker"]
    assert {(m["direction"], m["body"]) for m in data["messages"]} == {
        ("sent", "From Amelia"),
        ("received", "From Tom"),
    }
    assert data["test_app"] == {"subscribed": True, "email": "amelia@example.org"}


def test_the_export_needs_a_recent_authentication(client, member):
    client.force_login(member)

    response = client.post("/portal/account/data/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_deleting_the_account_erases_it_and_anonymises_the_messages(client, history, recorder):
    member, peer = history
    _fresh_login(client, member)

    refused = client.post("/portal/account/delete/", {})
    assert refused.status_code == 200
    assert "Tick the box to confirm." in refused.content.decode()
    assert User.objects.filter(pk=member.pk).exists()

    response = client.post("/portal/account/delete/", {"confirm": "on"})

    assert response.status_code == 302
    assert recorder == ["amelia@example.org"]
    assert not User.objects.filter(email="amelia@example.org").exists()
    assert not Connection.objects.exists()
    assert not ConnectionRequest.objects.exists()
    kept = Message.objects.get(body="From Amelia")
    assert kept.sender is None
    assert kept.recipient == peer
    client.force_login(peer)
    html = client.get(f"/portal/messages/{kept.conversation_id}/").content.decode()
    assert "From Amelia" in html
    assert "A former member" in html
    assert "Amelia" not in html.replace("From Amelia", "")


def test_deleting_needs_a_recent_authentication(client, member):
    client.force_login(member)

    response = client.post("/portal/account/delete/", {"confirm": "on"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert User.objects.filter(pk=member.pk).exists()


def test_staff_accounts_are_not_deleted_from_the_portal(client, reviewer):
    login_staff(client, reviewer)  # password and second factor, just now

    response = client.post("/portal/account/delete/", {"confirm": "on"})

    assert "closed by an administrator" in response.content.decode()
    assert User.objects.filter(pk=reviewer.pk).exists()
