"""The subsidy settlement: per venue and batch, the coupons redeemed on orders paid in the period
that are still paid or used — refunded, cancelled and unpaid orders do not count — scoped to what
the viewer may see."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from sportsplatform.booking.domain.holds import create_booking
from sportsplatform.coupons.domain.checkout import apply_coupon
from sportsplatform.coupons.domain.claims import claim_coupon
from sportsplatform.coupons.queries import settlement
from sportsplatform.orders.domain.cancel import cancel_order
from sportsplatform.payments.domain.capture import capture_payment
from tests.booking.factories import make_bookable_venue
from tests.support.accounts import ensure_regions, make_operator
from tests.wallet.helpers import new_user, start_sandbox

from .factories import ensure_sports, make_batch, official

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def scene(django_capture_on_commit_callbacks):
    """Two Chengdu venues (one run by an operator), two batches; coupons on five orders."""
    ensure_regions()
    ensure_sports()
    operator = make_operator(region_code="510107")
    big = make_batch(name="满50减20", face="20", min_spend="50", total=100, per_user=5)
    small = make_batch(name="满40减10", face="10", min_spend="40", total=100, per_user=5)
    orders = {}
    venue_a, slots_a = make_bookable_venue(
        courts=3, slots_per_court=2, region="510107", operator=operator.memberships.get().organisation
    )
    venue_b, slots_b = make_bookable_venue(courts=3, slots_per_court=2, region="510104")
    free = {venue_a.pk: slots_a, venue_b.pk: slots_b}

    def redeemed(key, batch, venue, *, paid=True):
        buyer = new_user()
        slots, free[venue.pk] = free[venue.pk][:2], free[venue.pk][2:]
        order = create_booking(user=buyer, slot_ids=[s.pk for s in slots])
        coupon = claim_coupon(batch=batch, user=buyer, actor=buyer)
        order = apply_coupon(order=order, coupon=coupon, actor=buyer)
        if paid:
            # What the gateway's signed callback leads to (the callback itself: tests/wallet).
            payment = start_sandbox(order)
            capture_payment(payment=payment, provider_transaction_id=f"t-{key}", amount=payment.amount)
        orders[key] = order
        return order

    redeemed("a1", big, venue_a)
    redeemed("a2", big, venue_a)
    redeemed("a3", small, venue_a)
    redeemed("b1", big, venue_b)
    refunded = redeemed("refunded", big, venue_b)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=refunded, actor=refunded.user, reason="退订", full_refund=True)
    redeemed("unpaid", big, venue_b, paid=False)
    return {"big": big, "small": small, "orders": orders, "operator": operator, "venue_a": venue_a}


def today_range():
    today = timezone.localdate()
    return {"start": today - timedelta(days=1), "end": today}


def figures(report):
    return {(r.venue_name, r.batch_name): (r.coupons, r.subsidy, r.order_total) for r in report.rows}


def test_settlement_counts_redeemed_coupons_on_paid_orders_per_venue_and_batch(scene):
    report = settlement(user=official("510100"), **today_range())

    orders = scene["orders"]
    a, b = orders["a1"].venue.name, orders["b1"].venue.name
    assert figures(report) == {
        (a, "满50减20"): (2, D("40.00"), D("160.00")),
        (a, "满40减10"): (1, D("10.00"), D("80.00")),
        (b, "满50减20"): (1, D("20.00"), D("80.00")),
    }
    assert (report.coupons, report.subsidy) == (4, D("70.00"))


def test_settlement_of_one_batch(scene):
    report = settlement(user=official("510100"), batch=scene["small"].pk, **today_range())

    assert [(r.batch_name, r.coupons, r.subsidy) for r in report.rows] == [("满40减10", 1, D("10.00"))]


def test_settlement_period_excludes_orders_paid_outside_it(scene):
    today = timezone.localdate()

    report = settlement(user=official("510100"), start=today - timedelta(days=30), end=today - timedelta(days=1))

    assert report.rows == []


def test_settlement_is_scoped(scene):
    window = today_range()

    operator_rows = settlement(user=scene["operator"], **window).rows
    mianyang_rows = settlement(user=official("510700"), **window).rows
    wuhou_rows = settlement(user=official("510107"), **window).rows

    assert {r.venue_id for r in operator_rows} == {scene["venue_a"].pk}
    assert mianyang_rows == []
    # The Chengdu batches are the city bureau's to pay: a county bureau does not see them.
    assert wuhou_rows == []


def test_ledger_subsidy_accounts_agree_with_the_settlement(scene):
    from tests.wallet.helpers import assert_books_balance, balance

    report = settlement(user=official("510100"), **today_range())

    owed = {}
    for row in report.rows:
        owed[row.batch_id] = owed.get(row.batch_id, D("0")) + row.subsidy
    assert balance(f"subsidy:{scene['big'].pk}") == -owed[scene["big"].pk]
    assert balance(f"subsidy:{scene['small'].pk}") == -owed[scene["small"].pk]
    assert_books_balance()
