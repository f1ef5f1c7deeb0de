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

        # --- booking operations: slot upkeep, closures, no-shows, messages, back office, demo
        from sportsplatform.backoffice.demo import register_seed_step
        from sportsplatform.notifications import receivers

        from .demo import seed_booking
        from .domain import closures

        closures.connect()
        receivers.connect()
        register_seed_step(50, seed_booking, name="booking")
        _grant_booking_permissions()
        _register_booking_nav()


def _grant_booking_permissions() -> None:
    from sportsplatform.accounts.models import Role
    from sportsplatform.core.roles import grant

    def perms(model, *actions):
        return [f"booking.{action}_{model}" for action in actions]

    crud = ("view", "add", "change", "delete")
    grant(
        Role.PLATFORM_ADMIN,
        *perms("bookingpolicy", *crud),
        *perms("pricerule", *crud),
        *perms("holidaydate", *crud),
        *perms("slot", "view", "change"),
        *perms("bookingitem", "view"),
        *perms("ticket", "view"),
        *perms("bookingsuspension", "view", "change"),
    )
    grant(
        Role.OPERATOR_STAFF,
        *perms("bookingpolicy", *crud),
        *perms("pricerule", *crud),
        *perms("slot", "view", "change"),
        *perms("bookingitem", "view"),
        *perms("ticket", "view"),
    )
    grant(
        Role.BUREAU_OFFICIAL,
        *perms("bookingpolicy", "view"),
        *perms("pricerule", "view"),
        *perms("holidaydate", "view"),
        *perms("slot", "view"),
        *perms("bookingitem", "view"),
        *perms("ticket", "view"),
    )


def _register_booking_nav() -> None:
    from sportsplatform.backoffice.navigation import NavItem, register_nav_group

    register_nav_group(
        "booking",
        order=35,
        title=_("Booking management"),
        items=[
            NavItem(_("Slots"), "event_available", "admin:booking_slot_changelist", "booking.view_slot"),
            NavItem(_("Booked slots"), "confirmation_number", "admin:booking_bookingitem_changelist",
                    "booking.view_bookingitem"),
            NavItem(_("E-tickets"), "qr_code_2", "admin:booking_ticket_changelist", "booking.view_ticket"),
            NavItem(_("Booking policies"), "rule", "admin:booking_bookingpolicy_changelist",
                    "booking.view_bookingpolicy"),
            NavItem(_("Price rules"), "sell", "admin:booking_pricerule_changelist", "booking.view_pricerule"),
            NavItem(_("Holiday calendar"), "calendar_month", "admin:booking_holidaydate_changelist",
                    "booking.view_holidaydate"),
            NavItem(_("Booking suspensions"), "block", "admin:booking_bookingsuspension_changelist",
                    "booking.view_bookingsuspension"),
        ],
    )  # fmt: skip
