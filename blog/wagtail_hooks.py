"""Wagtail hooks of the public site: who may read a restricted page, and what the admin says
after a moderation action."""

from __future__ import annotations

import html

from django.contrib import messages as django_messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.cache import add_never_cache_headers
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.models import Page, PageViewRestriction, WorkflowState

from blog.models import redirect_to_login
from portal import mfa
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
    if mfa.needs_second_factor(request):
        return None  # portal's hook sends a staff session to pass its second factor first
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


@hooks.register("after_edit_page")
def say_what_a_moderation_action_did(request: HttpRequest, page: Page) -> None:
    """After a moderator's "Approve and publish" (or "Request changes"), say what happened.

    Wagtail's edit view confirms every workflow action with "Page '…' has been updated.", which
    reads as if the moderator had only saved an edit: the message is replaced with one saying
    that the page was approved and published, approved and sent on to the next step of the
    workflow, or sent back for changes.
    """
    if request.method != "POST" or "action-workflow-action" not in request.POST:
        return
    action = request.POST.get("workflow-action-name")
    if action not in ("approve", "reject"):
        return
    # The title as the edit view wrote it into its own message; the state as the action left it.
    title = page.get_admin_display_title()
    page = Page.objects.get(pk=page.pk).specific
    state = WorkflowState.objects.for_instance(page).order_by("-created_at", "-pk").first()
    if state is None:
        return
    buttons = []
    if action == "reject":
        message = _("Changes to page '%(title)s' have been requested.") % {"title": title}
    elif state.status == WorkflowState.STATUS_APPROVED and page.live:
        message = _("Page '%(title)s' has been approved and published.") % {"title": title}
        if page.url:
            buttons.append(messages.button(page.url, _("View live"), new_window=False))
    elif state.status == WorkflowState.STATUS_APPROVED:
        # Approved with a "Go live" date still to come: published by the scheduled run.
        message = _("Page '%(title)s' has been approved; it will go live as scheduled.") % {
            "title": title
        }
    elif state.status == WorkflowState.STATUS_IN_PROGRESS and state.current_task_state:
        message = _("Page '%(title)s' has been approved; it now awaits '%(task)s'.") % {
            "title": title,
            "task": state.current_task_state.task.name,
        }
    else:
        return
    _replace_confirmation(request, title=title, new=message, buttons=buttons)


@hooks.register("after_create_page")
def say_the_slug_was_changed(request: HttpRequest, page: Page) -> None:
    """Tell the editor when a new page took a free slug instead of the one asked for
    (`blog.forms.SitePageForm`). An autosave (a JSON request) updates the form instead."""
    asked = request.POST.get("slug", "")
    if not asked or asked == page.slug or not request.accepts("text/html"):
        return
    messages.warning(
        request,
        _(
            "Another page here already has the slug '%(asked)s', so this one got '%(slug)s' "
            "(it can be changed in the Promote tab)."
        )
        % {"asked": asked, "slug": page.slug},
    )


def _replace_confirmation(request: HttpRequest, *, title: str, new: str, buttons: list) -> None:
    # Reading the storage marks what it held as shown; everything but Wagtail's generic
    # confirmation is queued again, in the same order.
    updated = _("Page '%(page_title)s' has been updated.") % {"page_title": title}
    storage = django_messages.get_messages(request)
    kept = [message for message in storage if _text(message.message) != updated]
    for message in kept:
        storage.add(message.level, message.message, message.extra_tags)
    messages.success(request, new, buttons=buttons)


def _text(message) -> str:
    # Wagtail's admin messages are rendered HTML (escaped text, optional buttons).
    return html.unescape(strip_tags(str(message))).strip()
