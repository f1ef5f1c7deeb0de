"""Context every public page needs: navigation, language switch, large-text mode, the year."""

from django.conf import settings
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

from .navigation import footer_links, visible_entries

LARGE_TEXT_COOKIE = "large_text"

# How each language names itself on the switch (not translated on purpose).
LANGUAGE_SWITCH_LABELS = {"zh-hans": "中文", "en": "EN"}


def is_large_text(request) -> bool:
    return request.COOKIES.get(LARGE_TEXT_COOKIE) == "1"


def site(request):
    match = getattr(request, "resolver_match", None)
    current_view = match.view_name if match else None
    current_language = get_language()
    return {
        # Lazy: admin and API pages render with this processor too and never read the menu.
        "nav_entries": SimpleLazyObject(lambda: visible_entries(current_view=current_view)),
        "footer_links": SimpleLazyObject(footer_links),
        "LARGE_TEXT": is_large_text(request),
        "LANGUAGE_SWITCH": [
            {
                "code": code,
                "name": name,
                "label": LANGUAGE_SWITCH_LABELS.get(code, code),
                "current": code == current_language,
            }
            for code, name in settings.LANGUAGES
        ],
        "current_year": timezone.localdate().year,
    }
