"""Loading the member portal's demo people from `content/members.toml`: members, an applicant, a
member reviewer, a connection and a conversation. Idempotent: running it again changes nothing.

The members-only "Member resources" page is a page of the public site: the blog's demo loads it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.core.management.base import OutputWrapper
from django.core.management.color import Style
from django.utils import timezone

from icmec.demo import read_content
from portal import selectors, services
from portal.models import (
    Connection,
    Conversation,
    MemberProfile,
    Membership,
    MembershipDecision,
    Message,
    User,
)

CONTENT = read_content(Path(__file__).resolve().parent / "content" / "members.toml")
DEMO_PASSWORD: str = CONTENT["password"]
MEMBERS: list[dict[str, Any]] = CONTENT["member"]
APPLICANT: dict[str, Any] = CONTENT["applicant"]
REVIEWER_EMAIL: str = CONTENT["reviewer"]["email"]
APPLICATION_FIELDS = ("organisation", "job_title", "sector", "country")

# The permissions migration 0004 gives the "Member reviewers" group.
REVIEWER_PERMISSIONS = [
    ("wagtailadmin", "access_admin"),
    ("portal", "review_membership"),
    ("portal", "handle_report"),
    ("portal", "change_memberprofile"),
]


def _account(email: str, first_name: str, last_name: str, **extra: Any) -> tuple[User, bool]:
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name, **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user, True


def ensure_reviewers_group() -> Group:
    """The "Member reviewers" group with its permissions (a flushed test database loses the
    data migration's rows)."""
    group, _ = Group.objects.get_or_create(name=selectors.REVIEWERS_GROUP)
    if group.permissions.count() < len(REVIEWER_PERMISSIONS):
        for app_label, codename in REVIEWER_PERMISSIONS:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    return group


def _reviewer() -> User:
    spec = CONTENT["reviewer"]
    user, _ = _account(spec["email"], spec["first_name"], spec["last_name"], is_staff=True)
    user.groups.add(ensure_reviewers_group())
    return User.objects.get(pk=user.pk)  # fresh permission caches


def _member(data: dict[str, Any], reviewer: User) -> User:
    user, created = _account(data["email"], data["first_name"], data["last_name"])
    if not created:
        return user
    services.application_create(
        user=user,
        **{name: data[name] for name in APPLICATION_FIELDS},
        reason=CONTENT["member_reason"],
    )
    services.application_submit(user=user)
    membership = Membership.objects.get(user=user)
    services.membership_decide(
        membership_id=membership.pk,
        action=MembershipDecision.Action.APPROVE,
        decided_by=reviewer,
        note=CONTENT["approval_note"],
    )
    profile = MemberProfile.objects.get(user=user)
    services.profile_update(
        profile=profile,
        first_name=data["first_name"],
        last_name=data["last_name"],
        expertise=data["expertise"],
        bio=data["bio"],
        contact_visibility=MemberProfile.ContactVisibility.MEMBERS,
    )
    return user


def _conversation(first: User, second: User) -> None:
    if Connection.objects.filter(user=first, peer=second).exists():
        return
    spec = CONTENT["conversation"]
    request = services.connection_request_send(sender=first, recipient=second, note=spec["note"])
    services.connection_request_accept(user=second, request_id=request.pk)
    low, high = sorted([first.pk, second.pk])
    if Conversation.objects.filter(user_low_id=low, user_high_id=high).exists():
        return
    sender, recipient = first, second
    for body in spec["messages"]:
        message = services.message_send(sender=sender, recipient=recipient, body=body)
        sender, recipient = recipient, sender
    # Mark the demo thread as read and already emailed so no digest goes out for it.
    Message.objects.filter(conversation=message.conversation).update(
        read_at=timezone.now(), email_sent_at=timezone.now()
    )


def _applicant() -> None:
    applicant, created = _account(
        APPLICANT["email"], APPLICANT["first_name"], APPLICANT["last_name"]
    )
    if not created:
        return
    services.application_create(
        user=applicant,
        **{name: APPLICANT[name] for name in APPLICATION_FIELDS},
        reason=APPLICANT["reason"],
    )
    services.application_submit(user=applicant)
    Membership.objects.filter(user=applicant).update(
        submitted_at=timezone.now() - timedelta(days=1)
    )


def load(*, stdout: OutputWrapper, style: Style) -> None:
    """Create the missing demo people; nobody is emailed (see below)."""
    # The demo's people are made up: nobody is emailed about their applications, decisions,
    # requests or messages.
    with services.notifications_suppressed():
        _load(stdout=stdout, style=style)


def _load(*, stdout: OutputWrapper, style: Style) -> None:
    reviewer = _reviewer()
    created_any = not User.objects.filter(email=MEMBERS[0]["email"]).exists()
    users = [_member(data, reviewer) for data in MEMBERS]
    _conversation(users[0], users[1])
    _applicant()
    if created_any:
        stdout.write(
            style.SUCCESS(
                f"Demo members (password for all: {DEMO_PASSWORD}): "
                + ", ".join(data["email"] for data in MEMBERS)
                + f". Pending applicant: {APPLICANT['email']}. Member reviewer (staff, sets up "
                f"two-factor authentication on first admin visit): {REVIEWER_EMAIL}."
            )
        )
