"""allauth's emails name the organisation, never the host the request came in on."""

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db


def test_account_emails_name_the_organisation_not_the_request_host(
    client, member, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://www.example.org"

    for email in (member.email, "nobody.here@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/accounts/password/reset/", {"email": email}, HTTP_HOST="127.0.0.1:8102")

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert message.body.startswith("Hello from ICMEC Australia!"), message.body
        assert "Thank you for using ICMEC Australia!\nwww.example.org" in message.body
        assert "from 127.0.0.1" not in message.body
        assert message.subject.startswith("[ICMEC Australia] ")
