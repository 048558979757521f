"""The test suite. PostgreSQL (DATABASE_URL, else the embedded one); mail to the locmem outbox."""

import os

from icmec.settings.base import *  # noqa: F403
from icmec.settings.base import env
from icmec.settings.components.database import database_from_url

SECRET_KEY = "test-only-insecure-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]

if os.environ.get("DATABASE_URL"):
    _database_url = env.str("DATABASE_URL")
else:
    from icmec import embedded

    _database_url = embedded.database_url("icmec_test_base")
DATABASES = {"default": database_from_url(_database_url, conn_max_age=0)}

# Tests must not share cache state with a running site or with each other.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Mail goes to the locmem outbox (whatever EMAIL_URL says), unless a test points a worker
# process at its own SMTP server with TEST_EMAIL_URL.
if os.environ.get("TEST_EMAIL_URL"):
    vars().update(env.email_url("TEST_EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "member_photos": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": "/tmp/icmec-test-private-media"},  # noqa: S108
    },
}
MEDIA_ROOT = env.str("TEST_MEDIA_ROOT", default="/tmp/icmec-test-media")  # noqa: S108

# Tasks run in the test process unless a test starts a real worker (those tests switch this off).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
WAGTAILADMIN_BASE_URL = SITE_URL = "http://testserver"
