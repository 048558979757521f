"""Wagtail admin hooks of the public site's pages."""

from __future__ import annotations

import html

from django.contrib import messages as django_messages
from django.http import HttpRequest
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.models import Page, WorkflowState


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
