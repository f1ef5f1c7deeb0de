"""django-unfold configuration (imported by settings). Kept here so the back-office team owns it."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

UNFOLD = {
    "SITE_TITLE": _("Sichuan Digital Sports Venues · Management"),
    "SITE_HEADER": _("Venue management platform"),
    "SITE_URL": "/",
    "SITE_SYMBOL": "stadium",
    "SHOW_HISTORY": True,
    "SHOW_VIEW_ON_SITE": True,
    "SHOW_LANGUAGES": True,
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
        "show_all_applications": True,
    },
    "LOGIN": {"redirect_after": lambda request: reverse_lazy("admin:index")},
}
