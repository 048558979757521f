from django.urls import path

from events import views

app_name = "portal_events"

urlpatterns = [
    path("", views.my_bookings, name="bookings"),
    path("<int:pk>/cancel/", views.my_booking_cancel, name="cancel"),
    path("calendar/reset/", views.calendar_feed_reset, name="calendar_feed_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
