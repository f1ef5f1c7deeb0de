from django.urls import path

from . import views

app_name = "live"

urlpatterns = [
    path("venues/<int:pk>/occupancy/stream", views.venue_occupancy_stream, name="venue-occupancy-stream"),
    path("occupancy/stream", views.occupancy_stream_view, name="occupancy-stream"),
]
