from django.urls import path, re_path

from . import views

app_name = "screen"

urlpatterns = [
    path("", views.screen_view, name="index"),
    re_path(
        r"^boundaries/(?P<code>[1-9][0-9]{5})\.(?P<version>[0-9a-f]{12})\.json$", views.boundary_view, name="boundary"
    ),
]
