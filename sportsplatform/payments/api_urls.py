"""Payments API routes, relative to /api/v1/ (included by sportsplatform.api.urls)."""

from django.urls import path

from . import api

urlpatterns = [
    path("payments/notify/<str:provider>", api.ProviderNotifyView.as_view(), name="payments-notify"),
]
