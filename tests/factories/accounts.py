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
