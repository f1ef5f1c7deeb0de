"""Orders API routes, relative to /api/v1/ (included by sportsplatform.api.urls)."""

from django.urls import path

from . import api

# <str:pk>, not <int:pk>: authentication answers before the id is judged (401 for any id without a
# token); a malformed id from a signed-in caller is a JSON 404.
urlpatterns = [
    path("orders/<str:pk>", api.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<str:pk>/pay", api.OrderPayView.as_view(), name="order-pay"),
    path("orders/<str:pk>/cancel", api.OrderCancelView.as_view(), name="order-cancel"),
    path("me/orders", api.MyOrdersView.as_view(), name="me-orders"),
]
