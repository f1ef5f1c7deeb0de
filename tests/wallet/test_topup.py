"""Topping up: an order of kind "topup" within the documented limits, paid through the sandbox
gateway; the card is credited exactly once however often the callback comes; a late payment is
still credited; a refund of a top-up takes back only what is left on the card."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.test import Client

from sportsplatform.core.errors import ValidationFailed
from sportsplatform.ledger.models import Transaction
from sportsplatform.orders.domain.cancel import cancel_order
from sportsplatform.orders.domain.kinds import handler_for
from sportsplatform.orders.domain.transitions import transition_order
from sportsplatform.orders.models import OrderKind, OrderStatus
from sportsplatform.payments import sandbox as gateway
from sportsplatform.payments.domain.capture import capture_payment
from sportsplatform.payments.models import PaymentStatus, SandboxTrade
from sportsplatform.wallet.domain.topup import TopupHandler, create_topup_order

from .helpers import assert_books_balance, balance, new_user, pay_through_sandbox, start_sandbox, topped_up

pytestmark = pytest.mark.django_db
D = Decimal


def test_create_topup_order_is_a_pending_order_without_venue_and_opens_the_card():
    user = new_user()

    order = create_topup_order(user=user, amount="100", actor=user)

    assert order.kind == OrderKind.TOPUP and order.venue is None
    assert order.status == OrderStatus.PENDING_PAYMENT and order.expires_at is not None
    assert (order.subtotal, order.discount, order.amount) == (D("100.00"), D("0.00"), D("100.00"))
    assert order.lines.get().description.endswith(user.sports_card.number)
    assert isinstance(handler_for(order), TopupHandler)


@pytest.mark.parametrize("amount", ["0.99", "5000.01", "abc", "1.001", "-5", "NaN", ""])
def test_create_topup_order_refuses_amounts_outside_the_limits(amount):
    user = new_user()

    with pytest.raises(ValidationFailed) as refused:
        create_topup_order(user=user, amount=amount, actor=user)

    assert "amount" in refused.value.fields
    assert not user.orders.exists()


@pytest.mark.parametrize("amount", ["1", "5000", "99.50"])
def test_create_topup_order_accepts_the_limits(amount):
    user = new_user()

    assert create_topup_order(user=user, amount=amount, actor=user).amount == D(amount)


def test_create_topup_order_refuses_to_fill_a_card_past_its_cap(settings, django_capture_on_commit_callbacks):
    settings.WALLET_CARD_MAX_BALANCE = "150.00"
    user = new_user()
    topped_up(user, "100", django_capture_on_commit_callbacks)

    with pytest.raises(ValidationFailed) as refused:
        create_topup_order(user=user, amount="51", actor=user)

    assert "50.00" in str(refused.value.fields["amount"][0])


def test_topup_paid_with_sandbox_credits_the_card(django_capture_on_commit_callbacks):
    user = new_user()

    order = topped_up(user, "200", django_capture_on_commit_callbacks)

    assert order.status == OrderStatus.PAID and order.payment_method == "sandbox"
    assert balance(f"card:{user.pk}") == D("200.00")
    txn = Transaction.objects.get(order=order)
    assert {e.account.key: e.amount for e in txn.entries.all()} == {
        f"card:{user.pk}": D("200.00"),
        "provider:sandbox": D("-200.00"),
    }
    assert_books_balance()


def test_topup_is_credited_once_when_the_callback_repeats(django_capture_on_commit_callbacks, client):
    user = new_user()
    order = create_topup_order(user=user, amount="300", actor=user)
    payment = pay_through_sandbox(order, django_capture_on_commit_callbacks)
    trade = SandboxTrade.objects.get(out_trade_no=payment.out_trade_no)

    # The gateway retries the same notification, and then sends a second one with a new id (a
    # provider may); both are signed and genuine.
    assert gateway.deliver("payment", trade.pk)
    SandboxTrade.objects.filter(pk=trade.pk).update(notification_id=str(uuid.uuid4()))
    notification_id, body, _url = gateway.notification_body("payment", trade.pk)
    headers = gateway.signed_headers(notification_id=notification_id, body=body)
    response = client.post(
        "/api/v1/payments/notify/sandbox",
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k.lower() != "content-type"},
    )

    assert response.status_code in (200, 204)
    assert balance(f"card:{user.pk}") == D("300.00")
    assert Transaction.objects.filter(order=order, kind="payment.captured").count() == 1
    assert order.payments.filter(status=PaymentStatus.SUCCEEDED).count() == 1
    assert_books_balance()


def test_topup_paid_after_the_order_expired_is_still_credited(django_capture_on_commit_callbacks):
    user = new_user()
    order = create_topup_order(user=user, amount="80", actor=user)
    payment = start_sandbox(order)
    transition_order(order=order, to=OrderStatus.EXPIRED, actor=None)

    capture_payment(payment=payment, provider_transaction_id="late-1", amount=payment.amount)

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert balance(f"card:{user.pk}") == D("80.00")


def test_cancelling_a_partly_spent_topup_refunds_only_what_is_left(django_capture_on_commit_callbacks):
    from sportsplatform.payments.domain.pay import start_payment

    from .helpers import booking_order

    user = new_user()
    topup = topped_up(user, "100", django_capture_on_commit_callbacks)
    booking = booking_order(user=user, price="30.00")
    start_payment(order=booking, method="card", actor=user, request_info={})

    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=topup, actor=user, reason="不想要了")

    topup.refresh_from_db()
    assert topup.status == OrderStatus.REFUNDED and topup.refunded_amount == D("70.00")
    assert balance(f"card:{user.pk}") == D("0.00")
    assert_books_balance()


def test_cashier_page_for_a_topup_shows_the_amount():
    user = new_user()
    order = create_topup_order(user=user, amount="50", actor=user)
    payment = start_sandbox(order)

    assert "50.00" in Client().get(payment.params["pay_url"]).content.decode()
