from django.urls import include, path

from newsletter import feeds, views

app_name = "newsletter"

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
    path("webhooks/", include("anymail.urls")),
]
