import logging
from functools import wraps

from anymail import urls as anymail_urls
from anymail.exceptions import AnymailConfigurationError
from django.conf import settings
from django.http import Http404
from django.urls import include, path
from django.urls.resolvers import URLPattern
from django.views.decorators.csrf import csrf_exempt

from newsletter import feeds, views

app_name = "newsletter"
logger = logging.getLogger(__name__)


def _only_with_webhook_secret(view):
    """Anymail accepts unauthenticated calls when no WEBHOOK_SECRET is set (with a warning):
    anyone could then post fake bounces that suppress addresses. Until the secret is set, the
    webhooks do not exist; nor do those of a service whose signing key is missing."""

    @csrf_exempt
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET"):
            raise Http404("Email service webhooks are not configured.")
        try:
            return view(request, *args, **kwargs)
        except AnymailConfigurationError as exc:
            logger.error("Email service webhook %s is not configured: %s", request.path, exc)
            raise Http404("This email service's webhook is not configured.") from exc

    return guarded


anymail_webhooks = (
    [
        URLPattern(
            pattern.pattern,
            _only_with_webhook_secret(pattern.callback),
            pattern.default_args,
            pattern.name,
        )
        for pattern in anymail_urls.urlpatterns
    ],
    anymail_urls.app_name,
)

urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("check-your-inbox/", views.check_inbox, name="check_inbox"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("account/", views.account, name="account"),
    path("archive/", views.archive, name="archive"),
    path("archive/feed/", feeds.ArchiveFeed(), name="archive_feed"),
    path("archive/feed/atom/", feeds.ArchiveAtomFeed(), name="archive_atom_feed"),
    path("archive/<slug:slug>/", views.archive_issue, name="archive_issue"),
    # Email service webhooks (django-anymail): /newsletter/webhooks/<esp>/tracking/
    path("webhooks/", include(anymail_webhooks)),
]
