"""Journey: a member of the public signs in with a text-message code from the home page and
finds their account, on a phone and on a desktop."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import BROWSER

from .axe import assert_accessible
from .helpers import sms_code_for, t

pytestmark = BROWSER

PHONE = "13912345678"
MASKED = "139****5678"


def test_sign_in_by_sms_code_from_home_reaches_my_account(new_page, screen, transactional_db):
    page = new_page(screen)

    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name=t("Log in")).click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Sign in"))
    assert_accessible(page)
    page.get_by_label(t("Mobile phone number")).fill(PHONE)
    page.get_by_role("button", name=t("Send code")).click()
    expect(page.get_by_role("status").filter(has_text=MASKED)).to_be_visible()
    assert_accessible(page, label="code sent")
    page.get_by_label(t("Verification code")).fill(sms_code_for(PHONE))
    page.get_by_role("button", name=t("Sign in"), exact=True).click()

    # Back where the user came from, now signed in.
    expect(page).to_have_url(re.compile(r"/$"))
    assert_accessible(page, label="signed in")
    page.get_by_role("link", name=t("My account")).click()
    expect(page).to_have_url(re.compile(r"/accounts/me/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("My account"))
    phone_row = page.locator("dt", has_text=t("Mobile phone")).locator("xpath=following-sibling::dd[1]")
    expect(phone_row).to_have_text(MASKED)
    expect(page.get_by_text(PHONE)).to_have_count(0)  # the full number is never shown
    assert_accessible(page)


def test_wrong_sms_code_is_refused_with_an_announced_error(new_page, transactional_db):
    page = new_page("phone")

    page.goto("/accounts/login/")
    page.get_by_label(t("Mobile phone number")).fill(PHONE)
    page.get_by_role("button", name=t("Send code")).click()
    expect(page.get_by_role("status").filter(has_text=MASKED)).to_be_visible()
    wrong = "000000" if sms_code_for(PHONE) != "000000" else "111111"
    page.get_by_label(t("Verification code")).fill(wrong)
    page.get_by_role("button", name=t("Sign in"), exact=True).click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    code_field = page.get_by_label(t("Verification code"))
    expect(code_field).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, label="wrong code")
