import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: database unreachable")
        return False


def _cache_ok() -> bool:
    try:
        cache.set("health-check", "ok", timeout=10)
        return cache.get("health-check") == "ok"
    except Exception:
        logger.exception("Health check: cache unreachable")
        return False


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database and the cache answer, 503 otherwise (for load balancers)."""
    checks = {"database": _database_ok(), "cache": _cache_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable"}
        | {name: "ok" if ok else "error" for name, ok in checks.items()},
        status=200 if healthy else 503,
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's own 403 page: why the page is closed (the reason given where access was refused)
    and what the visitor can do about it."""
    reason = str(exception or "").strip()
    response = render(request, "403.html", {"reason": reason}, status=403)
    # Who may open a page depends on who asks: no shared cache may keep this answer.
    add_never_cache_headers(response)
    return response
