"""Wagtail hooks of the public site."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.cache import add_never_cache_headers
from wagtail import hooks
from wagtail.models import PageViewRestriction

from blog.models import redirect_to_login
from portal.refusals import members_only_refused
from portal.selectors import MEMBERS_GROUP, user_is_approved_member


@hooks.register("before_serve_page")
def answer_view_restrictions(page, request, serve_args, serve_kwargs):
    """Pages restricted to logged-in users or to groups (Wagtail's view restrictions).

    Wagtail answers every refusal with a redirect to the login page, which sends a visitor who is
    logged in already straight back (allauth does), and round again. Here an anonymous visitor
    goes to allauth's login page once, coming back to the page afterwards; a logged-in one who may
    not read the page gets a 403 page saying why. A page restricted to the Members group is part
    of the members' area: whoever may enter the portal reads it (approved members and staff, as
    for members-only posts). Password restrictions are left to Wagtail's own form.
    """
    refused = [
        restriction
        for restriction in page.get_view_restrictions()
        if restriction.restriction_type != PageViewRestriction.PASSWORD
        and not restriction.accept_request(request)
    ]
    if not refused:
        return None  # Wagtail's own check, which follows, lets the request through too.
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    groups_asked = [
        {group.name for group in restriction.groups.all()}
        for restriction in refused
        if restriction.restriction_type == PageViewRestriction.GROUPS
    ]
    if all(MEMBERS_GROUP in names for names in groups_asked):
        if user_is_approved_member(request.user):
            # Staff outside the Members group: Wagtail's check would refuse them, so the page is
            # served from here (its response must not be kept by a shared cache either).
            response = page.serve(request, *serve_args, **serve_kwargs)
            add_never_cache_headers(response)
            return response
        return members_only_refused(request)
    names = sorted(set().union(*groups_asked))
    raise PermissionDenied(
        "This page is only for people in "
        + ("the group " if len(names) == 1 else "the groups ")
        + ", ".join(f"“{name}”" for name in names)
        + ", and your account is not."
    )
