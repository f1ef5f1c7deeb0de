"""Journey (issue 5): a user on a phone finds a venue (list → detail → 预订), books two times, pays
with the sandbox gateway (its cashier page → 确认支付; the callback arrives through the task queue,
eager in tests) and sees the QR e-ticket; the venue's operator checks the ticket in by typing its
code, and a second check-in of the same ticket is refused with a clear message.

JOURNEY_SCREENSHOTS=<dir> also saves 375 px and desktop screenshots of the grid, checkout, ticket
and check-in pages there (for looking at them, not for asserting)."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sportsplatform.accounts.models import Organisation
from sportsplatform.booking.domain.slots import generate_slots
from sportsplatform.booking.models import BookingPolicy, Slot, Ticket
from sportsplatform.orders.models import Order, OrderStatus
from sportsplatform.venues.models import Sport
from tests.support.browser import BROWSER
from tests.venues.factories import make_court, make_venue

from .axe import assert_accessible
from .helpers import t

pytestmark = BROWSER

SHOTS = os.environ.get("JOURNEY_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{page.screen_name}.png"), full_page=True)


@pytest.fixture
def venue(operator_user, transactional_db):
    Sport.objects.get_or_create(code="badminton", defaults={"name": "羽毛球", "name_en": "Badminton", "order": 0})
    organisation = Organisation.objects.get(memberships__user=operator_user)
    venue = make_venue(name="武侯全民健身中心", operator=organisation, sports=("badminton",))
    # The desk may check in from two days ahead here, so the journey can use tomorrow's times.
    BookingPolicy.objects.create(venue=venue, checkin_opens_minutes=2 * 24 * 60)
    make_court(venue, name="1号场")
    make_court(venue, name="2号场")
    day = timezone.localdate() + timedelta(days=1)
    generate_slots(venue=venue, start=day, days=1)  # idempotent: court changes may have made them already
    slots = list(Slot.objects.filter(venue=venue, date=day).order_by("start", "court__name"))
    return venue, slots


def test_user_books_two_times_pays_with_sandbox_and_the_operator_checks_the_ticket_in(
    new_page, public_user, operator_user, venue
):
    venue, slots = venue
    page = new_page("phone", user=public_user)

    # Find the venue and open its booking grid.
    page.goto("/venues/")
    assert_accessible(page)
    page.get_by_role("link", name=venue.name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(venue.name)
    assert_accessible(page)
    page.get_by_role("link", name=t("Book online"), exact=True).click()
    expect(page).to_have_url(re.compile(rf"/booking/venues/{venue.pk}/"))
    assert_accessible(page, label="today")

    day = slots[0].date
    page.get_by_role("navigation", name=t("Choose a day")).locator(f"a[href='?date={day.isoformat()}']").click()
    expect(page).to_have_url(re.compile(rf"date={day.isoformat()}"))
    page.get_by_role("checkbox", name=re.compile("1号场 10:00")).check()
    page.get_by_role("checkbox", name=re.compile("2号场 11:00")).check()
    summary = page.locator(".booking-summary")
    expect(summary.locator("[data-chosen] li")).to_have_count(2)
    expect(summary).to_contain_text("¥80.00")
    assert_accessible(page, label="two chosen")
    shot(page, "grid")

    page.get_by_role("button", name=t("Go to checkout")).click()
    expect(page).to_have_url(re.compile(r"/orders/\d+/pay$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Checkout"))
    expect(page.locator("[data-amount]")).to_have_text("¥80.00")
    order = Order.objects.get(user=public_user)
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert_accessible(page)
    shot(page, "checkout")

    page.locator("input[name=method][value=sandbox]").check()
    page.get_by_role("button", name=re.compile(r"80\.00")).click()

    # The sandbox gateway's cashier page.
    expect(page).to_have_url(re.compile(r"/payments/sandbox/"))
    assert_accessible(page)
    page.get_by_role("button", name=t("Confirm payment")).click()
    page.get_by_role("link", name=t("Back to the order")).click()

    # The order page waits for the callback (asynchronous), then shows the ticket link.
    expect(page).to_have_url(re.compile(rf"/orders/{order.pk}/$"))
    ticket_link = page.get_by_role("link", name=t("Show my e-ticket"))
    for _attempt in range(20):
        if ticket_link.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert_accessible(page)
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    ticket_link.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(t("E-ticket"))
    ticket = Ticket.objects.get(order=order)
    expect(page.locator(".ticket-qr svg")).to_be_visible()
    expect(page.locator(".ticket-code")).to_contain_text(ticket.code[:4])
    expect(page.locator(".ticket")).to_contain_text("1号场")
    expect(page.locator(".ticket")).to_contain_text("2号场")
    assert_accessible(page)
    shot(page, "ticket")

    # The operator's desk: type the code; a second check-in is refused.
    desk = new_page("desktop", user=operator_user)
    desk.goto("/booking/operator/check-in/")
    expect(desk.locator(".desk-title")).to_have_text(t("Ticket check-in"))
    assert_accessible(desk)
    desk.get_by_label(t("Ticket code or scanned QR content")).fill(ticket.code)
    desk.get_by_role("button", name=t("Check in"), exact=True).click()
    result = desk.get_by_role("status")
    expect(result).to_contain_text(t("Checked in"))
    expect(result).to_contain_text(public_user.masked_phone)
    expect(result).to_contain_text("1号场")
    assert_accessible(desk, label="checked in")
    shot(desk, "check-in")

    desk.get_by_label(t("Ticket code or scanned QR content")).fill(ticket.code)
    desk.get_by_role("button", name=t("Check in"), exact=True).click()
    refusal = desk.get_by_role("alert")
    expect(refusal).to_contain_text(t("Not checked in"))
    expect(refusal).to_contain_text(re.compile("已于.*使用|already used"))
    assert_accessible(desk, label="refused")
    shot(desk, "check-in-refused")
    order.refresh_from_db()
    assert order.status == OrderStatus.USED

    # The user's ticket now says when it was used.
    page.reload()
    expect(page.locator("[data-ticket-state='used']")).to_be_visible()
    assert_accessible(page, label="used")
