"""What a logged-in visitor who may not enter the members' area is shown, wherever they knock:
a portal page, a members-only post, a page restricted to the Members group.

One answer everywhere: a 403 in the site's layout that says where the visitor's membership
stands (unverified, under review, not approved, suspended, no application) and what to do next.
It is never a redirect to the login page: the visitor is logged in already, and allauth sends a
logged-in visitor straight back to `next`, which would loop.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from portal import selectors
from portal.models import Membership


def membership_status_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    """Where the visitor's membership stands (with status 403 when they asked for a members'
    page)."""
    membership = selectors.membership_for(request.user) if request.user.is_authenticated else None
    reapply_from = selectors.reapply_available_from(membership) if membership else None
    response = render(
        request,
        "portal/status.html",
        {
            "membership": membership,
            "Status": Membership.Status,
            "refused": status == 403,
            "reapply_from": reapply_from,
            "can_reapply": reapply_from is not None and reapply_from <= timezone.now(),
        },
        status=status,
    )
    add_never_cache_headers(response)
    return response


def members_only_refused(request: HttpRequest) -> HttpResponse:
    """The 403 a logged-in visitor who is not an approved member gets for a members' page."""
    return membership_status_page(request, status=403)
