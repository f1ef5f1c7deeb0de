from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "sportsplatform.booking"
    label = "booking"
    verbose_name = _("Booking")

    def ready(self):
        from sportsplatform.orders.domain.kinds import register_order_kind

        from .domain.handler import BookingOrderHandler

        register_order_kind(BookingOrderHandler())

        from .navigation import register_navigation

        register_navigation()
