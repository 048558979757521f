"""A member's own data: "Download my data" and "Delete my account" (through the privacy
registry, for every app's share)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from portal import privacy, safeguarding, selectors
from portal.models import Block, Connection, ConnectionRequest, MemberProfile, Message, Report, User
from portal.services.profiles import delete_photo_files

logger = logging.getLogger(__name__)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def account_export(*, user: User) -> dict[str, Any]:
    """Everything the site holds about the user, as JSON-ready data ("Download my data")."""
    profile = MemberProfile.objects.filter(user=user).first()
    membership = selectors.membership_for(user)
    data: dict[str, Any] = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "given_names": user.first_name,
            "family_name": user.last_name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
        },
        "membership": None,
        "profile": None,
    }
    if membership is not None:
        data["membership"] = {
            "status": membership.status,
            "reason_for_joining": membership.reason,
            "applied_at": _iso(membership.applied_at),
            "terms_accepted_at": _iso(membership.terms_accepted_at),
            "decisions": [
                {"action": d.action, "note": d.note, "at": _iso(d.created_at)}
                for d in user.membership_decisions.order_by("created_at")
            ],
            "earlier_applications": [
                {
                    "organisation": e.organisation,
                    "job_title": e.job_title,
                    "sector": e.sector,
                    "country": e.country,
                    "reason_for_joining": e.reason,
                    "submitted_at": _iso(e.submitted_at),
                }
                for e in membership.earlier_applications.order_by("submitted_at", "pk")
            ],
        }
    if profile is not None:
        data["profile"] = {
            "organisation": profile.organisation,
            "job_title": profile.job_title,
            "sector": profile.sector,
            "country": profile.country,
            "bio": profile.bio,
            "expertise": sorted(profile.expertise.names()),
            "phone": profile.phone,
            "website": profile.website,
            "linkedin": profile.linkedin,
            "show_email": profile.show_email,
            "contact_visibility": profile.contact_visibility,
            "has_photo": bool(profile.photo_key),
            "notifications": {
                "new_requests": profile.email_on_request,
                "accepted_requests": profile.email_on_accept,
                "new_messages": profile.email_on_message,
            },
        }
    data["connections"] = [
        {"name": c.peer.get_full_name(), "since": _iso(c.created_at)}
        for c in Connection.objects.filter(user=user).select_related("peer")
    ]
    data["connection_requests"] = [
        {
            "direction": "sent" if r.sender_id == user.pk else "received",
            "other": (r.recipient if r.sender_id == user.pk else r.sender).get_full_name(),
            "note": r.note,
            "status": r.status,
            "at": _iso(r.created_at),
        }
        for r in ConnectionRequest.objects.filter(Q(sender=user) | Q(recipient=user))
        .select_related("sender", "recipient")
        .order_by("created_at")
    ]
    data["blocked_members"] = [
        b.blocked.get_full_name()
        for b in Block.objects.filter(blocker=user).select_related("blocked")
    ]
    data["messages"] = [
        {
            "direction": "sent" if m.sender_id == user.pk else "received",
            "with": _message_peer_name(m, user),
            "body": m.body,
            "at": _iso(m.created_at),
            "read_at": _iso(m.read_at),
        }
        for m in Message.objects.filter(Q(sender=user) | Q(recipient=user))
        .select_related("sender", "recipient")
        .order_by("created_at", "pk")
    ]
    data["reports_made"] = [
        {"reason": r.reason, "details": r.details, "at": _iso(r.created_at), "status": r.status}
        for r in Report.objects.filter(reporter=user)
    ]
    for handler in privacy.handlers():
        data[handler.name] = handler.exporter(user)
    return data


def _message_peer_name(message: Message, user: User) -> str:
    other = message.recipient if message.sender_id == user.pk else message.sender
    return other.get_full_name() if other else "A former member"


class ErasureRefused(ValidationError):
    """The member may not erase their account themselves now; staff can."""


@transaction.atomic
def account_delete(*, user: User, erased_by: User | None = None) -> None:
    """Erase the account for good: every app's personal data (through the privacy registry),
    the profile and photo, connections, requests and blocks. Messages the user exchanged stay
    with the other member, with the user's side anonymised ("A former member").

    What stays is the safeguarding record (see `portal.safeguarding`): the keyed hashes of the
    account's addresses on its records of rejection, suspension or reports, the decisions, and
    the reports (with their copies of shared messages) until the retention period ends.

    A member erases their own account (`erased_by` None) only when they are not suspended and
    no report about them is open (`ErasureRefused`); a member reviewer can erase it for them.
    """
    if user.is_staff or user.is_superuser:
        raise ValidationError("Staff accounts are closed by an administrator.")
    if erased_by is None:
        blocker = selectors.account_self_erasure_blocker(user)
        if blocker is not None:
            logger.info("self-erasure of user %s refused: %s", user.pk, blocker)
            raise ErasureRefused(
                "Your account cannot be deleted from this page now: please ask us.", code=blocker
            )
    elif not erased_by.has_perm("portal.review_membership"):
        raise PermissionDenied("You may not erase members' accounts.")
    safeguarding.records_prepare_for_erasure(user=user)
    user_id = user.pk
    for handler in privacy.handlers():
        handler.eraser(user)
    profile = MemberProfile.objects.filter(user=user).first()
    if profile is not None and profile.photo_key:
        key = profile.photo_key
        transaction.on_commit(lambda: delete_photo_files(key))
    # Foreign keys do the rest: messages and conversations SET_NULL (anonymised), decisions,
    # reports and safeguarding records keep no link to the person, everything else is deleted
    # with the user.
    user.delete()
    logger.info(
        "account of user %s erased by %s",
        user_id,
        f"user {erased_by.pk}" if erased_by is not None else "its owner",
    )
