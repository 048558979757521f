"""Wagtail: the admin, search, images, documents and embeds."""

from icmec.settings.components.environment import SITE_URL

WAGTAIL_SITE_NAME = "ICMEC Australia"
WAGTAILADMIN_BASE_URL = SITE_URL
# Staff log in through allauth (with their second factor), never through Wagtail's own forms.
WAGTAILADMIN_LOGIN_URL = "account_login"
# Members-only Wagtail pages send visitors to allauth's login (not Wagtail's bare form).
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = False
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# The dashboard's upgrade notice fetches releases.wagtail.org from the browser: the admin loads
# nothing from another host (the Content-Security-Policy would block it), and upgrades arrive
# through requirements.txt.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Wagtail shows staff avatars from gravatar.com by default: another host, and a hash of each
# staff email address sent to it.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

WAGTAILSEARCH_BACKENDS = {
    "default": {
        # Wagtail's PostgreSQL backend with a cheaper results query (see the module).
        "BACKEND": "blog.search_backend",
        "SEARCH_CONFIG": "english",
    }
}
WAGTAILIMAGES_IMAGE_MODEL = "blog.SiteImage"
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"bmp": "png", "gif": "png", "webp": "webp"}
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "csv", "txt"]
WAGTAILEMBEDS_RESPONSIVE_HTML = True
TAGGIT_CASE_INSENSITIVE = True
