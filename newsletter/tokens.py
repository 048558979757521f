"""Signed links: confirmation (expires after 7 days) and unsubscribe (never expires).

Confirmation tokens carry the subscriber's `token_version`, which is bumped whenever the address
leaves the list, so a confirmation link sent before an unsubscribe cannot put the address back.
Unsubscribe tokens never expire: an email read months later must still let its reader leave
(the requirement is "at least 60 days"). They name the issue they came from, for the report.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing

from icmec.caching.memo import computed_once

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"
CONFIRM_MAX_AGE = timedelta(days=7)


class InvalidToken(Exception):
    """The link was altered, truncated or signed with another key."""


class ExpiredToken(InvalidToken):
    """The link was genuine but is too old."""


@dataclass(frozen=True)
class ConfirmationClaim:
    subscriber_uuid: uuid.UUID
    version: int
    source: str


@dataclass(frozen=True)
class UnsubscribeClaim:
    subscriber_uuid: uuid.UUID
    issue_id: int | None


def _unsubscribe_signer() -> signing.Signer:
    """The signer of unsubscribe links, made once per process (it follows from `SECRET_KEY` and
    its fallbacks alone): every message of an issue carries a link."""
    return computed_once((__name__, "unsubscribe"), lambda: signing.Signer(salt=UNSUBSCRIBE_SALT))


def confirmation_token(*, subscriber_uuid: uuid.UUID, version: int, source: str) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(
        f"{subscriber_uuid.hex}.{version}.{source}"
    )


def read_confirmation_token(token: str) -> ConfirmationClaim:
    try:
        value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ExpiredToken(str(exc)) from exc
    except signing.BadSignature as exc:
        raise InvalidToken(str(exc)) from exc
    try:
        hex_uuid, version, source = value.split(".", 2)
        return ConfirmationClaim(uuid.UUID(hex=hex_uuid), int(version), source)
    except ValueError as exc:
        raise InvalidToken("Malformed token") from exc


def unsubscribe_token(*, subscriber_uuid: uuid.UUID, issue_id: int | None = None) -> str:
    return _unsubscribe_signer().sign(f"{subscriber_uuid.hex}.{issue_id or ''}")


def read_unsubscribe_token(token: str) -> UnsubscribeClaim:
    try:
        value = _unsubscribe_signer().unsign(token)
        hex_uuid, issue_id = value.split(".", 1)
        return UnsubscribeClaim(uuid.UUID(hex=hex_uuid), int(issue_id) if issue_id else None)
    except (signing.BadSignature, ValueError) as exc:
        raise InvalidToken(str(exc)) from exc
