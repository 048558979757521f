"""Two-factor authentication for test users: staff need TOTP before Wagtail's admin opens."""

from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)


def totp_activate(user) -> str:
    """Give `user` an authenticator app; return its secret (for `totp_code`)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now.

    allauth accepts the codes of the neighbouring periods too; the current one (the middle of
    that window) stays valid longest, so a login that straddles a period boundary still passes.
    """
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def login_with_mfa(client, user) -> None:
    """Sign `user` in on the test client as if they had entered their password and a TOTP code.

    `force_login` records no way of authenticating, and Wagtail's admin opens only for a session
    that passed a second factor (portal.middleware), so this writes the record allauth's login
    flow keeps after a code was accepted. Staff without an authenticator get one first.
    """
    import time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.mfa.models import Authenticator

    authenticator = (
        Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        or TOTP.activate(user, generate_totp_secret()).instance
    )
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "id": authenticator.pk, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


def log_in(client, user) -> None:
    """Sign `user` in on the test client: members as they are, staff with the second factor."""
    if user.is_staff:
        login_with_mfa(client, user)
    else:
        client.force_login(user)
