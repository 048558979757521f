"""Applications and vetting: a new applicant's answers, the review queue, applying again after
a rejection, and the staff's decisions (approve, reject, suspend, reinstate)."""

from __future__ import annotations

import logging
from typing import TypedDict, Unpack

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from portal import access, safeguarding, selectors
from portal.models import (
    EarlierApplication,
    MemberProfile,
    Membership,
    MembershipDecision,
    SafeguardingRecord,
    Sector,
    User,
)
from portal.services.profiles import profile_reindex
from portal.services.queueing import enqueue_unless_suppressed
from portal.tasks import notify_reviewers_of_application as notify_reviewers_of_application_task
from portal.tasks import send_decision_email as send_decision_email_task

logger = logging.getLogger(__name__)


# What an applicant answers, at sign-up and when applying again.
class ApplicationAnswers(TypedDict):
    """What an applicant answers, on sign-up and when applying again."""

    organisation: str
    job_title: str
    sector: str
    country: str
    reason: str


APPLICATION_FIELDS = tuple(ApplicationAnswers.__annotations__)


def _members_group() -> Group:
    group, _ = Group.objects.get_or_create(name=selectors.MEMBERS_GROUP)
    return group


# --- Applications and vetting -------------------------------------------------------------


@transaction.atomic
def application_create(*, user: User, **answers: Unpack[ApplicationAnswers]) -> Membership:
    """Record a new applicant's answers: their membership (waiting for email verification) and
    the profile that other members will see once staff approve them."""
    organisation, job_title = answers["organisation"], answers["job_title"]
    sector, country, reason = answers["sector"], answers["country"], answers["reason"]
    if sector not in Sector.values:
        raise ValidationError({"sector": "Choose a sector from the list."})
    profile = MemberProfile.objects.create(
        user=user, organisation=organisation, job_title=job_title, sector=sector, country=country
    )
    profile_reindex(profile=profile)
    return Membership.objects.create(user=user, reason=reason, terms_accepted_at=timezone.now())


@transaction.atomic
def application_submit(*, user: User) -> Membership | None:
    """Put an applicant in the review queue once they have verified their email address.

    Safe to call again: only an application still waiting for verification moves.
    """
    updated = Membership.objects.filter(user=user, status=Membership.Status.UNVERIFIED).update(
        status=Membership.Status.PENDING, submitted_at=timezone.now()
    )
    membership = selectors.membership_for(user)
    if updated and membership is not None:
        logger.info("application %s entered the review queue (user %s)", membership.pk, user.pk)
        enqueue_unless_suppressed(notify_reviewers_of_application_task, membership.pk)
    return membership


@transaction.atomic
def application_reapply(*, user: User, **answers: Unpack[ApplicationAnswers]) -> Membership:
    """Apply again after a rejection, once `PORTAL_REAPPLY_AFTER_DAYS` have passed.

    The rejected answers are kept as an `EarlierApplication` (with the decision), so that the
    reviewer sees what was asked and decided before; the new answers go to the review queue.
    """
    organisation, job_title = answers["organisation"], answers["job_title"]
    sector, country, reason = answers["sector"], answers["country"], answers["reason"]
    membership = Membership.objects.select_for_update().filter(user=user).first()
    if membership is None or membership.status != Membership.Status.REJECTED:
        raise ValidationError("Only a rejected application can be made again.")
    available = selectors.reapply_available_from(membership)
    if available is not None and timezone.now() < available:
        raise ValidationError(
            f"You can apply again from {timezone.localdate(available):%-d %B %Y}."
        )
    if sector not in Sector.values:
        raise ValidationError({"sector": "Choose a sector from the list."})
    profile = MemberProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:  # an account given a membership by hand, without the sign-up's answers
        profile = MemberProfile(user=user, sector=sector, country=country)
    rejection = (
        MembershipDecision.objects.filter(user=user, action=MembershipDecision.Action.REJECT)
        .order_by("-created_at", "-pk")
        .first()
    )
    EarlierApplication.objects.create(
        membership=membership,
        organisation=profile.organisation,
        job_title=profile.job_title,
        sector=profile.sector,
        country=profile.country,
        reason=membership.reason,
        submitted_at=membership.submitted_at,
        decision=rejection,
    )
    profile.organisation, profile.job_title = organisation.strip(), job_title.strip()
    profile.sector, profile.country = sector, country
    profile.save()
    profile_reindex(profile=profile)
    now = timezone.now()
    membership.reason = reason.strip()
    membership.status = Membership.Status.PENDING
    membership.applied_at = now
    membership.submitted_at = now
    membership.save(update_fields=["reason", "status", "applied_at", "submitted_at"])

    logger.info("application %s made again (user %s)", membership.pk, user.pk)
    enqueue_unless_suppressed(notify_reviewers_of_application_task, membership.pk)
    return membership


_TRANSITIONS = {
    MembershipDecision.Action.APPROVE: (
        {Membership.Status.PENDING, Membership.Status.REJECTED},
        Membership.Status.APPROVED,
    ),
    MembershipDecision.Action.REJECT: ({Membership.Status.PENDING}, Membership.Status.REJECTED),
    MembershipDecision.Action.SUSPEND: (
        {Membership.Status.APPROVED},
        Membership.Status.SUSPENDED,
    ),
    MembershipDecision.Action.REINSTATE: (
        {Membership.Status.SUSPENDED},
        Membership.Status.APPROVED,
    ),
}


_RECORD_KIND: dict[str, SafeguardingRecord.Kind] = {
    MembershipDecision.Action.REJECT: SafeguardingRecord.Kind.REJECTED,
    MembershipDecision.Action.SUSPEND: SafeguardingRecord.Kind.SUSPENDED,
}


@transaction.atomic
def membership_decide(
    *,
    membership_id: int,
    action: str,
    decided_by: User,
    note: str = "",
    override_note: str = "",
) -> MembershipDecision:
    """Approve, reject, suspend or reinstate a member; record who, when and why; email them.

    Approval and reinstatement add the user to the Members group; suspension removes them, so
    they vanish from the directory and lose access at once. A rejection or a suspension needs a
    note: it is sent to the member, and kept with the safeguarding record (which outlives the
    account). An applicant who matches a safeguarding record (an earlier rejection, suspension
    or report of the same address) is approved only with an `override_note` saying why.
    """
    if not decided_by.has_perm("portal.review_membership"):
        raise PermissionDenied("You may not vet members.")
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership_id)
    try:
        allowed_from, new_status = _TRANSITIONS[MembershipDecision.Action(action)]
    except ValueError as exc:
        raise ValidationError("Unknown decision.") from exc
    if membership.status not in allowed_from:
        raise ValidationError(
            f"This membership is {membership.get_status_display().lower()}: it cannot be "
            f"{MembershipDecision.Action(action).label.lower()} now."
        )
    note = note.strip()
    if action in (MembershipDecision.Action.REJECT, MembershipDecision.Action.SUSPEND) and not (
        note
    ):
        raise ValidationError({"note": "Please give the reason: the member will read it."})
    if membership.user_id == decided_by.pk:
        raise ValidationError("You cannot decide on your own membership.")
    override_note = override_note.strip()
    if action == MembershipDecision.Action.APPROVE:
        if safeguarding.records_matching(membership.user) and not override_note:
            raise ValidationError(
                {
                    "override_note": "This applicant matches an earlier safeguarding decision. "
                    "To approve them anyway, say why."
                }
            )
    else:
        override_note = ""

    now = timezone.now()
    membership.status = new_status
    membership.decided_at = now
    membership.save(update_fields=["status", "decided_at"])
    group = _members_group()
    if new_status == Membership.Status.APPROVED:
        membership.user.groups.add(group)
    else:
        membership.user.groups.remove(group)
    # The group change relists the profile in this transaction (`portal.signals`): a suspended
    # member is gone from every list the moment it commits.
    access.forget_access(membership.user)
    record = None
    if action in _RECORD_KIND:
        record = safeguarding.record_create(
            user=membership.user, kind=_RECORD_KIND[action], reason=note
        )
    elif action == MembershipDecision.Action.REINSTATE:
        safeguarding.records_lift(user=membership.user, kind=SafeguardingRecord.Kind.SUSPENDED)
    else:
        safeguarding.records_lift(user=membership.user, kind=SafeguardingRecord.Kind.REJECTED)
    decision = MembershipDecision.objects.create(
        user=membership.user,
        action=action,
        note=note,
        override_note=override_note,
        decided_by=decided_by,
        created_at=now,
        safeguarding_record=record,
    )

    logger.info(
        "membership %s: %s by user %s (decision %s%s)",
        membership.pk,
        action,
        decided_by.pk,
        decision.pk,
        ", safeguarding record overridden" if override_note else "",
    )
    enqueue_unless_suppressed(send_decision_email_task, decision.pk)
    return decision
