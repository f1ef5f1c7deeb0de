from django.urls import path

from . import views

app_name = "coupons"

urlpatterns = [
    path("", views.coupon_index, name="index"),
    path("<int:batch_id>/claim/", views.coupon_claim, name="claim"),
    path("mine/", views.coupon_mine, name="mine"),
    path("orders/<int:order_id>/", views.order_coupon, name="order"),
]
