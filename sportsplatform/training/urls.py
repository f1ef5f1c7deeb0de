"""Public pages. Each part appends its patterns here (see the briefing); names are stable."""

from django.urls import path  # noqa: F401

app_name = "training"
urlpatterns: list = []
