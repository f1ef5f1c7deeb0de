from django.urls import path

from . import api

urlpatterns = [
    path("facilities", api.FacilityListView.as_view(), name="facility-list"),
    path("facilities/<int:id>", api.FacilityDetailView.as_view(), name="facility-detail"),
]
