"""Events API routes, relative to /api/v1/ (included by sportsplatform.api.urls)."""

from django.urls import path

from . import api

# <str:id> on the signed-in routes: authentication answers before the id is judged (401 for any id
# without a token); a malformed id from a signed-in caller is a JSON 404.
urlpatterns = [
    path("events", api.EventListView.as_view(), name="event-list"),
    path("events/<int:id>", api.EventDetailView.as_view(), name="event-detail"),
    path("events/<str:id>/registrations", api.EventRegisterView.as_view(), name="event-register"),
    path("me/registrations", api.MyRegistrationsView.as_view(), name="me-registrations"),
    path("registrations/<str:id>", api.RegistrationDetailView.as_view(), name="registration-detail"),
    path("registrations/<str:id>/withdraw", api.RegistrationWithdrawView.as_view(), name="registration-withdraw"),
]
