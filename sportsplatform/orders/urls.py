from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/pay", views.pay, name="pay"),
    path("<int:pk>/pay/wechat/<int:payment_id>/", views.wechat_qr, name="wechat_qr"),
    path("<int:pk>/status", views.status, name="status"),
    path("<int:pk>/cancel", views.cancel, name="cancel"),
    path("<int:pk>/ticket/", views.ticket, name="ticket"),
]
