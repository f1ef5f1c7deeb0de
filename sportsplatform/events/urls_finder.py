"""The venue finder and enquiries (part E): /events/find-venue/ and /events/enquiries/."""

from django.urls import path

from . import views_finder

urlpatterns = [
    path("find-venue/", views_finder.finder, name="finder"),
    path("find-venue/<int:venue_pk>/enquire/", views_finder.enquire, name="enquire"),
    path("enquiries/", views_finder.enquiries, name="enquiries"),
    path("enquiries/<int:pk>/close/", views_finder.close, name="enquiry_close"),
]
