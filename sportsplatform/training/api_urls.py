"""Training API routes, relative to /api/v1/ (auto-mounted by sportsplatform.api.urls)."""

from django.urls import path

from . import api

# Signed-in operations take <str:id>: authentication answers before the id is judged (401 for any
# id without a token); a malformed id from a signed-in caller is a JSON 404.
urlpatterns = [
    path("courses", api.CourseListView.as_view(), name="course-list"),
    path("courses/<int:id>", api.CourseDetailView.as_view(), name="course-detail"),
    path("courses/<str:id>/enrolments", api.CourseEnrolView.as_view(), name="course-enrol"),
    path("me/enrolments", api.MyEnrolmentsView.as_view(), name="me-enrolments"),
    path("enrolments/<str:id>/withdraw", api.EnrolmentWithdrawView.as_view(), name="enrolment-withdraw"),
    path("coaches", api.CoachListView.as_view(), name="coach-list"),
    path("coaches/<int:id>", api.CoachDetailView.as_view(), name="coach-detail"),
]
