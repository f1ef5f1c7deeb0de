"""Journey: switch the site to English and back; the choice holds on the next pages."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import BROWSER

from .axe import assert_accessible
from .helpers import t

pytestmark = BROWSER

PLATFORM = "Sichuan Digital Sports Venue Platform"


def test_language_switch_to_english_and_back_holds_across_pages(new_page, screen, transactional_db):
    page = new_page(screen)
    html = page.locator("html")
    heading = page.get_by_role("heading", level=1)

    page.goto("/")
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(heading).to_have_text(t(PLATFORM))
    assert t(PLATFORM) != PLATFORM, "the zh-hans catalogue does not translate the platform name"
    assert_accessible(page)

    switch = page.get_by_role("group", name=t("Language"))
    switch.get_by_role("button", name="EN").click()

    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text(PLATFORM)
    expect(page.get_by_role("group", name="Language").get_by_role("button", name="EN")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_accessible(page, label="English")

    # Another page, reached by a link: still English.
    page.get_by_role("link", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(html).to_have_attribute("lang", "en")
    expect(heading).to_have_text("Sign in")
    assert_accessible(page, label="English")

    # And back to Chinese, staying on the page.
    page.get_by_role("group", name="Language").get_by_role("button", name="中文").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(html).to_have_attribute("lang", "zh-hans")
    expect(heading).to_have_text(t("Sign in"))
    page.goto("/")
    expect(heading).to_have_text(t(PLATFORM))
