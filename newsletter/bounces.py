"""What a refusal means: is the mailbox dead (suppress the address) or was the message refused?

Three sources describe a failed delivery: the SMTP server's reply while sending, an email
service's tracking event (django-anymail), and an asynchronous bounce message (a delivery status
notification, RFC 3464) mailed back to the envelope sender. All of them are judged here, by the
enhanced status code (RFC 3463, `class.subject.detail`) when there is one:

- `5.1.x` (addressing: no such mailbox, no such domain, bad address syntax, mailbox moved) means
  the address is dead and is suppressed for good, except `5.1.7`/`5.1.8`, which are about *our*
  sender address, and `5.1.9`;
- every other permanent code (`5.7.x` policy and security refusals such as DMARC or a
  blocklist, `5.2.x` mailbox full or disabled, `5.3.x`/`5.4.x` system and routing trouble,
  `5.6.x` content) records a failure with its reason and keeps the address: one mistake of ours
  (a DMARC record, a listed IP address) must not remove every reader at a large provider;
- a `5xx` reply without an enhanced code (or with `5.0.0`, "other undefined status") is judged
  by its text, conservatively: it suppresses
  only on wording that clearly says the mailbox does not exist, and never when the text also
  speaks of policy, spam or blocking.

This module parses and decides; it writes nothing (see `services` for what is done about it).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from email.message import Message
from email.utils import parseaddr

from django.conf import settings

# An enhanced status code, not part of an IP address or a version number.
_ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)")
# A basic reply code at the start of a reply or after "smtp;" in a relayed diagnostic.
_BASIC = re.compile(r"(?:^|;|\s)([245]\d\d)(?:[\s\-]|$)")

# Addressing codes about the sender, not the recipient (RFC 3463 3.2, RFC 3886).
_NOT_ABOUT_THE_RECIPIENT = {"5.1.7", "5.1.8", "5.1.9"}

# Wording that clearly says the mailbox does not exist (checked only without an enhanced code).
_DEAD_MAILBOX_WORDS = re.compile(
    r"no such (user|mailbox|recipient|address|account)"
    r"|(user|recipient|mailbox|address) (is )?unknown"
    r"|unknown (user|recipient|mailbox)"
    r"|mailbox (is )?unavailable"
    r"|mailbox not found"
    r"|(user|mailbox|recipient|account) (does not|doesn't) exist",
    re.IGNORECASE,
)
# Wording of a refusal of the message or the sender: these keep the address, whatever else the
# text says ("mailbox unavailable: message rejected as spam").
_POLICY_WORDS = re.compile(
    r"polic|spam|block|black ?list|deny ?list|reputation|spamhaus|content|virus|relay"
    r"|\b(dmarc|spf|dkim|rbl|dnsbl)\b|rejected (due|for|because)|not authori[sz]ed",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Verdict:
    """How one refusal is to be recorded."""

    permanent: bool  # a 5xx / 5.x.x refusal (otherwise temporary: retry later)
    suppress: bool  # the mailbox is dead: stop mailing the address
    status: str  # the enhanced status code found, e.g. "5.1.1" (may be empty)
    reason: str  # the server's words, for the record


def enhanced_status(text: str) -> str:
    """The first enhanced status code in `text` ("5.7.26"), or ""."""
    match = _ENHANCED.search(text or "")
    return ".".join(match.groups()) if match else ""


def classify(
    *, code: int | None = None, text: str = "", status: str = "", permanent: bool | None = None
) -> Verdict:
    """Judge one refusal.

    `code` is the SMTP reply code when the refusal came in an SMTP session; `status` an
    enhanced status code given on its own (a DSN's `Status:` field); `text` the server's words
    (the SMTP reply text, a DSN's `Diagnostic-Code`, an email service's description);
    `permanent` what the reporter says when it knows (an email service's "hard bounce", a
    DSN's `Action: failed`), otherwise it follows from the codes.
    """
    text = " ".join((text or "").split())
    status = (status or "").strip() or enhanced_status(text)
    if code is None:
        basic = _BASIC.search(text)
        code = int(basic.group(1)) if basic else None
    if permanent is None:
        permanent = code >= 500 if code is not None else status.startswith("5")
    if not permanent:
        return Verdict(permanent=False, suppress=False, status=status, reason=text)
    if status.startswith("5.") and status != "5.0.0":
        dead = status.startswith("5.1.") and status not in _NOT_ABOUT_THE_RECIPIENT
    elif status and status != "5.0.0":
        # A 5xx reply with a 2.x or 4.x detail contradicts itself: keep the address.
        dead = False
    else:
        dead = bool(_DEAD_MAILBOX_WORDS.search(text)) and not _POLICY_WORDS.search(text)
    return Verdict(permanent=True, suppress=dead, status=status, reason=text)


# --- Delivery status notifications (RFC 3464) ------------------------------------------------


@dataclass(frozen=True)
class ReportedRecipient:
    """One per-recipient block of a delivery status notification."""

    final_recipient: str
    action: str  # failed, delayed, delivered, relayed, expanded
    status: str
    diagnostic: str

    @property
    def verdict(self) -> Verdict:
        if self.action != "failed":
            # Delays and successes are not failures, whatever the code says.
            return Verdict(permanent=False, suppress=False, status=self.status, reason="")
        # "failed" is final (RFC 3464 2.3.3), whatever code a server gave.
        return classify(text=self.diagnostic, status=self.status, permanent=True)


def _address_field(value: str) -> str:
    """`rfc822; ann@example.org` -> `ann@example.org`."""
    _, _, address = str(value or "").partition(";")
    return parseaddr(address.strip() or str(value or ""))[1].strip().lower()


def _blocks(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    # Some parsers leave the report as text: parse its blocks of fields ourselves.
    from email.parser import HeaderParser

    text = payload if isinstance(payload, str) else ""
    return [HeaderParser().parsestr(chunk) for chunk in re.split(r"\r?\n\s*\r?\n", text.strip())]


def delivery_status_report(message: Message) -> list[ReportedRecipient] | None:
    """The recipients reported by a DSN (multipart/report with a message/delivery-status part).

    Returns None when the message is not a delivery status notification (an auto-reply, a
    person writing back, a bounce in some older free-text format).
    """
    if message.get_content_type() != "multipart/report":
        return None
    if (message.get_param("report-type") or "").lower() != "delivery-status":
        return None
    for part in message.walk():
        if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status"):
            blocks = _blocks(part)
            recipients = []
            for block in blocks[1:]:  # the first block is about the message
                recipient = _address_field(
                    block.get("Final-Recipient") or block.get("Original-Recipient") or ""
                )
                if not recipient and not block.get("Action"):
                    continue
                recipients.append(
                    ReportedRecipient(
                        final_recipient=recipient,
                        action=str(block.get("Action") or "").strip().lower(),
                        status=str(block.get("Status") or "").strip().split(" ")[0],
                        diagnostic=_diagnostic(block.get("Diagnostic-Code") or ""),
                    )
                )
            return recipients
    return None


def _diagnostic(value: str) -> str:
    """`smtp; 550 5.1.1 <ann@example.org>: Recipient address rejected` without its type."""
    value = " ".join(str(value).split())
    kind, sep, rest = value.partition(";")
    return (
        rest.strip() if sep and kind.strip().lower() in ("smtp", "x-postfix", "x-unix") else value
    )


# --- Bounce addresses (VERP) -----------------------------------------------------------------


def _signature(delivery_id: int) -> str:
    key = f"{settings.SECRET_KEY}:newsletter-bounce".encode()
    return hmac.new(key, str(delivery_id).encode(), hashlib.sha256).hexdigest()[:16]


def bounce_address(delivery_id: int) -> str:
    """The envelope sender of one delivery: `bounces+<id>-<signature>@domain` (VERP).

    A bounce sent back to it names the delivery (and so the issue and the subscriber), and its
    signature means nobody can forge a bounce that suppresses someone else's address. Empty
    when `NEWSLETTER_BOUNCE_ADDRESS` is not set (bounces then go to the sender's address).
    """
    base = settings.NEWSLETTER_BOUNCE_ADDRESS
    if not base:
        return ""
    local, _, domain = base.rpartition("@")
    return f"{local}+{delivery_id}-{_signature(delivery_id)}@{domain}"


def delivery_id_from_address(address: str) -> int | None:
    """The delivery a bounce address names, if its signature is right."""
    base = settings.NEWSLETTER_BOUNCE_ADDRESS
    if not base or not address:
        return None
    local, _, domain = base.lower().rpartition("@")
    pattern = rf"{re.escape(local)}\+(\d{{1,19}})-([0-9a-f]{{16}})@{re.escape(domain)}"
    match = re.fullmatch(pattern, parseaddr(address)[1].strip().lower())
    if match is None:
        return None
    delivery_id, signature = int(match.group(1)), match.group(2)
    return delivery_id if hmac.compare_digest(signature, _signature(delivery_id)) else None


def bounced_delivery_id(message: Message, envelope_recipient: str | None = None) -> int | None:
    """The delivery a bounce message was sent back for: the VERP address it was sent to.

    The envelope recipient (when the inbound service tells it) is the surest; otherwise the
    headers that receiving servers and DSN generators put the bounce address in.
    """
    candidates = [envelope_recipient or ""]
    for header in ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To"):
        for value in message.get_all(header) or []:
            candidates.extend(part.strip() for part in str(value).split(","))
    for candidate in candidates:
        delivery_id = delivery_id_from_address(candidate)
        if delivery_id is not None:
            return delivery_id
    return None
