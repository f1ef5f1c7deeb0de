"""Journey: the elderly-friendly large-text mode. Switched on once, it stays on from page to
page (a cookie, read when the page is rendered), and the pages still pass WCAG 2.1 AA in it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import BROWSER

from .axe import assert_accessible
from .helpers import root_font_size, t

pytestmark = BROWSER


def test_large_text_mode_persists_across_pages_and_stays_accessible(new_page, screen, transactional_db):
    page = new_page(screen)
    html = page.locator("html")
    toggle = page.get_by_role("button", name=t("Large text"))

    page.goto("/")
    normal = root_font_size(page)
    expect(toggle).to_have_attribute("aria-pressed", "false")
    assert_accessible(page)

    toggle.click()

    expect(html).to_have_class(re.compile(r"\blarge-text\b"))
    expect(toggle).to_have_attribute("aria-pressed", "true")
    large = root_font_size(page)
    assert large >= normal * 1.2, f"large-text mode should enlarge the text (html font-size {normal}px → {large}px)"
    assert_accessible(page, label="large text")

    page.get_by_role("link", name=t("Log in")).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(html).to_have_class(re.compile(r"\blarge-text\b"))
    assert root_font_size(page) == pytest.approx(large)
    assert_accessible(page, label="large text")

    # A fresh visit (new tab, same browser): still large.
    second = page.context.new_page()
    second.goto("/accounts/login/")
    expect(second.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))

    toggle.click()
    expect(html).not_to_have_class(re.compile(r"\blarge-text\b"))
    assert root_font_size(page) == pytest.approx(normal)
