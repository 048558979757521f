"""Services that send the portal's emails. Celery tasks call them with ids.

Each is idempotent: it locks its row, returns if the email already went, sends, and records
when it was sent, in one transaction (an SMTP failure rolls back and the task retries).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from portal import safeguarding, selectors
from portal.models import (
    ConnectionRequest,
    MemberProfile,
    Membership,
    MembershipDecision,
    Message,
    Report,
    User,
)


def _url(name: str, *args) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def send_templated(*, template: str, to: list[str], context: dict) -> None:
    """Render `portal/email/<template>_subject.txt` and `_message.txt` and send them."""
    context = {
        "reply_to": settings.PORTAL_REPLY_TO_EMAIL,
        "contact_url": settings.SITE_URL + "/contact/",
        "site_url": settings.SITE_URL,
        "site_name": settings.WAGTAIL_SITE_NAME,
        "account_url": _url("portal:account"),
        **context,
    }
    subject = " ".join(render_to_string(f"portal/email/{template}_subject.txt", context).split())
    body = render_to_string(f"portal/email/{template}_message.txt", context)
    send_plain(subject=subject, body=body, to=to)


def send_plain(*, subject: str, body: str, to: list[str], html: str = "") -> None:
    """Send one portal email from `PORTAL_FROM_EMAIL`, with replies going to the mailbox staff
    read (`PORTAL_REPLY_TO_EMAIL`), when there is one."""
    prefix = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX or ""
    if not subject.startswith(prefix):
        subject = prefix + subject
    reply_to = [settings.PORTAL_REPLY_TO_EMAIL] if settings.PORTAL_REPLY_TO_EMAIL else None
    message_class = EmailMultiAlternatives if html else EmailMessage
    message = message_class(subject, body, settings.PORTAL_FROM_EMAIL, to, reply_to=reply_to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@transaction.atomic
def decision_email_send(*, decision_id: int) -> bool:
    """Tell the member about a staff decision (approval, rejection with the note, suspension,
    reinstatement). Returns False when there was nothing to send."""
    decision = (
        MembershipDecision.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None or decision.email_sent_at or decision.user is None:
        return False
    send_templated(
        template=f"decision_{decision.action}",
        to=[decision.user.email],
        context={
            "user": decision.user,
            "note": decision.note,
            "portal_url": _url("portal:home"),
            "profile_url": _url("portal:profile_edit"),
            "code_of_conduct_url": settings.SITE_URL + "/code-of-conduct/",
            "reapply_from": decision.created_at
            + timedelta(days=settings.PORTAL_REAPPLY_AFTER_DAYS),
        },
    )
    decision.email_sent_at = timezone.now()
    decision.save(update_fields=["email_sent_at"])
    return True


@transaction.atomic
def connection_request_email_send(*, request_id: int) -> bool:
    """Tell a member that someone asked to connect, unless they turned these emails off, the
    request is no longer waiting, or a request between the two was already emailed in the last
    `PORTAL_REQUEST_EMAIL_INTERVAL_DAYS` (withdrawing and asking again must not become a way
    to flood someone's inbox: the request still shows in the portal)."""
    request = (
        ConnectionRequest.objects.select_for_update(of=("self",))
        .select_related("sender", "recipient__profile")
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.request_email_sent_at:
        return False
    if request.status != ConnectionRequest.Status.PENDING:
        return False
    profile = getattr(request.recipient, "profile", None)
    if profile is None or not profile.email_on_request:
        return False
    interval = timedelta(days=settings.PORTAL_REQUEST_EMAIL_INTERVAL_DAYS)
    if selectors.pair_request_emailed_since(request=request, since=timezone.now() - interval):
        return False
    send_templated(
        template="connection_request",
        to=[request.recipient.email],
        context={
            "recipient": request.recipient,
            "sender": request.sender,
            "sender_profile": getattr(request.sender, "profile", None),
            "note": request.note,
            "connections_url": _url("portal:connections"),
        },
    )
    request.request_email_sent_at = timezone.now()
    request.save(update_fields=["request_email_sent_at"])
    return True


@transaction.atomic
def connection_accepted_email_send(*, request_id: int) -> bool:
    """Tell the sender that their request was accepted (unless they turned this off)."""
    request = (
        ConnectionRequest.objects.select_for_update(of=("self",))
        .select_related("sender__profile", "recipient__profile")
        .filter(pk=request_id, status=ConnectionRequest.Status.ACCEPTED)
        .first()
    )
    if request is None or request.accept_email_sent_at:
        return False
    profile = getattr(request.sender, "profile", None)
    if profile is None or not profile.email_on_accept:
        return False
    send_templated(
        template="connection_accepted",
        to=[request.sender.email],
        context={
            "sender": request.sender,
            "recipient": request.recipient,
            "profile_url": _url("portal:member", request.recipient.profile.public_id),
        },
    )
    request.accept_email_sent_at = timezone.now()
    request.save(update_fields=["accept_email_sent_at"])
    return True


@transaction.atomic
def message_digest_send(*, user_id: int) -> int:
    """One email about every unread message to the member not yet emailed. Returns how many
    messages it covered (0: nothing sent). Rows are locked, so two digests never double up."""
    profile = MemberProfile.objects.select_related("user").filter(user_id=user_id).first()
    if profile is None or not profile.email_on_message or not profile.user.is_active:
        return 0
    messages = list(
        Message.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(recipient_id=user_id, read_at__isnull=True, email_sent_at__isnull=True)
        # Nothing from a member who has since blocked the recipient, not even their name.
        .exclude(sender__in=selectors.blockers_of(profile.user))
        .select_related("sender")
        .order_by("created_at")
    )
    if not messages:
        return 0
    senders = sorted(
        {m.sender.get_full_name() if m.sender else "A former member" for m in messages}
    )
    send_templated(
        template="message_digest",
        to=[profile.user.email],
        context={
            "user": profile.user,
            "count": len(messages),
            "senders": senders,
            "messages_url": _url("portal:messages"),
        },
    )
    Message.objects.filter(pk__in=[m.pk for m in messages]).update(email_sent_at=timezone.now())
    return len(messages)


def _reviewer_emails() -> list[str]:
    users = User.objects.filter(is_active=True).filter(
        groups__name=selectors.REVIEWERS_GROUP
    ) | User.objects.filter(is_active=True, is_superuser=True)
    return sorted(set(users.values_list("email", flat=True)))


def reviewers_new_application_send(*, membership_id: int) -> bool:
    """Tell the member reviewers that an application entered the queue."""
    membership = Membership.objects.select_related("user__profile").filter(pk=membership_id).first()
    recipients = _reviewer_emails()
    if membership is None or membership.status != Membership.Status.PENDING or not recipients:
        return False
    send_templated(
        template="reviewers_new_application",
        to=recipients,
        context={
            "membership": membership,
            "review_url": _url("portal_admin:application", membership.pk),
            "queue_size": selectors.pending_applications().count(),
            "flagged": bool(safeguarding.records_matching(membership.user)),
        },
    )
    return True


@transaction.atomic
def report_closed_email_send(*, report_id: int) -> bool:
    """Tell the reporter that their report is closed, and nothing of what was done or to whom.
    Returns False when there is nobody to tell (an erased reporter) or it was already sent."""
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("reporter")
        .filter(pk=report_id, status=Report.Status.RESOLVED)
        .first()
    )
    if report is None or report.reporter_notified_at or report.reporter is None:
        return False
    send_templated(
        template="report_closed",
        to=[report.reporter.email],
        context={"user": report.reporter, "report": report},
    )
    report.reporter_notified_at = timezone.now()
    report.save(update_fields=["reporter_notified_at"])
    return True


def reviewers_new_report_send(*, report_id: int) -> bool:
    """Tell the member reviewers that a member was reported (no details in the email)."""
    report = Report.objects.filter(pk=report_id, status=Report.Status.OPEN).first()
    recipients = _reviewer_emails()
    if report is None or not recipients:
        return False
    send_templated(
        template="reviewers_new_report",
        to=recipients,
        context={"report": report, "report_url": _url("portal_admin:report", report.pk)},
    )
    return True
