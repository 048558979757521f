import logging

from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
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


def _broker_ok() -> bool:
    from icmec.celery import app

    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.warning("Health check: the Celery broker does not answer", exc_info=True)
        return False


# Once this process has seen every migration applied it stops asking: its code (and so its
# migrations) cannot change, and building the migration graph on every probe is wasted work.
_migrations_seen_applied = False


def _migrations_applied() -> bool:
    global _migrations_seen_applied
    if _migrations_seen_applied:
        return True
    try:
        executor = MigrationExecutor(connection)
        applied = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception:
        logger.exception("Health check: could not read the migration state")
        return False
    _migrations_seen_applied = applied
    return applied


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and orchestrators: 200 when this process can serve pages, 503 otherwise.

    The database and the cache must answer and every migration must be applied (a new release
    waits for `migrate` before it takes traffic). The broker is reported but does not make the
    process unhealthy: pages do not need it, and what requests hand to the workers waits in the
    database until the broker is back.
    """
    database = _database_ok()
    checks = {
        "database": "ok" if database else "error",
        "cache": "ok" if _cache_ok() else "error",
        "migrations": ("ok" if _migrations_applied() else "pending") if database else "unknown",
        "broker": "ok" if _broker_ok() else "error",
    }
    healthy = all(checks[name] == "ok" for name in ("database", "cache", "migrations"))
    if healthy and checks["broker"] != "ok":
        status = "degraded"
    else:
        status = "ok" if healthy else "unavailable"
    return JsonResponse({"status": status} | checks, status=200 if healthy else 503)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The site's own 403 page: why the page is closed (the reason given where access was refused)
    and what the visitor can do about it."""
    reason = str(exception or "").strip()
    response = render(request, "403.html", {"reason": reason}, status=403)
    # Who may open a page depends on who asks: no shared cache may keep this answer.
    add_never_cache_headers(response)
    return response
