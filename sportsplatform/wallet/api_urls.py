from django.urls import path

from . import api

urlpatterns = [
    path("me/card", api.CardView.as_view(), name="me-card"),
    path("me/card/entries", api.CardEntriesView.as_view(), name="me-card-entries"),
    path("me/card/topups", api.TopupView.as_view(), name="me-card-topups"),
]
