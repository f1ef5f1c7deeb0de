from django.urls import path

from . import views

app_name = "card"

urlpatterns = [
    path("", views.card_index, name="index"),
    path("open/", views.card_open, name="open"),
    path("topup/", views.card_topup, name="topup"),
]
