"""The safeguarding record: what stays about a person after their account is erased.

When staff reject an application or suspend a member, and when a member is reported, the portal
keeps a `SafeguardingRecord`: a keyed hash (HMAC-SHA256) of the person's normalised email
address, the decision, its date and its reason. Erasing the account leaves it in place, so a
new application from the same person (the same address, or one that normalises to it) is flagged
in the review queue and cannot be approved without an explicit override. Records expire after
`PORTAL_SAFEGUARDING_RETENTION_DAYS` and are purged every night (`purge_safeguarding_records`).

The hash cannot be turned back into an address without the key: the key is
`PORTAL_SAFEGUARDING_KEY`, or one derived from `SECRET_KEY` (Django's `salted_hmac` with a salt
of its own). Whoever holds the key can test whether a given address is on record, which is the
point; keep it as secret as `SECRET_KEY`. Hashes made with earlier keys keep matching while
those keys are listed in `PORTAL_SAFEGUARDING_KEY_FALLBACKS` (or `SECRET_KEY_FALLBACKS`).
"""

from __future__ import annotations

import contextlib
import logging
import unicodedata
from collections.abc import Iterable
from datetime import timedelta

import idna
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from portal.models import MembershipDecision, Report, SafeguardingRecord, User

logger = logging.getLogger(__name__)

_SALT = "portal.safeguarding.email"
# Providers that deliver mail for `j.o.h.n@` to `john@`, and their other domain names.
_DOTLESS_DOMAINS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}


def normalise_email(address: str) -> str:
    """The form of an address that every spelling of one mailbox shares, as far as can be told:
    Unicode compatibility form, lower case, no `+tag`, the domain in its IDNA (ASCII) form, and
    no dots in the local part for providers that ignore them (Gmail, Googlemail as Gmail).

    Stripping `+tag` everywhere may join two mailboxes of a provider that gives `+` no meaning:
    the cost is a flag for a reviewer to read, never a refusal.
    """
    address = unicodedata.normalize("NFKC", address).strip().lower()
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return address
    domain = domain.rstrip(".")
    # Not a valid domain name (IDNAError is a UnicodeError): keep it as typed, lower-cased.
    with contextlib.suppress(UnicodeError):
        domain = idna.encode(domain, uts46=True).decode("ascii")
    local = local.split("+", 1)[0] or local
    if domain in _DOTLESS_DOMAINS:
        domain = _DOTLESS_DOMAINS[domain]
        local = local.replace(".", "")
    return f"{local}@{domain}"


def _secrets() -> list[str]:
    if settings.PORTAL_SAFEGUARDING_KEY:
        return [settings.PORTAL_SAFEGUARDING_KEY, *settings.PORTAL_SAFEGUARDING_KEY_FALLBACKS]
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def email_hash(address: str) -> str:
    """The keyed hash of the normalised address, with the current key."""
    return _hash(normalise_email(address), _secrets()[0])


def email_hashes(addresses: Iterable[str]) -> list[str]:
    """The hashes of these addresses with the current key and every fallback key (to match)."""
    normalised = {normalise_email(a) for a in addresses if a}
    return sorted({_hash(n, secret) for n in normalised for secret in _secrets()})


def _hash(normalised: str, secret: str) -> str:
    return salted_hmac(_SALT, normalised, secret=secret, algorithm="sha256").hexdigest()


def user_addresses(user: User) -> list[str]:
    """Every address of the account: its login and the addresses allauth holds for it."""
    addresses = {user.email}
    addresses.update(address.email for address in user.emailaddress_set.all())
    return sorted(a for a in addresses if a)


def retention() -> timedelta:
    return timedelta(days=settings.PORTAL_SAFEGUARDING_RETENTION_DAYS)


# --- Writes ---------------------------------------------------------------------------------


def record_create(*, user: User, kind: str, reason: str) -> SafeguardingRecord:
    """Keep the minimal record of a rejection, a suspension or a report about `user`."""
    now = timezone.now()
    others = sorted(set(email_hashes(user_addresses(user))) - {email_hash(user.email)})
    record = SafeguardingRecord.objects.create(
        kind=kind,
        email_hash=email_hash(user.email),
        other_hashes=others,
        reason=reason.strip()[:4000],
        decided_at=now,
        expires_at=now + retention(),
        user=user,
    )
    logger.info("safeguarding record %s created: kind=%s user=%s", record.pk, kind, user.pk)
    return record


def records_lift(*, user: User, kind: str) -> int:
    """Mark the user's records of `kind` as lifted (a reinstatement, or an approval after a
    rejection). They stay, so that reviewers see the whole history."""
    return SafeguardingRecord.objects.filter(user=user, kind=kind, lifted_at__isnull=True).update(
        lifted_at=timezone.now()
    )


def records_prepare_for_erasure(*, user: User) -> int:
    """Before an account is erased, add the hashes of all its addresses to its records (an
    address may have changed since a record was made)."""
    hashes = email_hashes(user_addresses(user))
    records = list(SafeguardingRecord.objects.filter(user=user))
    for record in records:
        record.other_hashes = sorted((set(record.other_hashes) | set(hashes)) - {record.email_hash})
        record.save(update_fields=["other_hashes"])
    return len(records)


@transaction.atomic
def records_purge(*, now=None) -> dict[str, int]:
    """Delete what has been kept long enough: records past their expiry date (unless a report
    linked to them is still open), resolved reports (and their copies of messages) resolved
    longer ago than the retention period, and the decisions of erased accounts as old.
    Safe to run at any time and twice."""
    now = now or timezone.now()
    cutoff = now - retention()
    reports, _ = Report.objects.filter(
        status=Report.Status.RESOLVED, resolved_at__lt=cutoff
    ).delete()
    decisions, _ = MembershipDecision.objects.filter(
        user__isnull=True, created_at__lt=cutoff
    ).delete()
    records, _ = (
        SafeguardingRecord.objects.filter(expires_at__lt=now)
        .exclude(reports__status=Report.Status.OPEN)
        .delete()
    )
    counts = {"records": records, "reports": reports, "decisions": decisions}
    if any(counts.values()):
        logger.info(
            "safeguarding purge: %(records)s records, %(reports)s reports, "
            "%(decisions)s decisions of erased accounts deleted",
            counts,
        )
    return counts


# --- Reads ----------------------------------------------------------------------------------


def _matching(hashes: list[str]) -> QuerySet[SafeguardingRecord]:
    return SafeguardingRecord.objects.filter(
        Q(email_hash__in=hashes) | Q(other_hashes__overlap=hashes), expires_at__gt=timezone.now()
    )


def records_matching(user: User) -> list[SafeguardingRecord]:
    """Unexpired records whose hash matches one of the user's addresses, newest first."""
    return list(_matching(email_hashes(user_addresses(user))).order_by("-decided_at", "-pk"))


def records_matching_users(users: Iterable[User]) -> dict[int, list[SafeguardingRecord]]:
    """`records_matching` for many users at once (one query; prefetch their email addresses)."""
    hashes_by_user = {user.pk: set(email_hashes(user_addresses(user))) for user in users}
    every_hash = sorted(set().union(*hashes_by_user.values())) if hashes_by_user else []
    found: dict[int, list[SafeguardingRecord]] = {pk: [] for pk in hashes_by_user}
    if not every_hash:
        return found
    for record in _matching(every_hash).order_by("-decided_at", "-pk"):
        record_hashes = {record.email_hash, *record.other_hashes}
        for pk, hashes in hashes_by_user.items():
            if hashes & record_hashes:
                found[pk].append(record)
    return found
