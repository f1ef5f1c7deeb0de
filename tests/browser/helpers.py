"""Small helpers for the journeys."""

from __future__ import annotations

import time

from django.utils import translation

from sportsplatform.accounts.sms import console


def t(msgid: str, language: str = "zh-hans") -> str:
    """`msgid` as the page shows it in `language`: journeys name elements by their English
    msgid and find them in whatever the catalogue says, so rewording a translation does not
    break a test, while a missing translation still shows (the page would be in English)."""
    with translation.override(language):
        return translation.gettext(msgid)


def sms_code_for(phone: str, *, timeout_s: float = 5.0) -> str:
    """The last login code the console SMS backend "sent" to `phone`. live_server runs in this
    process, so its outbox is ours to read."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        sent = [sms for sms in console.outbox if sms.phone == phone]
        if sent:
            return sent[-1].code
        time.sleep(0.05)
    raise AssertionError(f"no SMS code was sent to {phone} (console outbox: {len(console.outbox)} messages)")


def root_font_size(page) -> float:
    """The computed font size of <html> in CSS pixels (rem-based layouts scale with it), once
    the page's stylesheets have loaded (a click only waits for the navigation to commit)."""
    page.wait_for_load_state("load")
    return float(page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)"))
