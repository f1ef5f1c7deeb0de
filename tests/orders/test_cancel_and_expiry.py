"""cancel_order and the expiry sweep: the provider is closed before slots are freed, refunds follow
the venue's tiers (or are full for staff), and the ledger balances afterwards."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from sportsplatform.booking.domain.holds import create_booking
from sportsplatform.booking.models import Slot
from sportsplatform.core.errors import IllegalTransition
from sportsplatform.notifications.models import Notification
from sportsplatform.orders.domain.cancel import cancel_order, refund_preview
from sportsplatform.orders.domain.expiry import expire_due_orders, expire_order
from sportsplatform.orders.domain.transitions import transition_order
from sportsplatform.orders.models import OrderStatus
from sportsplatform.payments.models import Payment, PaymentStatus, Refund, SandboxTrade, SandboxTradeState
from tests.booking.factories import make_slot
from tests.payments.helpers import (
    assert_ledger_balances,
    balance,
    booking_order,
    new_buyer,
    overdue,
    pay_with_sandbox,
    start_sandbox,
)
from tests.venues.factories import make_court, make_venue

pytestmark = pytest.mark.django_db


def order_starting_in(hours: float, **kwargs):
    court = make_court(make_venue())
    slot = make_slot(court, hours_from_now=hours)
    return create_booking(user=new_buyer(), slot_ids=[slot.pk], **kwargs)


def test_cancel_unpaid_closes_the_payment_then_frees_the_slot(django_capture_on_commit_callbacks):
    order = booking_order()
    payment = start_sandbox(order)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=order, actor=order.user, reason="wrong court")

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert SandboxTrade.objects.get(out_trade_no=payment.out_trade_no).state == SandboxTradeState.CLOSED
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CLOSED
    assert Slot.objects.get(items__order=order).taken == 0
    assert Notification.objects.filter(user=order.user, kind="order.cancelled").exists()


def test_cancel_of_an_unpaid_order_that_was_paid_meanwhile_refunds_it(django_capture_on_commit_callbacks):
    order = booking_order()
    payment = start_sandbox(order)
    # Paid at the gateway a moment ago; the callback has not arrived.
    SandboxTrade.objects.filter(out_trade_no=payment.out_trade_no).update(state="SUCCESS")

    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=order, actor=order.user, reason="changed my mind")

    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert order.refunded_amount == Decimal("40.00")
    assert_ledger_balances()


@pytest.mark.parametrize(
    ("hours", "percent", "status", "refunded"),
    [
        (48, 100, OrderStatus.REFUNDED, "40.00"),
        (10, 50, OrderStatus.REFUNDED, "20.00"),
        (1, 0, OrderStatus.CANCELLED, "0.00"),
    ],
)
def test_cancel_paid_refunds_per_the_venues_tiers(hours, percent, status, refunded, django_capture_on_commit_callbacks):
    order = order_starting_in(hours)
    pay_with_sandbox(order, django_capture_on_commit_callbacks)
    assert refund_preview(order=order).percent == percent

    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=order, actor=order.user, reason="cannot come")

    order.refresh_from_db()
    assert order.status == status
    assert order.refunded_amount == Decimal(refunded)
    assert Slot.objects.get(items__order=order).taken == 0
    assert balance(f"venue:{order.venue_id}") == Decimal("40.00") - Decimal(refunded)
    assert balance("provider:sandbox") == -(Decimal("40.00") - Decimal(refunded))
    assert_ledger_balances()
    call_command("check_ledger")


def test_staff_cancel_refunds_in_full_whatever_the_tier(django_capture_on_commit_callbacks):
    order = order_starting_in(1)
    pay_with_sandbox(order, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=order, actor=None, reason="court closed for repairs", full_refund=True)

    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert order.refunded_amount == Decimal("40.00")
    assert Refund.objects.get(order=order).reason == "court closed for repairs"


def test_a_used_order_cannot_be_cancelled(django_capture_on_commit_callbacks):
    order = booking_order()
    pay_with_sandbox(order, django_capture_on_commit_callbacks)
    order.refresh_from_db()
    transition_order(order=order, to=OrderStatus.USED)

    with pytest.raises(IllegalTransition):
        cancel_order(order=order, actor=order.user, reason="too late")


def test_expiry_closes_at_the_gateway_before_the_slot_is_freed_and_the_slot_is_bookable_again():
    order = booking_order()
    payment = start_sandbox(order)
    overdue(order)

    assert expire_due_orders() == 1

    order.refresh_from_db()
    trade = SandboxTrade.objects.get(out_trade_no=payment.out_trade_no)
    assert order.status == OrderStatus.EXPIRED
    assert trade.state == SandboxTradeState.CLOSED
    assert trade.closed_at <= order.closed_at
    slot = Slot.objects.get(items__order=order)
    assert slot.taken == 0
    again = create_booking(user=new_buyer(), slot_ids=[slot.pk])
    assert again.status == OrderStatus.PENDING_PAYMENT


def test_expiry_leaves_orders_that_still_have_time_or_are_paid(django_capture_on_commit_callbacks):
    waiting = booking_order()
    paid = booking_order()
    pay_with_sandbox(paid, django_capture_on_commit_callbacks)

    assert expire_due_orders() == 0
    assert expire_order(order_id=waiting.pk).status == OrderStatus.PENDING_PAYMENT
    assert expire_order(order_id=paid.pk).status == OrderStatus.PAID


def test_expiry_captures_a_sandbox_payment_whose_callback_was_lost(django_capture_on_commit_callbacks):
    order = booking_order()
    payment = start_sandbox(order)
    SandboxTrade.objects.filter(out_trade_no=payment.out_trade_no).update(state="SUCCESS")
    overdue(order)

    with django_capture_on_commit_callbacks(execute=True):
        expire_due_orders()

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Slot.objects.get(items__order=order).taken == 1
