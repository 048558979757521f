"""The portal's front door."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from icmec.caching.memo import keep_on
from portal import mfa, selectors
from portal.views.decorators import second_factor_step, status_page


@login_required
@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """The portal's front door: the dashboard for members, where things stand for applicants."""
    if mfa.needs_second_factor(request):
        return second_factor_step(request)
    if not selectors.user_is_approved_member(request.user):
        return status_page(request)
    user = request.user
    has_profile = selectors.user_has_member_profile(user)
    context = {"has_profile": has_profile}
    if has_profile:
        counts = selectors.nav_counts(user)
        # The header shows the same counts (portal_tags.member_nav_counts): read once.
        keep_on(request, selectors.NAV_COUNTS_KEPT_AS, counts)
        context.update(
            incoming=list(selectors.incoming_requests(user)[:5]),
            conversations=selectors.conversations_of(user, limit=5),
            counts=counts,
            profile=user.profile,
        )
    return render(request, "portal/home.html", context)
