"""The allauth account adapter: where sign-up, verification and account emails meet the portal."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.db import transaction

from outbox.services import enqueue
from portal import services


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """Save the new account and record the application's answers with it."""
        with transaction.atomic():
            user = super().save_user(request, user, form, commit=True)
            data = form.cleaned_data
            if "organisation" in data:  # the portal's sign-up form (not a staff-made account)
                services.application_create(
                    user=user,
                    organisation=data["organisation"],
                    job_title=data["job_title"],
                    sector=data["sector"],
                    country=data["country"],
                    reason=data["reason"],
                )
        return user

    def confirm_email(self, request, email_address) -> bool:
        """A verified address moves a new application into the staff's review queue."""
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            services.application_submit(user=email_address.user)
        return confirmed

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's email in the request (its links and codes are made now) and hand
        the text to a Celery task through the outbox (relayed after the transaction commits,
        and later if the broker is down)."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        from portal import tasks

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = ""
        for content, mimetype in getattr(message, "alternatives", []):
            if mimetype == "text/html":
                html = content
        subject, body, to = message.subject, message.body, list(message.to)
        enqueue(tasks.send_account_email, subject, body, to, html)
