"""Local development: `make run`. Embedded PostgreSQL and a filesystem broker unless configured."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, _decode_socket_host, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

if not os.environ.get("DATABASE_URL"):
    from icmec import embedded

    DATABASES["default"].update(
        _decode_socket_host(env.db_url_config(embedded.database_url("icmec")))
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

WAGTAILADMIN_BASE_URL = SITE_URL = env.str("SITE_URL", default="http://localhost:8000")
