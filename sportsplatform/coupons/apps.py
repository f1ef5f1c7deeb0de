from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CouponsConfig(AppConfig):
    name = "sportsplatform.coupons"
    label = "coupons"
    verbose_name = _("Consumption coupons")

    def ready(self):
        from sportsplatform.backoffice.demo import register_seed_step
        from sportsplatform.orders.domain.signals import order_releasing
        from sportsplatform.portal.navigation import NavEntry, register

        from . import permissions
        from .demo import seed_coupons
        from .domain.checkout import release_on_order_release

        # Inside the order's transaction: the coupon comes back with the cancellation, or not at all.
        order_releasing.connect(release_on_order_release, dispatch_uid="coupons.release_on_order_release")
        permissions.register()
        register(
            NavEntry(
                "coupons",
                _("Coupons"),
                "coupons:index",
                "check",
                25,
                _("Sports consumption coupons from the sports bureaus: claim them and save on bookings."),
            )
        )
        register_seed_step(55, seed_coupons, name="coupons")
