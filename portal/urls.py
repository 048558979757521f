from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("account/", views.account, name="account"),
    path("account/data/", views.data_export, name="data_export"),
    path("account/delete/", views.account_delete, name="account_delete"),
    path("apply-again/", views.reapply, name="reapply"),
    path("profile/edit/", views.profile_edit, name="profile_edit"),
    path("members/", views.directory, name="directory"),
    path("members/<uuid:public_id>/", views.member, name="member"),
    path("members/<uuid:public_id>/connect/", views.connect, name="connect"),
    path("members/<uuid:public_id>/disconnect/", views.connection_remove, name="disconnect"),
    path("members/<uuid:public_id>/message/", views.message_member, name="message_member"),
    path("members/<uuid:public_id>/block/", views.block, name="block"),
    path("members/<uuid:public_id>/report/", views.report, name="report"),
    path("connections/", views.connections, name="connections"),
    path("requests/<int:pk>/accept/", views.request_accept, name="request_accept"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("requests/<int:pk>/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("blocked/", views.blocked, name="blocked"),
    path("blocked/<int:block_id>/unblock/", views.unblock, name="unblock"),
    path("messages/", views.conversations, name="messages"),
    path("messages/<int:pk>/", views.conversation, name="conversation"),
    path("invitation/<str:token>/", views.staff_invitation, name="staff_invitation"),
    path("photos/<str:key>-<int:size>.jpg", views.photo, name="photo"),
]
