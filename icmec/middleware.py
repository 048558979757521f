"""Security headers of every response: the Content-Security-Policy (one policy for the site,
another for Wagtail's admin, a third for the previews the admin frames) and the
Permissions-Policy.

Referrer-Policy, Cross-Origin-Opener-Policy, X-Content-Type-Options and X-Frame-Options come
from Django's SecurityMiddleware and XFrameOptionsMiddleware (their settings are in
`icmec/settings/components/security.py`).
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class SecurityHeadersMiddleware(CSPMiddleware):
    """django-csp's middleware, with `CONTENT_SECURITY_POLICY_ADMIN` for the admin's paths and
    `CONTENT_SECURITY_POLICY_PREVIEW` for Wagtail's previews.

    The site's pages run no inline script or style, so their policy forbids both. Wagtail's
    admin needs inline scripts and styles, so it gets a policy of its own that allows them but
    still loads nothing from another host and cannot be framed by another site.

    Every preview (the editor's panel, "Preview in new tab", revisions, workflow tasks, snippets
    such as newsletter issues) is rendered by Wagtail through this middleware a second time, in
    a request of its own whose path is the page's public URL (`PreviewableMixin.
    make_preview_request`). Such a response gets the site's own policy, so the preview shows what
    readers get, except that the admin (same origin, and nothing else) may frame it.
    """

    def __init__(self, get_response):
        super().__init__(get_response)
        self.admin_prefixes = tuple(settings.CONTENT_SECURITY_POLICY_ADMIN_PREFIXES)

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts
        if is_preview(request):
            parts.config = settings.CONTENT_SECURITY_POLICY_PREVIEW["DIRECTIVES"]
        elif request.path_info.startswith(self.admin_prefixes):
            parts.config = settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
        return parts

    def process_response(self, request, response):
        if is_preview(request):
            # XFrameOptionsMiddleware (after this one on the way out) keeps a value already set.
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response = super().process_response(request, response)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


def is_preview(request) -> bool:
    """Whether `request` is the one Wagtail makes to render a preview for the admin."""
    return bool(getattr(request, "is_preview", False) or getattr(request, "is_dummy", False))
