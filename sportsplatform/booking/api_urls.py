from django.urls import path

from . import api

urlpatterns = [
    path("venues/<int:id>/availability", api.AvailabilityView.as_view(), name="venue-availability"),
    path("bookings", api.BookingCreateView.as_view(), name="booking-create"),
]
