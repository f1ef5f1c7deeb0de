from django.urls import path

from . import operator_views, views

app_name = "booking"

urlpatterns = [
    path("", views.booking_index, name="index"),
    path("venues/<int:pk>/", views.venue_grid, name="venue"),
    path("operator/venues/", operator_views.venue_list, name="operator_venues"),
    path("operator/venues/<int:pk>/calendar/", operator_views.calendar, name="operator_calendar"),
    path("operator/check-in/", operator_views.check_in_desk, name="operator_check_in"),
    path("operator/refunds/", operator_views.refunds, name="operator_refunds"),
]
