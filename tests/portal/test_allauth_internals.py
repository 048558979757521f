"""`portal.allauth_internals` against allauth's public behaviour: what it records in the session
is what allauth's own flows record, read back through allauth's public API. An allauth upgrade
that moves or changes the private function fails here."""

import time

import pytest
from allauth.account.authentication import (
    AUTHENTICATION_METHODS_SESSION_KEY,
    get_authentication_records,
)
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from portal import mfa
from portal.allauth_internals import record_authentication
from tests.factories.portal import PASSWORD

pytestmark = pytest.mark.django_db


def _request_with_session(user):
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.user = user
    return request


def test_a_recorded_password_sign_in_reads_back_as_allauths_own_login_records_it(client, member):
    client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})
    [allauths] = client.session[AUTHENTICATION_METHODS_SESSION_KEY]

    request = _request_with_session(member)
    before = time.time()
    record_authentication(request, member, "password", email=member.email)

    [ours] = get_authentication_records(request, member)
    assert ours.keys() == allauths.keys()
    assert ours["method"] == allauths["method"] == "password"
    assert ours["email"] == allauths["email"] == member.email
    assert before <= ours["at"] <= time.time()
    # The records belong to that account only: another one in the same session has none.
    assert get_authentication_records(request, type(member)(pk=member.pk + 10_000)) == []


def test_a_recorded_second_factor_is_what_the_portal_reads_as_one(member):
    request = _request_with_session(member)
    assert not mfa.request_passed_second_factor(request, member)

    record_authentication(request, member, "mfa", id=1, type="totp")

    [record] = get_authentication_records(request, member)
    assert record["method"] == "mfa"
    assert record["type"] == "totp"
    assert mfa.request_passed_second_factor(request, member)
    assert mfa.authenticated_recently(request, member, within=60)


def test_the_portal_reaches_allauths_internals_through_this_module_alone():
    from pathlib import Path

    import portal

    users = [
        path.relative_to(Path(portal.__file__).parent).as_posix()
        for path in Path(portal.__file__).parent.rglob("*.py")
        if "allauth.account.internal" in path.read_text() and "migrations" not in path.parts
    ]
    assert users == ["allauth_internals.py"]
