from django.urls import path

from . import api

urlpatterns = [
    path("coupons", api.BatchListView.as_view(), name="coupon-batches"),
    path("coupons/<int:batch_id>/claim", api.ClaimView.as_view(), name="coupon-claim"),
    path("me/coupons", api.MyCouponsView.as_view(), name="me-coupons"),
    path("orders/<int:order_id>/coupon", api.OrderCouponView.as_view(), name="order-coupon"),
]
