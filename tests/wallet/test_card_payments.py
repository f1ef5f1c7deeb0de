"""Paying with the sports card: the order is paid at once and the card debited through the ledger;
an empty card is refused with nothing written; a refund goes back to the card; a frozen card
cannot pay."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sportsplatform.ledger.domain.posting import InsufficientFunds
from sportsplatform.ledger.models import Transaction
from sportsplatform.orders.domain.cancel import cancel_order
from sportsplatform.orders.models import OrderStatus
from sportsplatform.payments.domain.pay import start_payment
from sportsplatform.payments.models import PaymentStatus, RefundStatus
from sportsplatform.payments.providers.registry import load_provider
from sportsplatform.wallet.domain.cards import CardFrozen, CardNotOpened, freeze_card

from .helpers import assert_books_balance, balance, booking_order, new_user, topped_up

pytestmark = pytest.mark.django_db
D = Decimal


def pay_by_card(order):
    return start_payment(order=order, method="card", actor=order.user, request_info={})


def test_card_payment_pays_the_order_at_once_and_debits_the_card(django_capture_on_commit_callbacks):
    user = new_user()
    topped_up(user, "100", django_capture_on_commit_callbacks)
    order = booking_order(user=user, slots=2, price="35.00")

    payment = pay_by_card(order)

    order.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.provider == "card"
    assert order.status == OrderStatus.PAID and order.payment_method == "card"
    assert balance(f"card:{user.pk}") == D("30.00")
    assert balance(f"venue:{order.venue_id}") == D("70.00")
    txn = Transaction.objects.get(order=order, kind="payment.captured")
    assert {e.account.key: e.amount for e in txn.entries.all()} == {
        f"card:{user.pk}": D("-70.00"),
        f"venue:{order.venue_id}": D("70.00"),
    }
    assert_books_balance()


def test_card_payment_beyond_the_balance_is_refused_and_nothing_is_paid(django_capture_on_commit_callbacks):
    user = new_user()
    topped_up(user, "50", django_capture_on_commit_callbacks)
    order = booking_order(user=user, slots=2, price="30.00")

    with pytest.raises(InsufficientFunds):
        pay_by_card(order)

    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert balance(f"card:{user.pk}") == D("50.00")
    assert not Transaction.objects.filter(order=order).exists()
    assert order.payments.get().status == PaymentStatus.FAILED


def test_card_payment_without_a_card_is_refused():
    user = new_user()
    order = booking_order(user=user)

    with pytest.raises(CardNotOpened):
        pay_by_card(order)

    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_frozen_card_cannot_pay(django_capture_on_commit_callbacks):
    user = new_user()
    topped_up(user, "100", django_capture_on_commit_callbacks)
    freeze_card(card=user.sports_card, actor=None, reason="挂失")
    order = booking_order(user=user)

    with pytest.raises(CardFrozen):
        pay_by_card(order)

    assert balance(f"card:{user.pk}") == D("100.00")


def test_refund_of_a_card_payment_goes_back_to_the_card(django_capture_on_commit_callbacks):
    user = new_user()
    topped_up(user, "100", django_capture_on_commit_callbacks)
    order = booking_order(user=user, slots=1, price="40.00")
    pay_by_card(order)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=order, actor=user, reason="时间冲突", full_refund=True)

    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED and order.refunded_amount == D("40.00")
    assert order.refunds.get().status == RefundStatus.SUCCEEDED
    assert balance(f"card:{user.pk}") == D("100.00")
    assert balance(f"venue:{order.venue_id}") == D("0.00")
    refund = Transaction.objects.get(order=order, kind="refund")
    assert {e.account.key: e.amount for e in refund.entries.all()} == {
        f"card:{user.pk}": D("40.00"),
        f"venue:{order.venue_id}": D("-40.00"),
    }
    assert_books_balance()


def test_card_provider_books_against_the_payers_card_and_is_not_reconciled():
    provider = load_provider("card")

    assert provider.reconcile is False
    assert provider.channels == ("card",)


def test_every_card_movement_is_traceable_to_an_order(django_capture_on_commit_callbacks):
    user = new_user()
    topped_up(user, "100", django_capture_on_commit_callbacks)
    order = booking_order(user=user, price="25.00")
    pay_by_card(order)

    entries = user.sports_card.account.entries.select_related("transaction__order").order_by("id")

    assert [(e.transaction.order.kind, e.amount, e.balance_after) for e in entries] == [
        ("topup", D("100.00"), D("100.00")),
        ("booking", D("-25.00"), D("75.00")),
    ]
