"""Paths relative to /api/v1/ (mounted by sportsplatform/api/urls.py under the "api" namespace)."""

from django.urls import path

from .api import RegionDetailView, RegionListView

urlpatterns = [
    path("regions", RegionListView.as_view(), name="region-list"),
    path("regions/<str:code>", RegionDetailView.as_view(), name="region-detail"),
]
