"""Journey: on a phone, a member of the public claims a consumption coupon in the coupon centre,
finds it under My coupons, tops up the sports card with ¥100 through the sandbox gateway (checkout
→ cashier → 确认支付, the signed callback credits the card) and sees the balance and the statement."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from sportsplatform.coupons.models import Coupon
from tests.browser.axe import assert_accessible
from tests.browser.helpers import t
from tests.coupons.factories import make_batch
from tests.support.browser import BROWSER

pytestmark = BROWSER


def tp(context: str, msgid: str) -> str:
    """t() for a msgid with a context."""
    with translation.override("zh-hans"):
        return translation.pgettext(context, msgid)


@pytest.fixture
def batch(sichuan_regions, transactional_db):
    return make_batch(name="成都市全民健身消费券 满50减20", face="20", min_spend="50", total=100)


def test_user_claims_a_coupon_and_tops_up_the_card_with_sandbox(new_page, public_user, batch):
    page = new_page("phone", user=public_user)

    page.goto("/coupons/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Coupon centre"))
    assert_accessible(page)
    coupon = page.locator(f"#batch-{batch.pk}")
    coupon.get_by_role("button", name=re.compile(tp("coupon", "Claim"))).click()
    # htmx swaps the coupon in place.
    expect(page.locator(f"#batch-{batch.pk}")).to_contain_text(t("Claimed! It is in My coupons."))
    assert_accessible(page, label="claimed")
    assert Coupon.objects.filter(batch=batch, user=public_user).count() == 1

    page.get_by_role("link", name=t("My coupons")).click()
    expect(page).to_have_url(re.compile(r"/coupons/mine/$"))
    expect(page.locator(".coupon-list")).to_contain_text(batch.name)
    assert_accessible(page)

    page.goto("/card/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Sports card"))
    expect(page.locator("[data-card]")).to_contain_text("0.00")
    assert_accessible(page, label="no card yet")
    page.get_by_role("button", name="¥100").click()

    # The checkout of the top-up order, then the sandbox gateway's cashier.
    expect(page).to_have_url(re.compile(r"/orders/\d+/pay$"))
    assert_accessible(page)
    page.locator("input[name=method][value=sandbox]").check()
    page.get_by_role("button", name=re.compile(r"100\.00")).click()
    expect(page).to_have_url(re.compile(r"/payments/sandbox/"))
    assert_accessible(page)
    page.get_by_role("button", name=t("Confirm payment")).click()
    expect(page.get_by_role("status")).to_be_visible()

    page.goto("/card/")
    expect(page.locator("[data-balance]")).to_contain_text("100.00")
    statement = page.locator("[data-statement]")
    expect(statement.locator("[data-entry]")).to_have_count(1)
    expect(statement).to_contain_text("+100.00")
    expect(statement).to_contain_text(t("Top-up"))
    assert_accessible(page, label="topped up")
