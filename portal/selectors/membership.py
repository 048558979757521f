"""Who is a member: the one rule of who sees members' content, where an application stands,
the review queue, and whether a member may erase their own account."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from portal import access, mfa
from portal.models import Membership, Report, User

MEMBERS_GROUP = "Members"
REVIEWERS_GROUP = "Member reviewers"


def user_is_approved_member(user: User | AnonymousUser) -> bool:
    """True for an active account in the Members group (staff approved it and it is not suspended).

    This is the one rule of who sees members' content: every portal view, the members-only
    posts of every listing, feed and search, and the header go through it. Accounts that can
    open Wagtail's admin also count (they review members-only content), but only from a session
    that passed their second factor: a staff password alone shows nothing a member would see.
    What the account may open is read in one query, cached on the user object for the request.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if access.can_open_admin(user):
        return mfa.session_passed_second_factor(user)
    return MEMBERS_GROUP in access.access_of(user).groups


def user_has_member_profile(user: User | AnonymousUser) -> bool:
    """True for an approved member who can take part: connect, message, block and report.

    Staff without a member profile may browse the directory but not take part.
    """
    return user_is_approved_member(user) and access.access_of(user).has_profile


def email_taken_by_another(*, email: str, user: User) -> bool:
    """Whether an account other than `user`'s signs in with, or has confirmed, this address."""
    from allauth.account.models import EmailAddress

    return (
        User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()
        or EmailAddress.objects.filter(email__iexact=email, verified=True)
        .exclude(user=user)
        .exists()
    )


def membership_for(user: User) -> Membership | None:
    return Membership.objects.filter(user=user).first()


def pending_applications() -> QuerySet[Membership]:
    """The review queue: verified applicants waiting for a decision, oldest first."""
    return (
        Membership.objects.filter(status=Membership.Status.PENDING)
        .select_related("user__profile")
        .order_by("submitted_at", "pk")
    )


def reapply_available_from(membership: Membership) -> datetime | None:
    """When a rejected applicant may apply again (`PORTAL_REAPPLY_AFTER_DAYS` after the
    rejection), or None if the membership is not rejected."""
    if membership.status != Membership.Status.REJECTED:
        return None
    decided = membership.decided_at or membership.submitted_at or membership.applied_at
    return decided + timedelta(days=settings.PORTAL_REAPPLY_AFTER_DAYS)


def account_self_erasure_blocker(user: User) -> str | None:
    """Why the member cannot erase their own account now, or None if they can:
    "suspended" while their membership is suspended, "under_review" while a report about them
    is open. Staff erase such accounts on request (`services.account_delete`)."""
    if Membership.objects.filter(user=user, status=Membership.Status.SUSPENDED).exists():
        return "suspended"
    if Report.objects.filter(reported=user, status=Report.Status.OPEN).exists():
        return "under_review"
    return None
