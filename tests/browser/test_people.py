"""The logged-in fixtures: each kind of user reaches their account page, signed in, with the
roles and region the back office gave them. Later journeys start from these fixtures."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import BROWSER

from .axe import assert_accessible
from .helpers import t

pytestmark = BROWSER


@pytest.mark.parametrize(
    ("page_fixture", "region_code"),
    [
        ("public_user_page", None),
        ("operator_page", "510107"),
        ("county_official_page", "510107"),
        ("city_official_page", "510100"),
        ("province_official_page", "510000"),
    ],
)
def test_logged_in_fixture_reaches_my_account(request, page_fixture, region_code):
    page = request.getfixturevalue(page_fixture)

    page.goto("/accounts/me/")

    expect(page.get_by_role("heading", level=1)).to_have_text(t("My account"))
    expect(page.get_by_role("link", name=t("Log in"))).to_have_count(0)
    if region_code:
        expect(page.get_by_text(f"({region_code})")).to_be_visible()
    assert_accessible(page)
