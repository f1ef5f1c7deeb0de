"""Journey (issue 7, done-when): on a phone, a user finds a paid event with one place (list →
detail → 立即报名), signs up, pays with the sandbox cashier and gets the QR e-ticket; a second
user signs up for the now full event and lands on the waiting list (position 1); the first
withdraws, seeing the refund before confirming; the second is promoted and sees 待支付 with a pay
link on "my events". axe runs on every page.

JOURNEY_SCREENSHOTS=<dir> also saves 375 px and desktop screenshots of the list, detail, sign-up
and my-events pages there (for looking at them, not for asserting)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sportsplatform.booking.models import Ticket
from sportsplatform.core.signups import SignupStatus
from sportsplatform.events.models import FieldKind, Registration
from sportsplatform.orders.models import Order, OrderStatus
from sportsplatform.venues.models import Sport
from tests.events.factories import add_field, make_event, valid_id_number
from tests.support.accounts import make_public_user
from tests.support.browser import BROWSER
from tests.venues.factories import make_venue

from .axe import assert_accessible
from .helpers import t

pytestmark = BROWSER

SHOTS = os.environ.get("JOURNEY_SCREENSHOTS", "")
TITLE = "2026成都天府绿道半程马拉松"


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{page.screen_name}.png"), full_page=True)


@pytest.fixture
def event(transactional_db, sichuan_regions):
    # live_server's transactional tests flush the tables, the sports of the data migration too.
    Sport.objects.get_or_create(code="athletics", defaults={"name": "田径", "name_en": "Athletics", "order": 0})
    venue = make_venue(name="成都市天府绿道驿站")
    event = make_event(
        title=TITLE,
        venue=venue,
        fee="88.00",
        quota=1,
        groups=(("半程马拉松", 1),),
        description="沿天府绿道的半程马拉松，欢迎跑友参加。",
        rules="本次比赛采用中国田径协会审定的最新田径竞赛规则。",
        refund_tiers=[{"hours_before": 72, "percent": 100}, {"hours_before": 24, "percent": 50}],
    )
    add_field(event, key="id_number", label="身份证号", kind=FieldKind.ID_NUMBER)
    add_field(event, key="phone", label="手机号", kind=FieldKind.PHONE)
    add_field(event, key="sos", label="紧急联系人", kind=FieldKind.EMERGENCY_CONTACT)
    make_event(title="锦江区社区趣味运动会", region_code="510107")  # a free one beside it in the list
    return event


def sign_up(page, event, *, name: str, id_number: str, phone: str) -> None:
    page.get_by_label("身份证号").fill(id_number)
    page.get_by_label(t("Participant's name")).fill(name)
    page.get_by_label("手机号", exact=True).fill(phone)
    page.get_by_label(t("%(label)s: name") % {"label": "紧急联系人"}).fill("家属")
    page.get_by_label(t("%(label)s: phone") % {"label": "紧急联系人"}).fill("13700000009")


def test_paid_sign_up_waiting_list_withdraw_and_promotion(new_page, public_user, event):
    page = new_page("phone", user=public_user)

    # Find the event in the list and open it.
    page.goto("/events/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Events"))
    assert_accessible(page)
    shot(page, "event-list")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator("[data-fee]")).to_have_text("¥88.00")
    assert_accessible(page)
    shot(page, "event-detail")

    # Sign up: first a wrong ID number (kept, with the error beside it), then a right one.
    page.get_by_role("link", name=t("Sign up now")).click()
    expect(page).to_have_url(re.compile(rf"/events/{event.pk}/register/$"))
    assert_accessible(page)
    shot(page, "event-register")
    good_id = valid_id_number("19900101")
    wrong_id = good_id[:-1] + ("1" if good_id[-1] != "1" else "2")
    sign_up(page, event, name="张跑跑", id_number=wrong_id, phone="13800000001")
    page.get_by_role("button", name=t("Submit sign-up")).click()
    expect(page.locator("[data-field-error='q_id_number']")).to_be_visible()
    expect(page.get_by_label(t("Participant's name"))).to_have_value("张跑跑")
    assert_accessible(page, label="errors")
    shot(page, "event-register-errors")
    page.get_by_label("身份证号").fill(good_id)
    page.get_by_role("button", name=t("Submit sign-up")).click()

    # Paid: the checkout, the sandbox cashier, back to the order, the ticket.
    expect(page).to_have_url(re.compile(r"/orders/\d+/pay$"))
    first = Registration.objects.get(user=public_user)
    assert first.status == SignupStatus.PENDING_PAYMENT
    expect(page.locator("[data-amount]")).to_have_text("¥88.00")
    assert_accessible(page)
    page.locator("input[name=method][value=sandbox]").check()
    page.get_by_role("button", name=re.compile(r"88\.00")).click()
    expect(page).to_have_url(re.compile(r"/payments/sandbox/"))
    assert_accessible(page)
    page.get_by_role("button", name=t("Confirm payment")).click()
    page.get_by_role("link", name=t("Back to the order")).click()
    expect(page).to_have_url(re.compile(rf"/orders/{first.order_id}/$"))
    ticket_link = page.get_by_role("link", name=t("Show my e-ticket"))
    for _attempt in range(20):
        if ticket_link.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert_accessible(page)
    ticket_link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("E-ticket"))
    expect(page.locator(".ticket-qr svg")).to_be_visible()
    ticket = Ticket.objects.get(order_id=first.order_id)
    expect(page.locator(".ticket-code")).to_contain_text(ticket.code[:4])
    assert_accessible(page)
    first.refresh_from_db()
    assert first.status == SignupStatus.CONFIRMED

    # The event is full: a second user lands on the waiting list, number 1.
    second_user = make_public_user(phone="13912340002")
    other = new_page("phone", user=second_user)
    other.goto(f"/events/{event.pk}/")
    expect(other.locator("[data-signup-state='waitlist']").first).to_be_visible()
    assert_accessible(other)
    other.get_by_role("link", name=t("Join the waiting list")).click()
    assert_accessible(other)
    sign_up(other, event, name="李候补", id_number=valid_id_number("19920202", sequence="456"), phone="13800000002")
    other.get_by_role("button", name=t("Join the waiting list")).click()
    expect(other.get_by_role("heading", level=1)).to_have_text(t("You are on the waiting list"))
    expect(other.locator("[data-waitlist-position]")).to_contain_text("1")
    assert_accessible(other)
    second = Registration.objects.get(user=second_user)
    assert second.status == SignupStatus.WAITLISTED and second.order_id is None

    # The first withdraws from "my events": the refund is shown before confirming.
    page.goto("/events/mine/")
    expect(page.locator(f"[data-registration='{first.pk}'] [data-status='confirmed']")).to_be_visible()
    expect(page.get_by_role("link", name=t("E-ticket (QR)"))).to_be_visible()
    assert_accessible(page)
    shot(page, "event-mine")
    page.get_by_role("link", name=t("Withdraw")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Withdraw from the event"))
    expect(page.locator("[data-refund-amount]")).to_contain_text("88.00")
    assert_accessible(page)
    shot(page, "event-withdraw")
    page.get_by_role("button", name=t("Withdraw")).click()
    expect(page).to_have_url(re.compile(r"/events/mine/$"))
    expect(page.locator(".messages")).to_contain_text("88.00")
    expect(page.locator(f"[data-registration='{first.pk}'] [data-status='withdrawn']")).to_be_visible()
    assert_accessible(page, label="withdrawn")
    first.refresh_from_db()
    assert first.status == SignupStatus.WITHDRAWN
    first_order = Order.objects.get(pk=first.order_id)
    assert first_order.status in (OrderStatus.REFUNDED, OrderStatus.CANCELLED)

    # The second is promoted: awaiting payment, with a pay link.
    other.goto("/events/mine/")
    row = other.locator(f"[data-registration='{second.pk}']")
    expect(row.locator("[data-status='pending_payment']")).to_have_text(t("Awaiting payment"))
    expect(row.get_by_role("link", name=re.compile(r"88\.00"))).to_be_visible()
    assert_accessible(other)
    shot(other, "event-mine-promoted")
    second.refresh_from_db()
    assert second.status == SignupStatus.PENDING_PAYMENT
    row.get_by_role("link", name=re.compile(r"88\.00")).click()
    expect(other).to_have_url(re.compile(rf"/orders/{second.order_id}/pay$"))
    assert_accessible(other)


@pytest.mark.parametrize("screen_name", ["phone", "desktop"])
def test_event_pages_look_right_on_each_screen(new_page, public_user, event, screen_name):
    """The list, detail, sign-up and my-events pages pass axe on both screens and lay out
    without sideways scrolling."""
    page = new_page(screen_name, user=public_user)
    for path, name in [
        ("/events/", "list"),
        (f"/events/{event.pk}/", "detail"),
        (f"/events/{event.pk}/register/", "register"),
        ("/events/mine/", "mine"),
    ]:
        page.goto(path)
        assert_accessible(page, label=name)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on {screen_name}"
        shot(page, f"screens-{name}")


def test_organiser_check_in_desk_refuses_an_unknown_code(new_page, event):
    """The organiser's staff reach the desk from the event page; a made-up code is refused with
    a clear message and the count stays."""
    from sportsplatform.accounts.models import Membership

    staff = Membership.objects.filter(organisation=event.organiser).first().user
    desk = new_page("desktop", user=staff)
    desk.goto(f"/events/{event.pk}/")
    assert_accessible(desk)
    desk.get_by_role("link", name=t("Check-in desk")).click()
    expect(desk.get_by_role("heading", level=1)).to_have_text(t("Event check-in"))
    expect(desk.locator("[data-checked-in]")).to_have_attribute("data-checked-in", "0")
    assert_accessible(desk)
    desk.get_by_label(t("Ticket code or scanned QR content")).fill("000000000000")
    desk.get_by_role("button", name=t("Check in"), exact=True).click()
    expect(desk.get_by_role("alert")).to_contain_text(t("Not checked in"))
    assert_accessible(desk, label="refused")
    shot(desk, "event-checkin")


def test_choosing_a_city_offers_its_counties(new_page, event):
    page = new_page("phone")
    page.goto("/events/")
    assert_accessible(page)
    page.get_by_text(t("Filters")).click()
    page.get_by_label(t("City / prefecture")).select_option("510100")
    expect(page).to_have_url(re.compile(r"city=510100"))
    county = page.get_by_label(t("County / district"))
    expect(county).to_be_enabled()
    county.select_option("510107")
    page.get_by_role("button", name=t("Apply filters")).click()
    expect(page).to_have_url(re.compile(r"county=510107"))
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert_accessible(page, label="filtered")
