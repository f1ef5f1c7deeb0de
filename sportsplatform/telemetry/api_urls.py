from django.urls import path

from . import api

urlpatterns = [
    path("telemetry/gates", api.GateEventsView.as_view(), name="telemetry-gates"),
    path("venues/<int:id>/occupancy", api.VenueOccupancyView.as_view(), name="venue-occupancy"),
]
