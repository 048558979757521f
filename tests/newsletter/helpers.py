"""Logging staff in the way they really log in: allauth, then the TOTP step."""

from __future__ import annotations

from tests.factories.accounts import totp_code


def login_staff(client, user) -> None:
    response = client.post("/accounts/login/", {"login": user.email, "password": user.raw_password})
    assert response.status_code == 302, response.content[:2000]
    if "/2fa/authenticate/" in response["Location"]:
        response = client.post(response["Location"], {"code": totp_code(user.totp_secret)})
        assert response.status_code == 302, response.content[:2000]
