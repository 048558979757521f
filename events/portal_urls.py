from django.urls import path

from events import views

app_name = "portal_events"

urlpatterns = [
    path("", views.my_bookings, name="bookings"),
    path("<int:pk>/cancel/", views.my_booking_cancel, name="cancel"),
]
