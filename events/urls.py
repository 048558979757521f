from django.urls import path

from events import views

app_name = "events"

urlpatterns = [
    path("book/<int:event_id>/", views.book, name="book"),
    path("book/<int:event_id>/member/", views.book_member, name="book_member"),
    path("check-inbox/", views.check_inbox, name="check_inbox"),
    path("<str:token>/", views.booking_detail, name="booking"),
    path("<str:token>/confirm/", views.booking_confirm, name="confirm"),
    path("<str:token>/cancel/", views.booking_cancel, name="cancel"),
    path("<str:token>/calendar/", views.booking_calendar, name="booking_calendar"),
]
