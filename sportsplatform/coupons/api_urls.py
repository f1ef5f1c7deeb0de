from django.urls import path

from . import api

# <str:…>, not <int:…>: authentication answers before the id is judged (401 for any id without a
# token); a malformed id from a signed-in caller is a JSON 404 (as orders/api_urls.py).
urlpatterns = [
    path("coupons", api.BatchListView.as_view(), name="coupon-batches"),
    path("coupons/<str:batch_id>/claim", api.ClaimView.as_view(), name="coupon-claim"),
    path("me/coupons", api.MyCouponsView.as_view(), name="me-coupons"),
    path("orders/<str:order_id>/coupon", api.OrderCouponView.as_view(), name="order-coupon"),
]
