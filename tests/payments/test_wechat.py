"""WeChat Pay API v3 through the wechatpayv3 SDK against a local server playing WeChat: prepay
(Native and JSAPI), signed and encrypted callbacks, query, close, refunds and the trade bill."""

from __future__ import annotations

import json
import logging
import time
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from sportsplatform.booking.models import Slot
from sportsplatform.core.errors import ValidationFailed
from sportsplatform.orders.domain.cancel import cancel_order
from sportsplatform.orders.domain.expiry import expire_due_orders
from sportsplatform.orders.models import OrderStatus
from sportsplatform.payments.domain.pay import start_payment
from sportsplatform.payments.domain.refunds import retry_refunds
from sportsplatform.payments.domain.sync import query_pending_payments
from sportsplatform.payments.models import (
    NotificationOutcome,
    Payment,
    PaymentStatus,
    ProviderNotification,
    Refund,
    RefundStatus,
)
from sportsplatform.payments.providers.registry import offered_providers

from .fakes import keypair
from .helpers import assert_ledger_balances, balance, booking_order, overdue

pytestmark = pytest.mark.django_db
NOTIFY = "/api/v1/payments/notify/wechat"


def post_callback(headers: dict, body: bytes):
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    return Client().post(NOTIFY, data=body, content_type="application/json", **extra)


def start_native(order):
    return start_payment(order=order, method="wechat", channel="native", actor=order.user, request_info={})


def test_wechat_is_not_offered_without_keys(settings):
    settings.PAYMENT_PROVIDERS = ["sandbox", "wechat", "card"]
    settings.WECHATPAY_MCHID = ""

    assert [p.code for p in offered_providers()] == ["sandbox", "card"]


def test_native_prepay_sends_amount_in_fen_and_the_holds_deadline(wechat):
    order = booking_order(slots=2)

    payment = start_native(order)

    assert payment.params["code_url"].startswith("weixin://wxpay/bizpayurl?pr=")
    trade = wechat.trades[payment.out_trade_no]
    assert trade.total == 8000
    assert trade.mchid == wechat.MCHID and trade.appid == wechat.APPID
    assert trade.time_expire == timezone.localtime(order.expires_at).isoformat(timespec="seconds")
    assert trade.time_expire.endswith("+08:00")
    assert trade.notify_url == "https://venues.example.cn/api/v1/payments/notify/wechat"


def test_jsapi_needs_the_payers_openid(wechat):
    order = booking_order()

    with pytest.raises(ValidationFailed) as refused:
        start_payment(order=order, method="wechat", channel="jsapi", actor=order.user, request_info={})

    assert refused.value.code == "openid_required"
    assert "openid" in refused.value.fields
    assert not wechat.requests


def test_jsapi_gives_signed_request_payment_parameters(wechat):
    order = booking_order()

    payment = start_payment(order=order, method="wechat", actor=order.user, request_info={"openid": "oUpF8uMuAJO"})

    params = payment.params
    assert payment.channel == "jsapi"
    assert wechat.trades[payment.out_trade_no].openid == "oUpF8uMuAJO"
    assert params["package"].startswith("prepay_id=wx")
    message = f"{params['appId']}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n"
    assert wechat.merchant.verify(message.encode(), params["paySign"])


def test_valid_callback_pays_the_order_once(wechat, django_capture_on_commit_callbacks):
    order = booking_order()
    payment = start_native(order)
    wechat.pay(payment.out_trade_no)
    headers, body = wechat.payment_callback(payment.out_trade_no, notification_id="EV-1")

    with django_capture_on_commit_callbacks(execute=True):
        first = post_callback(headers, body)
        again = post_callback(wechat.sign_callback(body), body)

    assert first.status_code == again.status_code == 200
    assert first.json()["code"] == "SUCCESS"
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert payment.provider_transaction_id == wechat.trades[payment.out_trade_no].transaction_id
    assert ProviderNotification.objects.get().outcome == NotificationOutcome.APPLIED
    assert order.ledger_transactions.count() == 1
    assert balance("provider:wechat") == Decimal("-40.00")
    assert_ledger_balances()


def test_callback_signed_with_another_key_changes_nothing(wechat, caplog):
    order = booking_order()
    payment = start_native(order)
    wechat.pay(payment.out_trade_no)
    _headers, body = wechat.payment_callback(payment.out_trade_no)
    forged = wechat.sign_callback(body, signer=keypair("someone-else"))

    with caplog.at_level(logging.WARNING):
        response = post_callback(forged, body)

    assert response.status_code == 400
    assert response.json()["code"] == "FAIL"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert not ProviderNotification.objects.exists()
    assert "invalid_signature" in caplog.text


def test_callback_with_another_serial_is_refused_without_fetching_certificates(wechat):
    order = booking_order()
    payment = start_native(order)
    wechat.pay(payment.out_trade_no)
    headers, body = wechat.payment_callback(payment.out_trade_no)
    headers["Wechatpay-Serial"] = "PUB_KEY_ID_SOMEONE_ELSE"
    seen = len(wechat.requests)

    response = post_callback(headers, body)

    assert response.status_code == 400
    assert len(wechat.requests) == seen


def test_callback_outside_the_time_window_is_refused(wechat, settings):
    order = booking_order()
    payment = start_native(order)
    wechat.pay(payment.out_trade_no)
    stale = int(time.time()) - settings.PAYMENT_NOTIFY_MAX_SKEW_SECONDS - 10
    headers, body = wechat.payment_callback(payment.out_trade_no)
    headers = wechat.sign_callback(body, timestamp=stale)

    response = post_callback(headers, body)

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_replayed_notification_id_with_another_body_changes_nothing(wechat, django_capture_on_commit_callbacks):
    order = booking_order()
    payment = start_native(order)
    wechat.pay(payment.out_trade_no)
    with django_capture_on_commit_callbacks(execute=True):
        post_callback(*wechat.payment_callback(payment.out_trade_no, notification_id="EV-9"))
    order.refresh_from_db()
    before = (order.status, order.paid_at, order.events.count())

    with django_capture_on_commit_callbacks(execute=True):
        replay = post_callback(
            *wechat.payment_callback(payment.out_trade_no, notification_id="EV-9", trade_state="CLOSED")
        )

    order.refresh_from_db()
    assert replay.status_code == 200
    assert (order.status, order.paid_at, order.events.count()) == before
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert ProviderNotification.objects.count() == 1


def test_callback_with_another_amount_is_refused_and_logged(wechat, caplog):
    order = booking_order()
    payment = start_native(order)
    wechat.pay(payment.out_trade_no)
    trade = wechat.trades[payment.out_trade_no]
    headers, body = wechat.payment_callback(
        payment.out_trade_no, amount={"total": 1, "payer_total": 1, "currency": "CNY", "payer_currency": "CNY"}
    )
    assert trade.total == 4000

    with caplog.at_level(logging.ERROR):
        response = post_callback(headers, body)

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert ProviderNotification.objects.get().outcome == NotificationOutcome.REJECTED
    assert "amount_mismatch" in caplog.text


def test_callback_for_another_merchant_is_refused(wechat):
    order = booking_order()
    payment = start_native(order)
    wechat.pay(payment.out_trade_no)

    response = post_callback(*wechat.payment_callback(payment.out_trade_no, mchid="1900000999"))

    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_payment_without_callback_is_found_by_the_query(wechat, settings, django_capture_on_commit_callbacks):
    settings.PAYMENT_QUERY_AFTER_SECONDS = 0
    order = booking_order()
    payment = start_native(order)
    wechat.pay(payment.out_trade_no)  # the payer paid; the callback never came

    with django_capture_on_commit_callbacks(execute=True):
        asked = query_pending_payments()

    order.refresh_from_db()
    assert asked == 1
    assert order.status == OrderStatus.PAID
    assert Payment.objects.get(pk=payment.pk).queried_at is not None


def test_expiry_closes_the_trade_at_wechat_before_freeing_the_slots(wechat, django_capture_on_commit_callbacks):
    order = booking_order()
    payment = start_native(order)
    overdue(order)

    with django_capture_on_commit_callbacks(execute=True):
        expired = expire_due_orders()

    order.refresh_from_db()
    assert expired == 1
    assert order.status == OrderStatus.EXPIRED
    assert wechat.trades[payment.out_trade_no].state == "CLOSED"
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CLOSED
    assert Payment.objects.get(pk=payment.pk).closed_at <= order.closed_at
    assert Slot.objects.get(items__order=order).taken == 0


def test_expiry_captures_a_trade_found_paid_instead_of_expiring(wechat, django_capture_on_commit_callbacks):
    order = booking_order()
    payment = start_native(order)
    wechat.pay(payment.out_trade_no)
    overdue(order)

    with django_capture_on_commit_callbacks(execute=True):
        expire_due_orders()

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Slot.objects.get(items__order=order).taken == 1


def test_expiry_waits_when_wechat_cannot_be_reached(wechat, settings):
    order = booking_order()
    start_native(order)
    overdue(order)
    settings.WECHATPAY_API_BASE = "http://127.0.0.1:9"  # nothing listens there

    expired = expire_due_orders()

    order.refresh_from_db()
    assert expired == 0
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert Slot.objects.get(items__order=order).taken == 1


def _paid_native(wechat, django_capture_on_commit_callbacks, **kwargs):
    order = booking_order(**kwargs)
    payment = start_native(order)
    wechat.pay(payment.out_trade_no)
    with django_capture_on_commit_callbacks(execute=True):
        post_callback(*wechat.payment_callback(payment.out_trade_no))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order, payment


def test_refund_in_processing_completes_on_the_refund_callback(wechat, django_capture_on_commit_callbacks):
    order, _payment = _paid_native(wechat, django_capture_on_commit_callbacks)
    wechat.refund_status = "PROCESSING"

    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=order, actor=order.user, reason="plans changed", full_refund=True)

    refund = Refund.objects.get(order=order)
    assert refund.status == RefundStatus.PENDING
    assert refund.provider_refund_id
    sent = json.loads(next(body for method, path, body in wechat.requests if path == "/v3/refund/domestic/refunds"))
    assert sent["out_refund_no"] == refund.out_refund_no
    assert sent["amount"] == {"refund": 4000, "total": 4000, "currency": "CNY"}

    with django_capture_on_commit_callbacks(execute=True):
        answer = post_callback(*wechat.refund_callback(refund.out_refund_no))

    assert answer.status_code == 200
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert order.status == OrderStatus.REFUNDED
    assert order.refunded_amount == Decimal("40.00")
    assert balance("provider:wechat") == Decimal("0.00")
    assert balance(f"venue:{order.venue_id}") == Decimal("0.00")
    assert_ledger_balances()


def test_refund_refused_by_wechat_stays_visible_and_is_retried(wechat, settings, django_capture_on_commit_callbacks):
    order, _payment = _paid_native(wechat, django_capture_on_commit_callbacks)
    wechat.fail_refunds = True

    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=order, actor=order.user, reason="court closed", full_refund=True)

    refund = Refund.objects.get(order=order)
    assert refund.status == RefundStatus.FAILED
    assert refund.failure
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert order.refunded_amount == 0

    wechat.fail_refunds = False
    settings.PAYMENT_REFUND_RETRY_MINUTES = 0
    with django_capture_on_commit_callbacks(execute=True):
        tried = retry_refunds()

    refund.refresh_from_db()
    order.refresh_from_db()
    assert tried == 1
    assert refund.status == RefundStatus.SUCCEEDED
    assert refund.attempts == 2
    assert list(wechat.refunds) == [refund.out_refund_no]
    assert order.refunded_amount == Decimal("40.00")
    assert_ledger_balances()
