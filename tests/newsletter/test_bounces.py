"""The bounce classifier: which refusals mean a dead mailbox (suppress) and which do not.

Replies are as real servers word them (Gmail, Microsoft 365/Exchange, Yahoo, Postfix, Exim).
"""

from __future__ import annotations

import pytest

from newsletter import bounces

# The newsletter's session fixtures need the test database, even for these pure functions.
pytestmark = pytest.mark.django_db

SMTP_REPLIES = [
    # (code, text, suppress, permanent)
    # Dead mailboxes: 5.1.x
    (550, "5.1.1 The email account that you tried to reach does not exist.", True, True),
    (550, "5.1.1 <ann@example.org>: Recipient address rejected: User unknown", True, True),
    (
        550,
        "5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
        True,
        True,
    ),
    (550, "5.1.2 Host unknown (Name server: example.invalid: host not found)", True, True),
    (553, "5.1.3 Bad destination mailbox address syntax", True, True),
    (551, "5.1.6 User has moved; please try <ann@example.net>", True, True),
    (554, "5.1.1 <ann@example.org>: Relay access denied... no such user", True, True),
    # 5.1.x about our own sender: keep the reader
    (550, "5.1.7 Invalid address (sender)", False, True),
    (550, "5.1.8 Sender address rejected: Domain not found", False, True),
    # Policy and security refusals: 5.7.x
    (
        550,
        "5.7.26 This mail has been blocked because the sender is unauthenticated. "
        "Gmail requires all senders to authenticate with either SPF or DKIM.",
        False,
        True,
    ),
    (550, "5.7.1 Service unavailable, Client host [192.0.2.1] blocked using Spamhaus", False, True),
    (554, "5.7.1 <ann@example.org>: Relay access denied", False, True),
    (554, "5.7.9 Message not accepted for policy reasons", False, True),
    (550, "5.7.606 Access denied, banned sending IP [192.0.2.1]", False, True),
    (
        550,
        "5.7.509 Access denied, sending domain example.org does not pass DMARC verification",
        False,
        True,
    ),
    # Other permanent refusals that are not a dead mailbox
    (552, "5.2.2 The email account that you tried to reach is over quota.", False, True),
    (550, "5.2.1 The email account that you tried to reach is disabled.", False, True),
    (554, "5.6.0 Message content rejected", False, True),
    (554, "5.4.14 Hop count exceeded - possible mail loop", False, True),
    (550, "5.3.4 Message size exceeds fixed limit", False, True),
    # A 5xx reply that contradicts itself with a 4.x.x detail: keep
    (550, "4.2.0 Mailbox temporarily unavailable", False, True),
    # No enhanced code: the text decides, conservatively
    (550, "No such user here", True, True),
    (550, "Requested action not taken: mailbox unavailable", True, True),
    (550, "<ann@example.org>... User unknown", True, True),
    (550, "unknown user account", True, True),
    (550, "No such user (address garbled in transit)", True, True),
    (550, "No such user; SPF check failed", False, True),
    (550, "Mailbox unavailable: message rejected as spam", False, True),
    (550, "Requested action not taken: mailbox unavailable (blocked by policy)", False, True),
    (550, "Administrative prohibition", False, True),
    (554, "Transaction failed", False, True),
    (550, "Message rejected", False, True),
    (553, "Sorry, that domain isn't in my list of allowed rcpthosts.", False, True),
    # An IP address is not an enhanced code
    (550, "Client 5.1.1.1 rejected: blocked", False, True),
    # Temporary refusals
    (450, "4.2.1 Mailbox busy, try again later", False, False),
    (451, "4.7.1 Greylisted, please try again in 300 seconds", False, False),
    (452, "4.2.2 Mailbox full", False, False),
    (421, "4.7.0 Too many connections", False, False),
]


@pytest.mark.parametrize(("code", "text", "suppress", "permanent"), SMTP_REPLIES)
def test_smtp_replies(code, text, suppress, permanent):
    verdict = bounces.classify(code=code, text=text)

    assert (verdict.suppress, verdict.permanent) == (suppress, permanent)
    assert verdict.reason == text


REPORTED = [
    # (text without a separate code, what the reporter says is permanent, suppress)
    ("smtp;550 5.1.1 The email account that you tried to reach does not exist.", True, True),
    ("smtp; 550 5.7.26 Unauthenticated email from example.org is not accepted", True, False),
    ("The server was unable to deliver your message (ex: unknown user).", True, True),
    ("Message blocked by the recipient's server", True, False),
    ("No such mailbox", True, True),
    ("", True, False),
]


@pytest.mark.parametrize(("text", "permanent", "suppress"), REPORTED)
def test_descriptions_from_email_services(text, permanent, suppress):
    verdict = bounces.classify(text=text, permanent=permanent)
    assert verdict.suppress is suppress


@pytest.mark.parametrize(
    ("status", "diagnostic", "suppress", "permanent"),
    [
        ("5.1.1", "smtp; 550 5.1.1 user unknown", True, True),
        ("5.0.0", "smtp; 550 No such user", True, True),
        ("5.0.0", "smtp; 550 Message rejected by policy", False, True),
        ("5.7.1", "smtp; 550 5.7.1 no such user (blocked)", False, True),
        ("4.4.7", "Delivery expired: could not connect", False, False),
    ],
)
def test_dsn_status_fields(status, diagnostic, suppress, permanent):
    verdict = bounces.classify(text=diagnostic, status=status)
    assert (verdict.suppress, verdict.permanent) == (suppress, permanent)


def test_the_enhanced_code_is_found_in_relayed_diagnostics():
    assert bounces.enhanced_status("smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound") == "5.1.10"
    assert bounces.enhanced_status("#5.7.1 smtp;550 5.7.1 Blocked") == "5.7.1"
    assert bounces.enhanced_status("host 192.168.5.1 said: 550 No") == ""
    assert bounces.enhanced_status("Postfix 3.5.1 says no") == ""


def test_bounce_addresses_carry_a_signed_delivery_id(settings):
    settings.NEWSLETTER_BOUNCE_ADDRESS = "bounces@news.example.org"

    address = bounces.bounce_address(1234)

    assert address.startswith("bounces+1234-")
    assert address.endswith("@news.example.org")
    assert len(address.partition("@")[0]) <= 64  # the limit of a local part
    assert bounces.delivery_id_from_address(address) == 1234
    assert bounces.delivery_id_from_address(address.upper()) == 1234  # servers change case
    assert bounces.delivery_id_from_address(f"Mailer <{address}>") == 1234
    forged = address.replace("bounces+1234-", "bounces+1235-")
    assert bounces.delivery_id_from_address(forged) is None
    assert bounces.delivery_id_from_address("bounces@news.example.org") is None
    assert bounces.delivery_id_from_address(address.replace("news.", "other.")) is None
    settings.NEWSLETTER_BOUNCE_ADDRESS = ""
    assert bounces.bounce_address(1234) == ""
    assert bounces.delivery_id_from_address(address) is None
