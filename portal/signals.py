"""Signal receivers of the portal (connected in PortalConfig.ready)."""

from __future__ import annotations

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added
from django.dispatch import receiver


@receiver(authenticator_added)
def count_activation_as_second_factor(sender, request, user, authenticator, **kwargs):
    """Activating an authenticator app proves its code, so this session has passed MFA.

    Without this, staff who have just set up TOTP on their way to the admin would be asked for
    a second code at once (portal.middleware wants an "mfa" record in the session).
    """
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
