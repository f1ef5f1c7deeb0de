"""Public training pages (mounted at /courses/ by training/urls.py, namespace "training")."""

from django.urls import path

from . import views_public as views

urlpatterns = [
    path("", views.course_list, name="list"),
    path("<int:pk>/", views.course_detail, name="detail"),
    path("<int:pk>/enrol/", views.enrol, name="enrol"),
    path("mine/", views.my_courses, name="mine"),
    path("enrolments/<int:pk>/", views.enrolment_detail, name="enrolment"),
    path("enrolments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("coaches/", views.coach_list, name="coaches"),
    path("coaches/<int:pk>/", views.coach_detail, name="coach"),
    path("watch/<int:pk>/", views.watch, name="watch"),
]
