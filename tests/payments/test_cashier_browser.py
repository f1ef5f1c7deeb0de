"""The sandbox cashier page in Chromium, on a phone and a desktop: the amount and the deadline, the
确认支付 tap that pays the order (the signed callback arrives through the task queue, eager here),
and the refusal after the deadline — each state checked with axe.

CASHIER_SCREENSHOTS=<dir> saves the pages there (for looking at them, not for asserting)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sportsplatform.orders.models import OrderStatus
from sportsplatform.payments.models import SandboxTrade
from sportsplatform.venues.models import Sport
from tests.browser.axe import assert_accessible
from tests.browser.helpers import t
from tests.support.browser import BROWSER

from .helpers import booking_order, start_sandbox

pytestmark = BROWSER
SHOTS = os.environ.get("CASHIER_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{page.screen_name}.png"), full_page=True)


@pytest.fixture
def sports(sichuan_regions):
    # live_server tests run on a flushed database: the sports the data migration loads are gone.
    Sport.objects.get_or_create(code="badminton", defaults={"name": "羽毛球", "name_en": "Badminton", "order": 0})


def test_payer_confirms_on_the_cashier_page_and_the_order_is_paid(new_page, screen, sports, live_server):
    order = booking_order(slots=2)
    payment = start_sandbox(order)
    page = new_page(screen)

    page.goto(live_server.url + payment.params["pay_url"])

    expect(page.get_by_role("heading", level=1)).to_have_text(t("Sandbox cashier"))
    expect(page.locator(".cashier-amount")).to_have_text("¥80.00")
    expect(page.get_by_text(f"{timezone.localtime(order.expires_at):%Y-%m-%d %H:%M}")).to_be_visible()
    assert_accessible(page)
    shot(page, "cashier")

    page.get_by_role("button", name=t("Confirm payment")).click()

    expect(
        page.get_by_role("status").filter(has_text=t("Paid. The venue has been told; you can close this page."))
    ).to_be_visible()
    expect(page.get_by_role("button", name=t("Confirm payment"))).to_have_count(0)
    assert_accessible(page)
    shot(page, "cashier-paid")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_cashier_refuses_after_the_deadline(phone_page, sports, live_server):
    order = booking_order()
    payment = start_sandbox(order)
    SandboxTrade.objects.filter(out_trade_no=payment.out_trade_no).update(
        time_expire=timezone.now() - timedelta(minutes=1)
    )

    phone_page.goto(live_server.url + payment.params["pay_url"])

    expect(
        phone_page.get_by_text(t("The time to pay has run out. This payment can no longer be made."))
    ).to_be_visible()
    expect(phone_page.get_by_role("button", name=t("Confirm payment"))).to_have_count(0)
    assert_accessible(phone_page)
    shot(phone_page, "cashier-expired")
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
