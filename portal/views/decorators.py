"""Who may open a portal view: approved members, members with a profile (who take part), and
staff only once their session has passed the second factor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache

from portal import mfa, selectors
from portal.refusals import membership_status_page


def status_page(request: HttpRequest, status: int = 200) -> HttpResponse:
    return membership_status_page(request, status=status)


def second_factor_step(request: HttpRequest) -> HttpResponse:
    """Staff whose session has not passed the second factor go and pass it, then come back."""
    if mfa.has_authenticator(request.user):
        messages.info(request, "Enter the code from your authenticator app to continue.")
    else:
        messages.warning(
            request, "Staff need two-factor authentication. Set up an authenticator app first."
        )
    return mfa.second_factor_redirect(request)


def _approved_members_only(view: Callable) -> Callable:
    """Approved members; staff whose session has not passed the second factor go and pass it."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if mfa.needs_second_factor(request):
            return never_cache(second_factor_step)(request)
        if not selectors.user_is_approved_member(request.user):
            return never_cache(status_page)(request, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def member_required(view: Callable) -> Callable:
    """Approved members (and staff) only. Others who are logged in see where their application
    stands, with a 403; anonymous visitors are sent to log in; staff whose session has not
    passed the second factor are sent to pass it. No copy of what members see is kept anywhere
    (`no-store`)."""
    return _approved_members_only(never_cache(view))


def member_photo_required(view: Callable) -> Callable:
    """As `member_required`, but the view sets its own Cache-Control: a photo may be kept by
    the member's browser (`private`), so the directory does not download every thumbnail
    again on each visit."""
    return _approved_members_only(view)


def participant_required(view: Callable) -> Callable:
    """Approved members with a profile: the people who connect and message."""

    @wraps(view)
    @member_required
    def wrapper(request, *args, **kwargs):
        if not selectors.user_has_member_profile(request.user):
            raise PermissionDenied(
                "Connections, messages, blocks and reports are for members with a profile. Your "
                "account has none (staff accounts may browse the directory but do not take part)."
            )
        return view(request, *args, **kwargs)

    return wrapper
