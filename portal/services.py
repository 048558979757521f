"""Writes of the member portal. Views, forms, admin views and tasks call these.

Every function is keyword-only, validates what it is given, writes in one transaction and
enqueues its emails through the outbox (`outbox.services.enqueue`: written in the same
transaction, handed to Celery after the commit; tasks take ids).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Value
from django.utils import timezone

from outbox.services import enqueue
from portal import access, privacy, safeguarding, selectors
from portal.models import (
    Block,
    Connection,
    ConnectionRequest,
    Conversation,
    EarlierApplication,
    MemberProfile,
    Membership,
    MembershipDecision,
    Message,
    Report,
    ReportedMessage,
    SafeguardingRecord,
    Sector,
    User,
    member_sort_name,
)
from portal.photos import SIZES, reencode_photo, validate_photo

logger = logging.getLogger(__name__)

DECLINE_COOLDOWN = selectors.DECLINE_COOLDOWN


def _photo_storage():
    return storages["member_photos"]


# Set inside `notifications_suppressed()`: services then email nobody.
_notifications_off: ContextVar[bool] = ContextVar("portal_notifications_off", default=False)


@contextmanager
def notifications_suppressed() -> Iterator[None]:
    """Run services without emailing anyone: the demo content's people are made up, and the
    reviewers it creates would otherwise be told of each demo application."""
    token = _notifications_off.set(True)
    try:
        yield
    finally:
        _notifications_off.reset(token)


def _enqueue(task, *args: Any) -> None:
    if _notifications_off.get():
        return
    enqueue(task, *args)


def _members_group() -> Group:
    group, _ = Group.objects.get_or_create(name=selectors.MEMBERS_GROUP)
    return group


# --- Applications and vetting -------------------------------------------------------------


@transaction.atomic
def application_create(
    *,
    user: User,
    organisation: str,
    job_title: str,
    sector: str,
    country: str,
    reason: str,
) -> Membership:
    """Record a new applicant's answers: their membership (waiting for email verification) and
    the profile that other members will see once staff approve them."""
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
        from portal import tasks

        logger.info("application %s entered the review queue (user %s)", membership.pk, user.pk)
        _enqueue(tasks.notify_reviewers_of_application, membership.pk)
    return membership


@transaction.atomic
def application_reapply(
    *,
    user: User,
    organisation: str,
    job_title: str,
    sector: str,
    country: str,
    reason: str,
) -> Membership:
    """Apply again after a rejection, once `PORTAL_REAPPLY_AFTER_DAYS` have passed.

    The rejected answers are kept as an `EarlierApplication` (with the decision), so that the
    reviewer sees what was asked and decided before; the new answers go to the review queue.
    """
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
    from portal import tasks

    logger.info("application %s made again (user %s)", membership.pk, user.pk)
    _enqueue(tasks.notify_reviewers_of_application, membership.pk)
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


_RECORD_KIND = {
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
    from portal import tasks

    logger.info(
        "membership %s: %s by user %s (decision %s%s)",
        membership.pk,
        action,
        decided_by.pk,
        decision.pk,
        ", safeguarding record overridden" if override_note else "",
    )
    _enqueue(tasks.send_decision_email, decision.pk)
    return decision


# --- Profiles -------------------------------------------------------------------------------


def _is_listed():
    """Whether a profile's account is shown to members: active and in the Members group (the
    rule of `selectors.user_is_approved_member`, as SQL on the profile's row)."""
    return Exists(
        User.objects.filter(
            pk=OuterRef("user_id"), is_active=True, groups__name=selectors.MEMBERS_GROUP
        )
    )


def profile_listing_refresh(*, user_ids: Iterable[int]) -> None:
    """Recompute whether these accounts' profiles are listed (`MemberProfile.listed`: shown in
    the directory, as a profile page and as a photo). `portal.signals` calls it in the same
    transaction whenever an account's active flag or groups change, and `portal.wagtail_hooks`
    after the users listing's bulk "set active state" (an `update()`, which sends no signal)."""
    MemberProfile.objects.filter(user_id__in=list(user_ids)).update(listed=_is_listed())


def profiles_listing_rebuild(*, user_ids: Iterable[int] | None = None) -> None:
    """Recompute the directory order (`sort_name`) and `listed` of these accounts' profiles, or
    of every profile: for profiles written in bulk (benchmarks, tests), without their search
    vectors."""
    profiles = MemberProfile.objects.select_related("user").only(
        "pk", "user__first_name", "user__last_name"
    )
    if user_ids is not None:
        user_ids = list(user_ids)
        profiles = profiles.filter(user_id__in=user_ids)
    batch = []
    for profile in profiles.iterator(chunk_size=2000):
        profile.sort_name = member_sort_name(profile.user.first_name, profile.user.last_name)
        batch.append(profile)
    MemberProfile.objects.bulk_update(batch, ["sort_name"], batch_size=2000)
    everyone = MemberProfile.objects.all()
    if user_ids is not None:
        everyone = everyone.filter(user_id__in=user_ids)
    everyone.update(listed=_is_listed())


def profile_reindex(*, profile: MemberProfile) -> None:
    """Recompute what the directory reads of the profile: its full-text vector (name and
    organisation weigh most), its place in the order and whether it is listed."""
    user = profile.user
    tags = " ".join(profile.expertise.names()) if profile.pk else ""
    name = user.get_full_name()
    MemberProfile.objects.filter(pk=profile.pk).update(
        listed=_is_listed(),
        sort_name=member_sort_name(user.first_name, user.last_name),
        search_vector=(
            SearchVector(Value(name), weight="A", config="simple")
            + SearchVector(Value(profile.organisation), weight="A", config="simple")
            + SearchVector(Value(tags), weight="B", config="simple")
            + SearchVector(Value(tags), weight="B", config="english")
            + SearchVector(Value(profile.job_title), weight="C", config="english")
            + SearchVector(Value(profile.bio), weight="D", config="english")
        ),
    )


PROFILE_FIELDS = (
    "organisation",
    "job_title",
    "sector",
    "country",
    "bio",
    "phone",
    "website",
    "linkedin",
    "show_email",
    "contact_visibility",
)


@transaction.atomic
def profile_update(
    *,
    profile: MemberProfile,
    first_name: str,
    last_name: str,
    expertise: list[str],
    **fields: Any,
) -> MemberProfile:
    """Save a member's profile (by the member or by staff) and its search index."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown profile fields: {', '.join(sorted(unknown))}")
    user = profile.user
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.save(update_fields=["first_name", "last_name"])
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    cleaned = sorted({tag.strip()[:100] for tag in expertise if tag.strip()}, key=str.lower)
    profile.expertise.set(cleaned[:20])
    profile_reindex(profile=profile)
    return profile


@transaction.atomic
def profile_photo_set(*, profile: MemberProfile, upload) -> MemberProfile:
    """Validate and re-encode an uploaded photo, store it privately, drop the previous one."""
    validate_photo(upload)
    encoded = reencode_photo(upload)
    storage = _photo_storage()
    old_key = profile.photo_key
    key = uuid.uuid4().hex
    for size, data in encoded.items():
        storage.save(f"{key}-{size}.jpg", ContentFile(data))
    profile.photo_key = key
    profile.save(update_fields=["photo_key", "updated_at"])
    if old_key:
        transaction.on_commit(lambda: _delete_photo_files(old_key))
    return profile


def profile_photo_remove(*, profile: MemberProfile) -> MemberProfile:
    """Remove the member's photo and its files."""
    old_key = profile.photo_key
    profile.photo_key = ""
    profile.save(update_fields=["photo_key", "updated_at"])
    if old_key:
        transaction.on_commit(lambda: _delete_photo_files(old_key))
    return profile


def _delete_photo_files(key: str) -> None:
    storage = _photo_storage()
    for size in SIZES:
        storage.delete(f"{key}-{size}.jpg")


def notification_preferences_update(
    *, profile: MemberProfile, email_on_request: bool, email_on_accept: bool, email_on_message: bool
) -> MemberProfile:
    """Turn each kind of notification email on or off."""
    profile.email_on_request = email_on_request
    profile.email_on_accept = email_on_accept
    profile.email_on_message = email_on_message
    profile.save(update_fields=["email_on_request", "email_on_accept", "email_on_message"])
    return profile


# --- Connections ----------------------------------------------------------------------------


def _require_participant(user: User) -> None:
    if not selectors.user_has_member_profile(user):
        raise PermissionDenied("Only approved members can do this.")


def _require_visible_peer(user: User, other: User) -> None:
    if other.pk == user.pk:
        raise ValidationError("You cannot do this with yourself.")
    visible = selectors.approved_profiles().filter(user=other).exists()
    if not visible or selectors.is_blocked_either_way(user, other):
        raise ValidationError("This member is not available.")


@transaction.atomic
def connection_request_send(*, sender: User, recipient: User, note: str = "") -> ConnectionRequest:
    """Ask another member to connect. One open request per pair; none to or from a blocked
    member; after a decline, the same sender may ask again only after 30 days; at most
    `PORTAL_CONNECTION_REQUESTS_PER_DAY` requests (withdrawn ones included) in 24 hours. The
    recipient is emailed at most once per pair in `PORTAL_REQUEST_EMAIL_INTERVAL_DAYS` (see
    `notifications.connection_request_email_send`)."""
    _require_participant(sender)
    _require_visible_peer(sender, recipient)
    # One sender's requests one at a time, so two at once cannot both slip under the cap.
    User.objects.select_for_update().filter(pk=sender.pk).first()
    cap = settings.PORTAL_CONNECTION_REQUESTS_PER_DAY
    day_ago = timezone.now() - timedelta(days=1)
    if selectors.requests_sent_since(sender=sender, since=day_ago) >= cap:
        raise ValidationError(
            f"You have sent {cap} connection requests in the last 24 hours, the most a member "
            "can send in a day. Please try again tomorrow."
        )
    if selectors.are_connected(sender, recipient):
        raise ValidationError("You are already connected.")
    pending = ConnectionRequest.objects.filter(
        Q(sender=sender, recipient=recipient) | Q(sender=recipient, recipient=sender),
        status=ConnectionRequest.Status.PENDING,
    ).first()
    if pending is not None:
        if pending.sender_id == sender.pk:
            raise ValidationError("Your request is already waiting for an answer.")
        raise ValidationError("This member has already asked to connect with you: answer it.")
    declined_at = selectors.last_declined_at(sender=sender, recipient=recipient)
    if declined_at and timezone.now() - declined_at < DECLINE_COOLDOWN:
        again = timezone.localdate(declined_at + DECLINE_COOLDOWN)
        raise ValidationError(
            f"This member declined your last request. You can ask again from {again:%-d %B %Y}."
        )
    try:
        with transaction.atomic():
            request = ConnectionRequest.objects.create(
                sender=sender, recipient=recipient, note=note.strip()[:1000]
            )
    except IntegrityError as exc:  # a request crossed ours
        raise ValidationError("A request between you is already waiting for an answer.") from exc
    from portal import tasks

    _enqueue(tasks.send_connection_request_email, request.pk)
    return request


def _respond(*, user: User, request_id: int, as_recipient: bool) -> ConnectionRequest:
    filters = {"recipient": user} if as_recipient else {"sender": user}
    request = (
        ConnectionRequest.objects.select_for_update()
        .filter(pk=request_id, status=ConnectionRequest.Status.PENDING, **filters)
        .first()
    )
    if request is None:
        raise ValidationError("This request is no longer waiting for an answer.")
    return request


@transaction.atomic
def connection_request_accept(*, user: User, request_id: int) -> Connection:
    """Accept a request made to `user`: the two become connected and the sender is told."""
    _require_participant(user)
    request = _respond(user=user, request_id=request_id, as_recipient=True)
    _require_visible_peer(user, request.sender)
    request.status = ConnectionRequest.Status.ACCEPTED
    request.responded_at = timezone.now()
    request.save(update_fields=["status", "responded_at"])
    connection, _ = Connection.objects.get_or_create(user=user, peer=request.sender)
    Connection.objects.get_or_create(user=request.sender, peer=user)
    from portal import tasks

    _enqueue(tasks.send_connection_accepted_email, request.pk)
    return connection


@transaction.atomic
def connection_request_decline(*, user: User, request_id: int) -> ConnectionRequest:
    """Decline a request made to `user`. The sender is not emailed."""
    request = _respond(user=user, request_id=request_id, as_recipient=True)
    request.status = ConnectionRequest.Status.DECLINED
    request.responded_at = timezone.now()
    request.save(update_fields=["status", "responded_at"])
    return request


@transaction.atomic
def connection_request_withdraw(*, user: User, request_id: int) -> ConnectionRequest:
    """Withdraw a request that `user` sent and that is still waiting."""
    request = _respond(user=user, request_id=request_id, as_recipient=False)
    request.status = ConnectionRequest.Status.WITHDRAWN
    request.responded_at = timezone.now()
    request.save(update_fields=["status", "responded_at"])
    return request


@transaction.atomic
def connection_remove(*, user: User, peer: User) -> None:
    """End a connection, from either side. Their conversation stays, read-only."""
    deleted, _ = Connection.objects.filter(
        Q(user=user, peer=peer) | Q(user=peer, peer=user)
    ).delete()
    if not deleted:
        raise ValidationError("You are not connected with this member.")


@transaction.atomic
def member_block(*, blocker: User, blocked: User) -> Block:
    """Block a member: it ends any connection and open request between the two, and neither
    can find, ask or message the other any more."""
    if blocker.pk == blocked.pk:
        raise ValidationError("You cannot block yourself.")
    _require_participant(blocker)
    block, _ = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    Connection.objects.filter(
        Q(user=blocker, peer=blocked) | Q(user=blocked, peer=blocker)
    ).delete()
    ConnectionRequest.objects.filter(
        Q(sender=blocker, recipient=blocked) | Q(sender=blocked, recipient=blocker),
        status=ConnectionRequest.Status.PENDING,
    ).update(status=ConnectionRequest.Status.WITHDRAWN, responded_at=timezone.now())
    access.forget_access(blocker, blocked)
    return block


def member_unblock(*, blocker: User, blocked: User) -> None:
    """Lift a block. The connection it ended is not restored."""
    Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    access.forget_access(blocker, blocked)


@transaction.atomic
def member_report(
    *, reporter: User, reported: User, reason: str, details: str, share_conversation: bool
) -> Report:
    """Report a member to staff. The reporter may share their conversation with them, which is
    the only way staff can read it: the messages are copied as they are now, so staff never see
    what was written after the report, and the copy survives either side's erasure.

    The report is linked to a safeguarding record of the reported person (and grouped with the
    other reports about them by the hash of their address), which outlives both accounts."""
    _require_participant(reporter)
    if reporter.pk == reported.pk:
        raise ValidationError("You cannot report yourself.")
    if reason not in Report.Reason.values:
        raise ValidationError({"reason": "Choose a reason from the list."})
    if not details.strip():
        raise ValidationError({"details": "Tell us what happened."})
    conversation = (
        selectors.conversation_between(reporter, reported) if share_conversation else None
    )
    record = safeguarding.record_create(
        user=reported, kind=SafeguardingRecord.Kind.REPORTED, reason=Report.Reason(reason).label
    )
    report = Report.objects.create(
        reporter=reporter,
        reported=reported,
        reason=reason,
        details=details.strip(),
        conversation_shared=conversation is not None,
        subject_hash=record.email_hash,
        safeguarding_record=record,
    )
    if conversation is not None:
        ReportedMessage.objects.bulk_create(
            ReportedMessage(
                report=report,
                from_reported=message.sender_id == reported.pk,
                body=message.body,
                sent_at=message.created_at,
            )
            for message in selectors.thread_messages(conversation).filter(
                created_at__lte=report.created_at
            )
        )
    from portal import tasks

    logger.info(
        "report %s made by user %s about user %s (safeguarding record %s)",
        report.pk,
        reporter.pk,
        reported.pk,
        record.pk,
    )
    _enqueue(tasks.notify_reviewers_of_report, report.pk)
    return report


@transaction.atomic
def report_resolve(*, report_id: int, resolved_by: User, note: str) -> Report:
    """Close a report with a note of what staff did. The reporter is emailed that it is closed
    (never what was done, nor to whom)."""
    if not resolved_by.has_perm("portal.handle_report"):
        raise PermissionDenied("You may not handle reports.")
    report = Report.objects.select_for_update().get(pk=report_id)
    if report.status != Report.Status.OPEN:
        raise ValidationError("This report is already resolved.")
    if not note.strip():
        raise ValidationError({"note": "Say what was done."})
    report.status = Report.Status.RESOLVED
    report.resolved_by = resolved_by
    report.resolved_at = timezone.now()
    report.resolution_note = note.strip()
    report.save()
    from portal import tasks

    logger.info("report %s resolved by user %s", report.pk, resolved_by.pk)
    _enqueue(tasks.send_report_closed_email, report.pk)
    return report


# --- Messages -------------------------------------------------------------------------------


@transaction.atomic
def message_send(*, sender: User, recipient: User, body: str) -> Message:
    """Send a private message to a connection. Emails are batched (see `message_digest_send`)."""
    _require_participant(sender)
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write a message first."})
    if len(body) > 5000:
        raise ValidationError({"body": "Messages are limited to 5,000 characters."})
    if selectors.is_blocked_either_way(sender, recipient):
        raise ValidationError("You cannot message this member.")
    if not selectors.are_connected(sender, recipient):
        raise ValidationError("You can only message your connections.")
    _require_visible_peer(sender, recipient)
    low, high = sorted([sender.pk, recipient.pk])
    conversation, _ = Conversation.objects.get_or_create(user_low_id=low, user_high_id=high)
    now = timezone.now()
    message = Message.objects.create(
        conversation=conversation, sender=sender, recipient=recipient, body=body, created_at=now
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=now)
    return message


def conversation_mark_read(*, conversation: Conversation, user: User) -> int:
    """Mark every message to `user` in the conversation as read; returns how many changed."""
    return Message.objects.filter(
        conversation=conversation, recipient=user, read_at__isnull=True
    ).update(read_at=timezone.now())


# --- Privacy --------------------------------------------------------------------------------


def _iso(value) -> str | None:
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
                for address in user.emailaddress_set.all()
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
        transaction.on_commit(lambda: _delete_photo_files(key))
    # Foreign keys do the rest: messages and conversations SET_NULL (anonymised), decisions,
    # reports and safeguarding records keep no link to the person, everything else is deleted
    # with the user.
    user.delete()
    logger.info(
        "account of user %s erased by %s",
        user_id,
        f"user {erased_by.pk}" if erased_by is not None else "its owner",
    )


# --- Notification digests -------------------------------------------------------------------


def message_digest_recipients(*, older_than: timedelta) -> list[int]:
    """Ids of members with unread messages not yet emailed, the newest older than the grace
    period (so a conversation in full flow is not interrupted by email)."""
    cutoff = timezone.now() - older_than
    return list(
        Message.objects.filter(
            read_at__isnull=True,
            email_sent_at__isnull=True,
            recipient__isnull=False,
            created_at__lte=cutoff,
            recipient__profile__email_on_message=True,
        )
        .order_by()
        .values_list("recipient", flat=True)
        .distinct()
    )


# --- Staff accounts -------------------------------------------------------------------------


def _verify_primary_email(user: User) -> None:
    """Record the account's address as its verified, primary one (allauth's EmailAddress)."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(primary=False)
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    elif not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])


@transaction.atomic
def staff_invitation_send(*, user: User, invited_by: User | None = None) -> None:
    """Email `user` a link to set their password, which also verifies their address and leads
    on to setting up the authenticator app. Accounts made in Wagtail's admin have no password
    until then.

    Any earlier link of this account stops working (the unusable password is replaced, and the
    link carries a fingerprint of it). The email is rendered now and leaves through the account
    email task after the transaction commits.
    """
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.urls import reverse

    from portal import invitations, tasks

    user.set_unusable_password()
    user.save(update_fields=["password"])
    link = settings.SITE_URL + reverse(
        "portal:staff_invitation", args=[invitations.invitation_token(user)]
    )
    context = {
        "user": user,
        "invited_by": invited_by.get_full_name() if invited_by else "",
        "link": link,
        "days": settings.PORTAL_STAFF_INVITATION_DAYS,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "site_url": settings.SITE_URL,
    }
    subject = " ".join(
        render_to_string("portal/email/staff_invitation_subject.txt", context).split()
    )
    body = render_to_string("portal/email/staff_invitation_message.txt", context)
    _enqueue(tasks.send_account_email, subject, body, [user.email])


@transaction.atomic
def staff_invitation_accept(*, user: User, password: str) -> User:
    """Set the invited account's password (which ends the invitation: its link stops working)
    and verify its address, which the invitation reached."""
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])
    _verify_primary_email(user)
    return user


def staff_email_verify(*, user: User) -> None:
    """Mark a staff account's address verified: the address was typed by someone who can
    already do anything here (`createsuperuser`, the demo content), and allauth's mandatory
    verification would otherwise stop the first login with a member's "check your email" page."""
    _verify_primary_email(user)
