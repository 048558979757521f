"""Every use the portal makes of django-allauth's private API (`allauth.account.internal`).

Why it is used at all: allauth keeps a record of each way a session authenticated ("password",
"mfa", ...) and reads it through its public `allauth.account.authentication
.get_authentication_records`, for re-authentication and, in `portal.mfa`, for whether staff passed
their second factor. It writes those records only inside its own flows, yet two of the portal's
ways in must count the same: choosing a password from a staff invitation link
(`mfa.sign_in_with_password`) and activating an authenticator app (`portal.signals`). allauth
offers no public way to add a record, so this module calls its private one.

Kept here alone so an allauth upgrade touches one file, and checked by
`tests/portal/test_allauth_internals.py` against what allauth's own password login records: if
allauth moves or changes it, that test fails, not a staff member's sign-in.
"""

from __future__ import annotations

from typing import Any

from allauth.account.internal.flows.login import record_authentication as _record_authentication
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest


def record_authentication(
    request: HttpRequest, user: AbstractBaseUser, method: str, **extra: Any
) -> None:
    """Add to this session's authentication records that `user` just authenticated by `method`
    (with `extra` details, such as the email for "password"), as allauth's own flows do."""
    _record_authentication(request, user, method, **extra)
