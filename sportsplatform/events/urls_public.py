"""Public event pages (part D): list, detail, sign-up, my events, withdraw, the organiser's
check-in desk. Included by events/urls.py (app_name "events", mounted at /events/)."""

from django.urls import path

from . import views_public as views

urlpatterns = [
    path("", views.event_list, name="list"),
    path("mine/", views.my_events, name="mine"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/register/", views.register, name="register"),
    path("<int:pk>/check-in/", views.checkin_desk, name="checkin"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration"),
    path("registrations/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
