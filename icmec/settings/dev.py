"""Local development: `make run`. Embedded PostgreSQL and a filesystem broker unless configured."""

import os

from icmec.addresses import local_link_host, local_site_url
from icmec.settings.base import *  # noqa: F403
from icmec.settings.base import REDIS_URL, env
from icmec.settings.components.database import database_from_url

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")

# The address `make run` serves on (scripts/dev.py passes HOST and PORT to runserver). Links in
# pages, feeds, the sitemap and emails point there unless SITE_URL says otherwise.
HOST = env.str("HOST", default="127.0.0.1")
PORT = env.int("PORT", default=8000)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS",
    default=list(dict.fromkeys(["localhost", "127.0.0.1", "[::1]", local_link_host(HOST)])),
)

if not os.environ.get("DATABASE_URL"):
    from icmec import embedded

    DATABASES = {"default": database_from_url(embedded.database_url("icmec"), conn_max_age=0)}

WAGTAILADMIN_BASE_URL = SITE_URL = env.str("SITE_URL", default=local_site_url(HOST, PORT)).rstrip(
    "/"
)

# The web server, the worker and beat are separate processes: whatever one of them caches (the
# content version above all, which publishing by the worker changes) the others must see at
# once. With no Redis, the cache is a table in the database they share (made by `migrate`).
if not REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "icmec_cache",
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="icmec"),
            # Django's default of 300 entries would cull fragments on every few pages.
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }
