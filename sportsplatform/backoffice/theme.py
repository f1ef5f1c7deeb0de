"""django-unfold configuration (imported by settings). Kept here so the back-office team owns it.

Everything is served from our own static files (unfold bundles Inter and Material Symbols; the
CJK font stack below uses fonts already on the user's machine): no CDN, no Google Fonts."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


def _static(path: str):
    # Imported on use: settings import this module before Django is set up.
    from django.templatetags.static import static

    return static(path)


UNFOLD = {
    "SITE_TITLE": _("Sichuan Digital Sports Venues · Management"),
    "SITE_HEADER": _("Venue management platform"),
    "SITE_SUBHEADER": _("Sichuan Digital Sports Venues"),
    "SITE_URL": "/",
    "SITE_SYMBOL": "stadium",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": True,
    "SHOW_LANGUAGES": True,
    "SHOW_BACK_BUTTON": True,
    "STYLES": [lambda request: _static("backoffice/admin.css")],
    "DASHBOARD_CALLBACK": "sportsplatform.backoffice.dashboard.dashboard_callback",
    "COLORS": {
        "primary": {
            "50": "239 246 255",
            "100": "219 234 254",
            "200": "191 219 254",
            "300": "147 197 253",
            "400": "96 165 250",
            "500": "59 130 246",
            "600": "29 78 216",
            "700": "29 64 175",
            "800": "30 58 138",
            "900": "23 37 84",
            "950": "15 23 42",
        },
    },
    "SIDEBAR": {
        "show_search": True,
        "show_all_applications": False,
        # Grouped by task (accounts, divisions, security); apps add groups via register_nav_group.
        "navigation": "sportsplatform.backoffice.navigation.sidebar_navigation",
    },
    "LOGIN": {"redirect_after": lambda request: reverse_lazy("admin:index")},
}
