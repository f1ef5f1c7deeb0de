"""Organiser and bureau pages of training outside the admin (attendance), and the private files
(course videos, certificate scans). Mounted at /courses/ by training/urls.py."""

from django.urls import path

from . import views_office as views

urlpatterns = [
    path("office/", views.office_courses, name="office_courses"),
    path("office/<int:pk>/", views.office_course, name="office_course"),
    path("office/<int:pk>/attendance.xlsx", views.attendance_export, name="attendance_export"),
    path("office/sessions/<int:pk>/", views.attendance_sheet, name="attendance_sheet"),
    path("office/sessions/<int:pk>/everyone/", views.mark_everyone_present, name="attendance_all_present"),
    path("office/sessions/<int:pk>/<int:enrolment_pk>/", views.mark, name="attendance_mark"),
    path("office/certificates/<int:pk>/scan/", views.certificate_scan, name="certificate_scan"),
    path("videos/<int:pk>/", views.video, name="video"),
]
