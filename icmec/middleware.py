"""Security headers of every response: the Content-Security-Policy (one policy for the site,
another for Wagtail's admin) and the Permissions-Policy.

Referrer-Policy, Cross-Origin-Opener-Policy, X-Content-Type-Options and X-Frame-Options come
from Django's SecurityMiddleware and XFrameOptionsMiddleware (see settings/base.py).
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class SecurityHeadersMiddleware(CSPMiddleware):
    """django-csp's middleware, with `CONTENT_SECURITY_POLICY_ADMIN` for the admin's paths.

    The site's pages run no inline script or style, so their policy forbids both. Wagtail's
    admin needs inline scripts and styles, so it gets a policy of its own that allows them but
    still loads nothing from another host and cannot be framed by another site.
    """

    def __init__(self, get_response):
        super().__init__(get_response)
        self.admin_prefixes = tuple(settings.CONTENT_SECURITY_POLICY_ADMIN_PREFIXES)

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(self.admin_prefixes)
        ):
            parts.config = settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if settings.PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
