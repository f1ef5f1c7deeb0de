"""Accounts API routes, relative to /api/v1/ (included by sportsplatform.api.urls)."""

from django.urls import path

from . import api

urlpatterns = [
    path("auth/token", api.TokenView.as_view(), name="api-auth-token"),
    path("auth/sms/send", api.SmsSendView.as_view(), name="api-auth-sms-send"),
    path("auth/sms/login", api.SmsLoginView.as_view(), name="api-auth-sms-login"),
    path("auth/logout", api.LogoutView.as_view(), name="api-auth-logout"),
    path("me", api.MeView.as_view(), name="api-me"),
    path("organisations", api.OrganisationListView.as_view(), name="api-organisation-list"),
    # <str:pk>, not <int:pk>: authentication must answer before the id is judged, so an anonymous
    # caller gets 401 for any id; a malformed id from a signed-in caller is a JSON 404.
    path("organisations/<str:pk>", api.OrganisationDetailView.as_view(), name="api-organisation-detail"),
]
