from django.urls import path

from . import views

app_name = "map"
urlpatterns = [
    path("", views.index, name="index"),
    path("links/<str:layer>/<int:pk>/", views.links, name="links"),
]
