"""Paths relative to /api/v1/ (mounted by sportsplatform/api/urls.py under the "api" namespace)."""

from django.urls import path

from .api import DashboardSummaryView

urlpatterns = [
    path("dashboard/summary", DashboardSummaryView.as_view(), name="dashboard-summary"),
]
