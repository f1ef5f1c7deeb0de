"""The booking desk in the back-office sidebar. Called from BookingConfig.ready().

Operators (and platform admins) check tickets in and refund; bureau officials look at calendars and
refunds read-only. The views decide that by role; the permissions below (granted with the booking
admin's) only choose who sees each sidebar item."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def register_navigation() -> None:
    from sportsplatform.backoffice.navigation import NavItem, register_nav_group

    register_nav_group(
        "booking_desk",
        order=25,
        title=_("Booking desk"),
        items=[
            NavItem(_("Booking calendar"), "calendar_month", "booking:operator_venues", "booking.view_slot"),
            # change_slot: operators and admins, not the read-only bureau officials.
            NavItem(_("Ticket check-in"), "qr_code_scanner", "booking:operator_check_in", "booking.change_slot"),
            NavItem(_("Refunds"), "currency_exchange", "booking:operator_refunds", "booking.view_slot"),
        ],
    )
