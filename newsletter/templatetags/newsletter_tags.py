from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from wagtail.admin.userbar import Userbar

from newsletter import rendering, selectors
from newsletter.models import Issue, Subscriber

register = template.Library()


@register.simple_tag
def newsletter_subscription(user: Any) -> Subscriber | None:
    """The member's subscription (matched by the account's email address), or None."""
    return selectors.subscriber_for_user(user=user)


@register.simple_tag(takes_context=True)
def issue_preview(context: template.Context, issue: Issue, mode_name: str) -> SafeString:
    """The issue as subscribers would get it now, for Wagtail's preview (`Issue.serve_preview`):
    the whole email in HTML, or its plain text."""
    rendered = rendering.render_issue_preview(issue=issue)
    if mode_name == "text":
        return mark_safe(rendered.text)  # noqa: S308 - the email's own text, already escaped
    html = rendered.html
    request = context.get("request")
    if getattr(request, "in_preview_panel", False):
        # The editor's "Checks" run Wagtail's accessibility checker inside the preview, which
        # the (hidden) user bar loads, as the site's pages include it for staff.
        userbar = Userbar(object=issue).render_html({"request": request})
        html = html.replace("</body>", f"{userbar}</body>", 1)
    return mark_safe(html)  # noqa: S308 - rendered from the email's own templates
