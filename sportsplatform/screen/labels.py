"""Texts the screen's script shows (chart titles, tooltips, units), translated on the server and
handed to the page as JSON: the charts speak the page's language (Chinese by default)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def screen_labels() -> dict[str, str]:
    return {
        "visitors": _("Visitors today"),
        "inside": _("Inside now"),
        "venues": _("Venues"),
        "public": pgettext("venue ownership", "Public"),
        "private": pgettext("venue ownership", "Private"),
        "openNow": _("Open now"),
        "facilities": _("Fitness facilities"),
        "bookingsToday": _("Bookings today"),
        "revenueToday": _("Revenue today"),
        "areaPerPerson": _("Sports area per person"),
        "population": _("Population (2020 census)"),
        "siteArea": _("Site area"),
        "entries": _("Entries"),
        "exits": _("Exits"),
        "noData": _("No data"),
        "peopleUnit": _("people"),
        "visitsUnit": _("visits"),
        "venueUnit": _("venues"),
        "squareMetres": "m²",
        "hourSuffix": pgettext("hour of the day, after the number", ":00"),
        "trendVisitors": _("Visitors"),
        "trendBookings": _("Bookings"),
        "trendRevenue": _("Revenue (yuan)"),
        "live": _("Live"),
        "polling": _("Refreshing every few seconds"),
        "offline": _("Connection lost, retrying"),
        "shareOfVenues": _("Share of venues"),
        "open": _("Open"),
        "closed": _("Closed"),
    }
