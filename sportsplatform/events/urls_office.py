"""Back-office pages of event applications outside the admin: the private application documents
(served only through a view that checks who asks)."""

from django.urls import path

from . import views_office as views

urlpatterns = [
    path("office/documents/<int:pk>/", views.attachment_download, name="office_attachment"),
    path("office/<int:pk>/safety-plan/", views.safety_plan_download, name="office_safety_plan"),
]
