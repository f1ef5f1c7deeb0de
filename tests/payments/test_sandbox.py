"""The sandbox gateway end to end: pay_url → cashier page → signed callback → order paid; and the
callbacks that must change nothing (forged, stale, replayed, wrong amount)."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from sportsplatform.booking.models import BookingItem, BookingItemStatus, Ticket
from sportsplatform.orders.models import OrderStatus
from sportsplatform.payments import sandbox as gateway
from sportsplatform.payments.domain.notifications import handle_notification
from sportsplatform.payments.models import (
    NotificationOutcome,
    Payment,
    PaymentStatus,
    ProviderNotification,
    SandboxTrade,
    SandboxTradeState,
)

from .helpers import (
    assert_ledger_balances,
    balance,
    booking_order,
    overdue,
    pay_with_sandbox,
    start_sandbox,
    tap_confirm,
)

pytestmark = pytest.mark.django_db
NOTIFY = "/api/v1/payments/notify/sandbox"


def test_start_payment_gives_a_pay_url_with_the_orders_deadline():
    order = booking_order(slots=2)

    payment = start_sandbox(order)

    assert payment.status == PaymentStatus.PENDING
    assert payment.amount == order.amount == Decimal("80.00")
    assert payment.params["pay_url"].startswith("/payments/sandbox/")
    trade = SandboxTrade.objects.get(out_trade_no=payment.out_trade_no)
    assert trade.time_expire == order.expires_at == payment.expires_at
    assert trade.state == SandboxTradeState.NOTPAY


def test_start_payment_again_returns_the_open_payment():
    order = booking_order()

    first = start_sandbox(order)
    again = start_sandbox(order)

    assert again.pk == first.pk
    assert SandboxTrade.objects.count() == 1


def test_cashier_page_shows_amount_and_deadline_in_chinese():
    order = booking_order()
    payment = start_sandbox(order)

    page = Client().get(payment.params["pay_url"])

    text = page.content.decode()
    assert page.status_code == 200
    assert "80.00" not in text and "40.00" in text
    assert "确认支付" in text
    assert f"{timezone.localtime(order.expires_at):%Y-%m-%d %H:%M}" in text


def test_tapping_confirm_pays_the_order_through_the_signed_callback(django_capture_on_commit_callbacks):
    order = booking_order(slots=2)

    payment = pay_with_sandbox(order, django_capture_on_commit_callbacks)

    order.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.provider_transaction_id.startswith("SBX")
    assert order.status == OrderStatus.PAID
    assert order.payment_method == "sandbox"
    assert Ticket.objects.filter(order=order).exists()
    assert set(BookingItem.objects.filter(order=order).values_list("status", flat=True)) == {
        BookingItemStatus.CONFIRMED
    }
    assert ProviderNotification.objects.get().outcome == NotificationOutcome.APPLIED
    assert balance("provider:sandbox") == Decimal("-80.00")
    assert balance(f"venue:{order.venue_id}") == Decimal("80.00")
    assert_ledger_balances()
    call_command("check_ledger")


def test_paying_twice_on_the_cashier_page_pays_once(django_capture_on_commit_callbacks):
    order = booking_order()
    payment = pay_with_sandbox(order, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        again = tap_confirm(payment)

    assert again.status_code == 200
    assert ProviderNotification.objects.count() == 1
    assert order.ledger_transactions.count() == 1


def test_post_to_the_pay_url_asking_for_json_pays(django_capture_on_commit_callbacks):
    order = booking_order()
    payment = start_sandbox(order)

    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(payment.params["pay_url"], HTTP_ACCEPT="application/json")

    assert response.json() == {"status": "paid", "out_trade_no": payment.out_trade_no}
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_cashier_refuses_after_the_deadline(django_capture_on_commit_callbacks):
    order = booking_order()
    payment = start_sandbox(order)
    SandboxTrade.objects.filter(out_trade_no=payment.out_trade_no).update(
        time_expire=timezone.now() - timedelta(seconds=1)
    )

    page = Client().get(payment.params["pay_url"])
    with django_capture_on_commit_callbacks(execute=True):
        refused = tap_confirm(payment)

    assert "支付时间已过" in page.content.decode()
    assert "确认支付" not in page.content.decode()
    assert refused.status_code == 409
    assert SandboxTrade.objects.get(out_trade_no=payment.out_trade_no).state == SandboxTradeState.NOTPAY
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_unknown_cashier_token_is_404():
    assert Client().get("/payments/sandbox/not-a-token/").status_code == 404


# --- callbacks that must change nothing -------------------------------------------------------


def _paid_trade_callback(payment, *, amount: Decimal | None = None) -> tuple[dict, bytes]:
    """What the sandbox sends when the payer pays, built as the gateway builds it."""
    trade = SandboxTrade.objects.get(out_trade_no=payment.out_trade_no)
    trade.state = SandboxTradeState.SUCCESS
    trade.paid_at = timezone.now()
    trade.notification_id = "nid-1"
    trade.save()
    _nid, body, _url = gateway.notification_body("payment", trade.pk)
    if amount is not None:
        payload = json.loads(body)
        payload["resource"]["amount"]["total"] = int(amount * 100)
        body = json.dumps(payload).encode()
    return gateway.signed_headers(notification_id="nid-1", body=body), body


def _post(headers: dict, body: bytes):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items() if k != "Content-Type"}
    return Client().post(NOTIFY, data=body, content_type="application/json", **extra)


def test_forged_callback_leaves_the_order_unpaid(caplog):
    order = booking_order()
    payment = start_sandbox(order)
    headers, body = _paid_trade_callback(payment)
    headers[gateway.HEADER_SIGNATURE] = gateway.sign(
        timestamp=headers[gateway.HEADER_TIMESTAMP],
        nonce=headers[gateway.HEADER_NONCE],
        notification_id="nid-1",
        body=body,
        key=b"not the gateway's key",
    )

    with caplog.at_level(logging.WARNING):
        response = _post(headers, body)

    assert response.status_code == 400
    assert response.json()["code"] == "FAIL"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert not ProviderNotification.objects.exists()
    assert "refused a sandbox callback (invalid_signature)" in caplog.text


def test_callback_with_a_tampered_body_is_refused():
    order = booking_order()
    payment = start_sandbox(order)
    headers, body = _paid_trade_callback(payment)

    response = _post(headers, body.replace(b'"SUCCESS"', b'"SUCCESS" '))

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_callback_outside_the_time_window_is_refused(settings):
    order = booking_order()
    payment = start_sandbox(order)
    _headers, body = _paid_trade_callback(payment)
    stale = str(int((timezone.now() - timedelta(seconds=settings.PAYMENT_NOTIFY_MAX_SKEW_SECONDS + 5)).timestamp()))
    headers = {
        gateway.HEADER_TIMESTAMP: stale,
        gateway.HEADER_NONCE: "n1",
        gateway.HEADER_ID: "nid-1",
        gateway.HEADER_SIGNATURE: gateway.sign(timestamp=stale, nonce="n1", notification_id="nid-1", body=body),
    }

    response = _post(headers, body)

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert not ProviderNotification.objects.exists()


def test_replayed_notification_id_changes_nothing(django_capture_on_commit_callbacks):
    order = booking_order()
    payment = start_sandbox(order)
    headers, body = _paid_trade_callback(payment)
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(headers, body)
    order.refresh_from_db()
    paid_at = order.paid_at

    # The same notification again, freshly stamped and correctly signed (a replay, or the
    # provider retrying because our first answer was lost).
    with django_capture_on_commit_callbacks(execute=True):
        replay = _post(gateway.signed_headers(notification_id="nid-1", body=body), body)

    assert first.status_code == replay.status_code == 200
    order.refresh_from_db()
    assert order.paid_at == paid_at
    assert ProviderNotification.objects.count() == 1
    assert order.events.filter(action="order.paid").count() == 1
    assert order.ledger_transactions.count() == 1


def test_callback_with_another_amount_is_refused_and_logged(caplog):
    order = booking_order()
    payment = start_sandbox(order)
    headers, body = _paid_trade_callback(payment, amount=Decimal("0.01"))
    headers = gateway.signed_headers(notification_id="nid-1", body=body)

    with caplog.at_level(logging.ERROR):
        response = _post(headers, body)

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert ProviderNotification.objects.get().outcome == NotificationOutcome.REJECTED
    assert "amount_mismatch" in caplog.text
    assert not order.ledger_transactions.exists()


def test_callback_for_an_unknown_trade_is_refused():
    body = json.dumps(
        {
            "id": "nid-x",
            "event_type": "TRANSACTION.SUCCESS",
            "resource": {"out_trade_no": "NOPE", "trade_state": "SUCCESS", "amount": {"total": 100}},
        }
    ).encode()

    response = handle_notification(
        provider_code="sandbox", headers=gateway.signed_headers(notification_id="nid-x", body=body), body=body
    )

    assert response.status == 400
    assert ProviderNotification.objects.get().outcome == NotificationOutcome.REJECTED


def test_notify_for_a_provider_not_enabled_is_404():
    response = Client().post("/api/v1/payments/notify/alipay", data=b"a=b", content_type="text/plain")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_expired_order_cannot_start_a_payment():
    order = overdue(booking_order())

    from sportsplatform.payments.domain.errors import OrderExpired

    with pytest.raises(OrderExpired):
        start_sandbox(order)
