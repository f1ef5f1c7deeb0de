"""A URLconf for the portal tests: the project's URLs plus a "venues" section (list and detail)
and a page that sends a message, standing in for apps that do not exist yet."""

from django.contrib import messages
from django.shortcuts import render
from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns


def venue_page(request, **kwargs):
    return render(request, "portal/base.html")


def page_with_message(request):
    messages.success(request, "Saved.")
    messages.error(request, "Something went wrong.")
    return render(request, "portal/base.html")


venue_patterns = (
    [path("", venue_page, name="list"), path("<int:pk>/", venue_page, name="detail")],
    "venues",
)

urlpatterns = [
    path("venues/", include(venue_patterns, namespace="venues")),
    path("message/", page_with_message, name="test-message"),
    *project_urlpatterns,
]
