from django.urls import path

from . import views

app_name = "messages"

urlpatterns = [
    path("", views.message_list, name="list"),
    path("read", views.mark_read_view, name="read"),
]
