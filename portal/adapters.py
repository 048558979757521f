"""The allauth account adapter: where sign-up, verification and account emails meet the portal."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from icmec.clientip import client_ip
from outbox.services import enqueue
from portal import mfa, selectors, services
from portal.tasks import send_account_email as send_account_email_task


@dataclass(frozen=True)
class SiteIdentity:
    """What allauth's templates call `current_site`: the organisation's name and public address.

    Without Django's sites framework allauth names the site after the request's host ("Hello from
    127.0.0.1:8000!"); every email names the organisation and SITE_URL's host instead.
    """

    name: str
    domain: str


def site_identity() -> SiteIdentity:
    return SiteIdentity(name=settings.WAGTAIL_SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """The client's address for allauth's rate limits and the sessions list: the project's
        one rule (`TRUSTED_PROXIES`), instead of allauth's count of proxies."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def get_login_redirect_url(self, request) -> str:
        """Staff land in the admin (which first has them set up or enter their second factor);
        members and applicants in the portal."""
        if mfa.can_open_admin(request.user):
            return reverse("wagtailadmin_home")
        return super().get_login_redirect_url(request)

    def get_reauthentication_methods(self, user) -> list[dict]:
        """Who has an authenticator app re-authenticates with it (or a recovery code): their
        password or an emailed code alone is not enough for a sensitive change. allauth's
        password and code pages send them to the code page, as they are not offered."""
        methods = super().get_reauthentication_methods(user)
        if user.is_authenticated and mfa.has_authenticator(user):
            return [method for method in methods if method["id"].startswith("mfa_")]
        return methods

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A sign-in moments ago is as fresh as a re-authentication: right after logging in
        (or accepting an invitation) nobody is asked for their password again, e.g. to set up
        the authenticator app. allauth counts only explicit re-authentications; for an account
        with an authenticator, only a second factor counts (see `mfa.authenticated_recently`)."""
        request = self.request
        if (
            request is not None
            and request.user.is_authenticated
            and mfa.authenticated_recently(
                request, request.user, within=account_settings.REAUTHENTICATION_TIMEOUT
            )
        ):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def save_user(self, request, user, form, commit=True):
        """Save the new account and record the application's answers with it."""
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=True)
            data = form.cleaned_data
            if "organisation" in data:  # the portal's sign-up form (not a staff-made account)
                services.application_create(
                    user=user, **{name: data[name] for name in services.APPLICATION_FIELDS}
                )
        return user

    def confirm_email(self, request, email_address) -> bool:
        """A verified address moves a new application into the staff's review queue."""
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            services.application_submit(user=email_address.user)
        return confirmed

    def send_confirmation_mail(self, request, emailconfirmation, signup: bool) -> None:
        """A link to confirm a new address; but an address that another account already uses
        gets a note that changes nothing instead. Neither names the person who typed it (any
        member can type anyone's address), and the asker is told the same either way."""
        email = emailconfirmation.email_address.email
        if not signup and selectors.email_taken_by_another(
            email=email, user=emailconfirmation.email_address.user
        ):
            self.send_mail(
                "account/email/email_change_address_taken",
                email,
                {"contact_url": settings.SITE_URL + "/contact/"},
            )
            return
        super().send_confirmation_mail(request, emailconfirmation, signup)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's email in the request (its links and codes are made now) and hand
        the text to a Celery task through the outbox (relayed after the transaction commits,
        and later if the broker is down)."""
        from allauth.core import context as allauth_context

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": site_identity()}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        subject, body, to = message.subject, message.body, list(message.to)
        enqueue(send_account_email_task, subject, body, to, html)
