from django.urls import path

from . import api

urlpatterns = [
    path("venues", api.VenueListView.as_view(), name="venue-list"),
    path("venues/<int:id>", api.VenueDetailView.as_view(), name="venue-detail"),
]
