from django.urls import path

from . import api

urlpatterns = [
    path("map/features", api.MapFeaturesView.as_view(), name="map-features"),
]
