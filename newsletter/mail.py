"""Turning a rendered issue into one message per recipient, and sending over one connection.

Two paths give the same message:

- SMTP (`EMAIL_URL`): the MIME message is assembled as bytes from parts prepared once per issue
  (headers, quoted-printable bodies) and handed to the open `smtplib` connection of Django's
  SMTP backend. Building a message costs a few string replacements and one C-level encoding.
- Any other backend (django-anymail's email APIs, the test outbox, the console): a Django
  `EmailMultiAlternatives` with the same parts and headers, sent through that backend.

SMTP replies are classified so that the caller can record each result: a permanent refusal of
one recipient (5xx), a temporary one (4xx), or trouble with the connection itself.
"""

from __future__ import annotations

import binascii
import contextlib
import re
import smtplib
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage as StdlibEmailMessage
from email.utils import format_datetime, parseaddr
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.utils import timezone

from newsletter import bounces
from newsletter.rendering import UNSUBSCRIBE_PLACEHOLDER, RenderedEmail


class RecipientRefused(Exception):
    """The server refused this one recipient or message."""

    def __init__(self, code: int, text: str) -> None:
        super().__init__(f"{code} {text}")
        self.code = code
        self.text = text

    @property
    def permanent(self) -> bool:
        return self.code >= 500

    @property
    def hard_bounce(self) -> bool:
        """The mailbox does not exist (or never will): suppress the address."""
        return bounces.classify(code=self.code, text=self.text).suppress


class ConnectionTrouble(Exception):
    """The server could not be reached or hung up: retry the whole batch later."""


class LoginRefused(Exception):
    """The server refused the configured user name or password: retrying will not help."""


def from_address() -> str:
    return settings.NEWSLETTER_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL


def mail_domain() -> str:
    address = parseaddr(from_address())[1]
    return address.rpartition("@")[2] or "localhost"


def unsubscribe_mailto(token: str) -> str:
    address = settings.NEWSLETTER_UNSUBSCRIBE_EMAIL or parseaddr(from_address())[1]
    return f"mailto:{address}?subject={quote(f'unsubscribe {token}')}"


@dataclass(frozen=True)
class Recipient:
    delivery_id: int
    email: str
    unsubscribe_url: str
    unsubscribe_mailto: str


_SIMPLE_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")


def envelope_address(address: str) -> str:
    """The address as SMTP wants it; plain ASCII addresses skip Django's costly parser."""
    if _SIMPLE_ADDRESS.fullmatch(address):
        return address
    return sanitize_address(address, "utf-8")


def _qp(text: str) -> bytes:
    """Quoted-printable with CRLF line ends (binascii does the work in C)."""
    data = text.replace("\r\n", "\n").encode("utf-8")
    return binascii.b2a_qp(data, istext=True).replace(b"\n", b"\r\n")


# Lines of an unencoded body stay well under SMTP's 998 octets, leaving room for the longest
# personal link that replaces a placeholder.
MAX_LINE = 760


def fold_html(html: str) -> str:
    """The same HTML in fewer, longer lines.

    Line breaks and indentation in HTML are just whitespace (the email uses no <pre>), so they
    are collapsed to one space and lines are rebuilt up to MAX_LINE characters, breaking only
    where there was whitespace. Fewer lines make every hop cheaper than quoted-printable's
    76-character lines.
    """
    words = re.split(r"[ \t]*\n\s*", html.replace("\r\n", "\n"))
    lines: list[str] = []
    current = ""
    for word in words:
        while len(word) > MAX_LINE:
            cut = word.rfind(" ", 0, MAX_LINE)
            if cut <= 0:
                break
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut])
            word = word[cut + 1 :]
        if current and len(current) + 1 + len(word) > MAX_LINE:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    return "\n".join(lines)


@dataclass(frozen=True)
class BodyPart:
    """A body part prepared once per issue: its text split at the placeholder, its encoding."""

    parts: list[str]
    encoding: str  # "7bit", "8bit" or "quoted-printable"

    @classmethod
    def prepare(cls, text: str) -> BodyPart:
        text = text.replace("\r\n", "\n")
        if any(len(line) > MAX_LINE for line in text.split("\n")):
            encoding = "quoted-printable"
        elif text.isascii():
            encoding = "7bit"
        else:
            encoding = "8bit"
        return cls(parts=text.split(UNSUBSCRIBE_PLACEHOLDER), encoding=encoding)

    def encoded(self, unsubscribe_url: str, *, eight_bit_ok: bool) -> tuple[bytes, bytes]:
        text = unsubscribe_url.join(self.parts)
        if self.encoding == "7bit" or (self.encoding == "8bit" and eight_bit_ok):
            return self.encoding.encode(), text.replace("\n", "\r\n").encode("utf-8")
        return b"quoted-printable", _qp(text)


class IssueMessageFactory:
    """Builds each recipient's message of one issue from parts prepared once."""

    def __init__(self, *, issue_id: int, started_at_ts: int, rendered: RenderedEmail) -> None:
        self.issue_id = issue_id
        self.rendered = rendered
        self.from_email = from_address()
        self.envelope_from = parseaddr(self.from_email)[1]
        self.domain = mail_domain()
        self.message_id_suffix = f"{issue_id}.{started_at_ts}@{self.domain}"
        self.list_id = f"ICMEC Australia newsletter <newsletter.{self.domain}>"

        head = StdlibEmailMessage(policy=policy.SMTP)
        head["From"] = self.from_email
        head["Subject"] = rendered.subject
        head["List-Id"] = self.list_id
        head["MIME-Version"] = "1.0"
        self.static_headers = head.as_bytes().rstrip(b"\r\n") + b"\r\n"
        self.boundary = f"=_icmec_{issue_id}_{started_at_ts}".encode()
        # The bodies are prepared once, here, and joined with each recipient's link.
        self.html = BodyPart.prepare(fold_html(rendered.html))
        self.text = BodyPart.prepare(rendered.text)
        self.html_parts = self.html.parts
        self.text_parts = self.text.parts
        self.needs_8bitmime = "8bit" in (self.html.encoding, self.text.encoding)

    def message_id(self, delivery_id: int) -> str:
        # Stable per delivery: if a message is ever sent again after a crash, receivers that
        # deduplicate on Message-ID (as large providers do) show it once.
        return f"<{delivery_id}.{self.message_id_suffix}>"

    def headers(self, recipient: Recipient) -> dict[str, str]:
        return {
            "Message-ID": self.message_id(recipient.delivery_id),
            "List-Id": self.list_id,
            "List-Unsubscribe": f"<{recipient.unsubscribe_url}>, <{recipient.unsubscribe_mailto}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }

    def as_bytes(self, recipient: Recipient, *, eight_bit_ok: bool = True) -> bytes:
        boundary = self.boundary
        url = recipient.unsubscribe_url
        text_encoding, text = self.text.encoded(url, eight_bit_ok=eight_bit_ok)
        html_encoding, html = self.html.encoded(url, eight_bit_ok=eight_bit_ok)
        head = (
            f"To: {envelope_address(recipient.email)}\r\n"
            f"Date: {format_datetime(timezone.now())}\r\n"
            f"Message-ID: {self.message_id(recipient.delivery_id)}\r\n"
            f"List-Unsubscribe: <{url}>,\r\n"
            f" <{recipient.unsubscribe_mailto}>\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        ).encode("ascii")
        return b"".join(
            (
                self.static_headers,
                head,
                b'Content-Type: multipart/alternative; boundary="',
                boundary,
                b'"\r\n\r\n--',
                boundary,
                b"\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: ",
                text_encoding,
                b"\r\n\r\n",
                text,
                b"\r\n--",
                boundary,
                b"\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: ",
                html_encoding,
                b"\r\n\r\n",
                html,
                b"\r\n--",
                boundary,
                b"--\r\n",
            )
        )

    def as_email_message(self, recipient: Recipient) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(
            subject=self.rendered.subject,
            body=recipient.unsubscribe_url.join(self.text_parts),
            from_email=self.from_email,
            to=[recipient.email],
            headers=self.headers(recipient),
        )
        message.attach_alternative(recipient.unsubscribe_url.join(self.html_parts), "text/html")
        return message


class Sender:
    """One connection to the configured email backend, for one batch of messages."""

    def __init__(self) -> None:
        self.backend = get_connection(fail_silently=False)
        self.smtp = isinstance(self.backend, SMTPBackend)
        self._eight_bit: bool | None = None

    def __enter__(self) -> Sender:
        try:
            self.backend.open()
        except smtplib.SMTPAuthenticationError as exc:
            raise LoginRefused(f"{exc.smtp_code} {_text(exc.smtp_error)}") from exc
        except smtplib.SMTPNotSupportedError as exc:  # a user name is set, the server has no AUTH
            raise LoginRefused(str(exc)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise ConnectionTrouble(f"Cannot connect to the mail server: {exc}") from exc
        return self

    def __exit__(self, *exc_info: object) -> None:
        # Closing a broken connection must not hide the error that broke it.
        with contextlib.suppress(Exception):
            self.backend.close()

    def send(self, factory: IssueMessageFactory, recipient: Recipient) -> None:
        if self.smtp:
            eight_bit_ok = self._has_8bitmime()
            options = ["BODY=8BITMIME"] if eight_bit_ok and factory.needs_8bitmime else []
            data = factory.as_bytes(recipient, eight_bit_ok=eight_bit_ok)
            # A bounce mailed back later names its delivery (VERP), when a bounce address is set.
            envelope_from = bounces.bounce_address(recipient.delivery_id) or factory.envelope_from
            self._send_smtp(envelope_from, recipient.email, data, options)
        else:
            self._send_through_backend(factory.as_email_message(recipient))

    def _send_through_backend(self, message: EmailMultiAlternatives) -> None:
        """An email API (django-anymail), the test outbox or the console."""
        try:
            self.backend.send_messages([message])
        except Exception as exc:
            refused = _anymail_refusal(exc, message)
            if refused is not None:
                raise refused from exc
            raise ConnectionTrouble(f"The email service failed: {exc}") from exc

    def _has_8bitmime(self) -> bool:
        if self._eight_bit is None:
            connection = self.backend.connection
            if connection is None:
                raise ConnectionTrouble("The SMTP connection is closed.")
            try:
                connection.ehlo_or_helo_if_needed()
            except (smtplib.SMTPException, OSError) as exc:
                raise ConnectionTrouble(f"{type(exc).__name__}: {exc}") from exc
            self._eight_bit = bool(connection.has_extn("8bitmime"))
        return self._eight_bit

    def _send_smtp(
        self, envelope_from: str, to: str, data: bytes, mail_options: list[str] | None = None
    ) -> None:
        connection = self.backend.connection
        if connection is None:
            raise ConnectionTrouble("The SMTP connection is closed.")
        try:
            if _SIMPLE_ADDRESS.fullmatch(to) and _SIMPLE_ADDRESS.fullmatch(envelope_from):
                _transaction(connection, envelope_from, to, data, mail_options or [])
            else:
                connection.sendmail(
                    envelope_from, [envelope_address(to)], data, mail_options=mail_options or ()
                )
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _classify(code, text) from exc
        except smtplib.SMTPDataError as exc:
            raise _classify(exc.smtp_code, exc.smtp_error) from exc
        except smtplib.SMTPSenderRefused as exc:
            raise ConnectionTrouble(f"Sender refused: {exc.smtp_code} {exc.smtp_error!r}") from exc
        except smtplib.SMTPResponseException as exc:
            raise ConnectionTrouble(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        except (TimeoutError, smtplib.SMTPException, OSError) as exc:
            raise ConnectionTrouble(f"{type(exc).__name__}: {exc}") from exc


def _transaction(
    smtp: smtplib.SMTP, envelope_from: str, to: str, data: bytes, mail_options: list[str]
) -> None:
    """One message to one plain ASCII address: smtplib's sendmail without its generic parsing.

    It raises the same exceptions as `smtplib.SMTP.sendmail`, and leaves the session ready for
    the next message after a refusal.
    """
    smtp.ehlo_or_helo_if_needed()
    options = "".join(f" {option}" for option in mail_options) if smtp.does_esmtp else ""
    code, reply = smtp.docmd("MAIL", f"FROM:<{envelope_from}>{options}")
    if code != 250:
        _reset_or_close(smtp, code)
        raise smtplib.SMTPSenderRefused(code, reply, envelope_from)
    code, reply = smtp.docmd("RCPT", f"TO:<{to}>")
    if code not in (250, 251):
        _reset_or_close(smtp, code)
        raise smtplib.SMTPRecipientsRefused({to: (code, reply)})
    code, reply = smtp.docmd("DATA")
    if code != 354:
        _reset_or_close(smtp, code)
        raise smtplib.SMTPDataError(code, reply)
    # Dot-stuffing (RFC 5321 4.5.2), then the end-of-data line.
    data = data.replace(b"\r\n.", b"\r\n..")
    if data.startswith(b"."):
        data = b"." + data
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    smtp.send(data + b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        _reset_or_close(smtp, code)
        raise smtplib.SMTPDataError(code, reply)


def _reset_or_close(smtp: smtplib.SMTP, code: int) -> None:
    if code == 421:
        smtp.close()
        return
    with contextlib.suppress(smtplib.SMTPServerDisconnected):
        smtp.rset()


def _text(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else text


def _classify(code: int, text: bytes | str) -> Exception:
    text = _text(text)
    if code == 421:
        # "Service not available, closing channel": the whole connection is gone.
        return ConnectionTrouble(f"{code} {text}")
    return RecipientRefused(code, text)


def _anymail_refusal(exc: Exception, message: EmailMultiAlternatives) -> RecipientRefused | None:
    try:
        from anymail.exceptions import AnymailRecipientsRefused
    except ImportError:  # pragma: no cover - anymail is a dependency
        return None
    if not isinstance(exc, AnymailRecipientsRefused):
        return None
    # The service says "invalid" (the address cannot receive mail: a dead mailbox) or
    # "rejected" (its own policy or suppression list: recorded, the address is kept).
    status = getattr(getattr(message, "anymail_status", None), "status", None) or set()
    if "invalid" in status:
        return RecipientRefused(550, f"5.1.1 The email service reports an invalid address: {exc}")
    return RecipientRefused(550, f"5.7.1 Rejected by the email service: {exc}")
