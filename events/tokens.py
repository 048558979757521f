"""Signed links: confirming a booking's address (expires after 7 days, as the newsletter's), the
attendee's own booking page, from which it is cancelled and its calendar file fetched (never
expires: an email read the day before the event must still work), and a member's private
calendar feed (never expires; revoked by replacing the key it names, `CalendarFeedKey`)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core import signing

CONFIRM_SALT = "events.booking.confirm"
BOOKING_SALT = "events.booking"
FEED_SALT = "events.calendar-feed"
CONFIRM_MAX_AGE = timedelta(days=7)


class InvalidToken(Exception):
    """The link was altered, truncated or signed with another key."""


class ExpiredToken(InvalidToken):
    """The link was genuine but is too old."""


def confirmation_token(*, booking_uuid: uuid.UUID) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(booking_uuid.hex)


def booking_token(*, booking_uuid: uuid.UUID) -> str:
    return signing.Signer(salt=BOOKING_SALT).sign(booking_uuid.hex)


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(hex=value)
    except ValueError as exc:
        raise InvalidToken("Malformed token") from exc


def read_confirmation_token(token: str) -> uuid.UUID:
    try:
        value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ExpiredToken(str(exc)) from exc
    except signing.BadSignature as exc:
        raise InvalidToken(str(exc)) from exc
    return _uuid(value)


def read_booking_token(token: str) -> uuid.UUID:
    try:
        return _uuid(signing.Signer(salt=BOOKING_SALT).unsign(token))
    except signing.BadSignature as exc:
        raise InvalidToken(str(exc)) from exc


def feed_token(*, key: uuid.UUID) -> str:
    return signing.Signer(salt=FEED_SALT).sign(key.hex)


def read_feed_token(token: str) -> uuid.UUID:
    """The key a feed's address names (which may since have been replaced)."""
    try:
        return _uuid(signing.Signer(salt=FEED_SALT).unsign(token))
    except signing.BadSignature as exc:
        raise InvalidToken(str(exc)) from exc
