"""Staff accounts: the invitation to set a password, accepting it, and a verified address."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from portal import invitations
from portal.models import User
from portal.services.queueing import enqueue_unless_suppressed
from portal.tasks import send_account_email as send_account_email_task


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
    enqueue_unless_suppressed(send_account_email_task, subject, body, [user.email])


@transaction.atomic
def staff_invitation_accept(*, user: User, password: str) -> User:
    """Set the invited account's password (which ends the invitation: its link stops working)
    and verify its address, which the invitation reached."""
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
