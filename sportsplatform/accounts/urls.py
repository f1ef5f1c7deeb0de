from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("staff/login/", views.password_login_view, name="password_login"),
    path("staff/two-factor/", views.otp_verify_view, name="otp_verify"),
    path("staff/two-factor/setup/", views.otp_setup_view, name="otp_setup"),
    path("logout/", views.logout_view, name="logout"),
    path("me/", views.me_view, name="me"),
    path("password/", views.password_change_view, name="password_change"),
]
