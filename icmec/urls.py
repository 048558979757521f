from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from icmec import views

# A refused request gets a page of the site's own (like 404.html and 500.html), saying why.
handler403 = views.permission_denied

urlpatterns = [
    path("health/", views.health, name="health"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("portal.account_urls")),
    path("accounts/", include("allauth.urls")),
    path("portal/events/", include("events.portal_urls")),
    path("portal/", include("portal.urls")),
    path("events/bookings/", include("events.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("", include("blog.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's page serving catches every other path, so it comes last.
urlpatterns.append(path("", include(wagtail_urls)))
