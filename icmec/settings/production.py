"""Production. Fails fast when a required variable is missing; passes `check --deploy`."""

from django.core.exceptions import ImproperlyConfigured

from icmec.settings import PRODUCTION_REQUIRED
from icmec.settings.base import *  # noqa: F403
from icmec.settings.base import CELERY_BROKER_URL, REDIS_URL, STORAGES, env

_required = list(PRODUCTION_REQUIRED)
if env.str("ANYMAIL_ESP", default=""):
    # Without it the email service's webhooks (bounces, complaints, mailto: unsubscribes) would
    # be switched off (see newsletter/urls.py): a bounce would never suppress an address.
    _required.append("ANYMAIL_WEBHOOK_SECRET")
elif env.str("NEWSLETTER_BOUNCE_ADDRESS", default=""):
    # Bounce messages mailed to that address arrive through the inbound webhook.
    _required.append("ANYMAIL_WEBHOOK_SECRET")
_missing = [name for name in _required if not env.str(name, default="")]
if _missing:
    raise ImproperlyConfigured(
        f"Production settings need these environment variables: {', '.join(_missing)}."
    )

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# Rate limits and caching need a cache shared by every process: Redis.
_cache_url = REDIS_URL or (CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "")
if not _cache_url:
    raise ImproperlyConfigured("Production settings need REDIS_URL (or a Redis CELERY_BROKER_URL).")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _cache_url,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="icmec"),
    }
}
if env.bool("CACHE_DISABLED", default=False):
    # For measuring the uncached site only (bench/site.py --no-cache): rate limits stop working.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# HTTPS everywhere. Behind a proxy that terminates TLS, it must set X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
