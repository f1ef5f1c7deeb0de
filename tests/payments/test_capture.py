"""capture_payment: idempotent, amount-checked, late payments confirmed or refunded, second payments
refunded; the ledger balances after every path."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from sportsplatform.booking.domain.holds import create_booking
from sportsplatform.booking.models import BookingItem, BookingItemStatus, Slot, Ticket
from sportsplatform.orders.domain.expiry import expire_order
from sportsplatform.orders.models import OrderStatus
from sportsplatform.payments.domain.capture import capture_payment
from sportsplatform.payments.domain.errors import AmountMismatch
from sportsplatform.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from sportsplatform.payments.providers.sandbox import SandboxProvider
from sportsplatform.payments.sandbox import SandboxTrade
from tests.booking.factories import make_bookable_venue

from .helpers import assert_ledger_balances, balance, booking_order, new_buyer, overdue, start_sandbox

pytestmark = pytest.mark.django_db


def test_capturing_twice_applies_once(django_capture_on_commit_callbacks):
    order = booking_order()
    payment = start_sandbox(order)

    with django_capture_on_commit_callbacks(execute=True):
        capture_payment(payment=payment, provider_transaction_id="T1", amount=Decimal("40.00"))
        again = capture_payment(payment=payment, provider_transaction_id="T1", amount=Decimal("40.00"))

    order.refresh_from_db()
    assert again.status == PaymentStatus.SUCCEEDED
    assert order.status == OrderStatus.PAID
    assert order.events.filter(action="order.paid").count() == 1
    assert order.ledger_transactions.count() == 1
    assert Ticket.objects.filter(order=order).count() == 1
    assert_ledger_balances()


def test_capture_with_another_amount_changes_nothing():
    order = booking_order()
    payment = start_sandbox(order)

    with pytest.raises(AmountMismatch):
        capture_payment(payment=payment, provider_transaction_id="T1", amount=Decimal("39.99"))

    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert not order.ledger_transactions.exists()


def test_late_payment_is_confirmed_when_its_slots_are_still_free(django_capture_on_commit_callbacks):
    order = booking_order()
    payment = start_sandbox(order)
    overdue(order)
    expire_order(order_id=order.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    slot = Slot.objects.get(items__order=order)
    assert slot.taken == 0

    with django_capture_on_commit_callbacks(execute=True):
        capture_payment(payment=payment, provider_transaction_id="LATE", amount=Decimal("40.00"))

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert payment.status == PaymentStatus.SUCCEEDED and payment.late
    slot.refresh_from_db()
    assert slot.taken == 1
    assert BookingItem.objects.get(order=order).status == BookingItemStatus.CONFIRMED
    assert not Refund.objects.exists()
    assert_ledger_balances()


def test_late_payment_is_refunded_when_its_slot_was_taken(django_capture_on_commit_callbacks):
    _venue, slots = make_bookable_venue(courts=1, slots_per_court=1)
    order = booking_order(venue_slots=slots)
    payment = start_sandbox(order)
    overdue(order)
    expire_order(order_id=order.pk)
    someone_else = create_booking(user=new_buyer(), slot_ids=[slots[0].pk])
    # The payer paid at the sandbox just before its deadline; the money reaches us late.
    SandboxTrade.objects.filter(out_trade_no=payment.out_trade_no).update(state="SUCCESS", paid_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        capture_payment(payment=payment, provider_transaction_id="LATE", amount=Decimal("40.00"))

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    assert payment.status == PaymentStatus.UNMATCHED and payment.late
    refund = Refund.objects.get(payment=payment)
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.amount == Decimal("40.00")
    assert payment.refunded_amount == Decimal("40.00")
    assert order.refunded_amount == 0  # the order never had this money
    assert Slot.objects.get(pk=slots[0].pk).taken == 1
    assert someone_else.status == OrderStatus.PENDING_PAYMENT
    assert balance("platform:unmatched") == 0
    assert balance("provider:sandbox") == 0
    assert_ledger_balances()
    call_command("check_ledger")


def test_second_payment_of_a_paid_order_is_refunded(django_capture_on_commit_callbacks):
    order = booking_order()
    first = start_sandbox(order)
    # A second attempt (another device) registered at the gateway before the first was paid.
    second = Payment.objects.create(
        order=order,
        provider="sandbox",
        channel="page",
        out_trade_no=f"{order.number}P02",
        amount=order.amount,
        expires_at=order.expires_at,
        status=PaymentStatus.PENDING,
    )
    SandboxProvider().start(payment=second, channel="page", request_info={})

    with django_capture_on_commit_callbacks(execute=True):
        capture_payment(payment=first, provider_transaction_id="A", amount=order.amount)
    SandboxTrade.objects.filter(out_trade_no=second.out_trade_no).update(state="SUCCESS", paid_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        capture_payment(payment=second, provider_transaction_id="B", amount=order.amount)

    second.refresh_from_db()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert second.status == PaymentStatus.UNMATCHED
    assert Refund.objects.get(payment=second).status == RefundStatus.SUCCEEDED
    assert balance(f"venue:{order.venue_id}") == Decimal("40.00")
    assert balance("provider:sandbox") == Decimal("-40.00")
    assert_ledger_balances()
