"""The site shell in a real browser (Debian's Chromium through Playwright, on live_server):
the phone menu works from the keyboard, the large-text toggle persists, and axe finds no
serious WCAG 2.1 AA problem in either language or text size."""

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AXE_JS = Path(__file__).resolve().parents[2] / "sportsplatform" / "static" / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
DESKTOP = {"viewport": {"width": 1440, "height": 900}, "locale": "zh-CN"}


@pytest.fixture(scope="module")
def browser(chromium_browser):
    """The shared Chromium of tests/support/browser.py (fails under CI when it is missing)."""
    return chromium_browser


@pytest.fixture
def open_page(browser, live_server):
    contexts = []

    def make(options, cookies=()):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10000)
        context.add_cookies([{"name": name, "value": value, "url": live_server.url} for name, value in cookies])
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
        return page

    yield make
    for context in contexts:
        context.close()


def serious_axe_violations(page):
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            resultTypes: ["violations"]})"""
    )
    return [
        (v["id"], [n["html"][:120] for n in v["nodes"]])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_phone_menu_opens_and_closes_from_the_keyboard(open_page, transactional_db):
    page = open_page(PHONE)
    page.goto("/")
    toggle = page.locator("[data-nav-toggle]")
    nav = page.locator("#site-nav")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not nav.is_visible()

    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert nav.is_visible()

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#site-nav') !== null")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.hasAttribute('data-nav-toggle')")
    assert page.errors == []


def test_large_text_toggle_persists_across_pages_and_visits(open_page, transactional_db):
    page = open_page(DESKTOP)
    page.goto("/")
    normal_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")

    page.locator(".large-text-toggle button").click()
    page.wait_for_load_state()

    assert page.evaluate("document.documentElement.classList.contains('large-text')")
    assert page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)") >= normal_size * 1.25
    assert page.locator(".large-text-toggle button").get_attribute("aria-pressed") == "true"
    page.goto("/")  # a later visit: the cookie is read on the server
    assert page.evaluate("document.documentElement.classList.contains('large-text')")


@pytest.mark.parametrize("options", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize(
    "cookies",
    [(), (("django_language", "en"),), (("large_text", "1"),)],
    ids=["zh", "en", "large-text"],
)
def test_home_page_has_no_serious_accessibility_violations(open_page, transactional_db, options, cookies):
    page = open_page(options, cookies)
    page.goto("/")

    assert serious_axe_violations(page) == []
    assert page.errors == []
