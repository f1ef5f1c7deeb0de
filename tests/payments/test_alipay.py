"""Alipay through python-alipay-sdk against a local server playing the Alipay open API: the pay URL
with an absolute time_expire, signed form notifies, query, close, refund and the bill."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from sportsplatform.orders.domain.cancel import cancel_order
from sportsplatform.orders.domain.expiry import expire_due_orders
from sportsplatform.orders.models import OrderStatus
from sportsplatform.payments.domain.pay import start_payment
from sportsplatform.payments.domain.reconcile import reconcile_day
from sportsplatform.payments.domain.sync import query_pending_payments
from sportsplatform.payments.models import NotificationOutcome, ProviderNotification, Refund, RefundStatus

from .fakes import keypair
from .helpers import assert_ledger_balances, booking_order, overdue

pytestmark = pytest.mark.django_db
NOTIFY = "/api/v1/payments/notify/alipay"


def notify(body: bytes):
    return Client().post(NOTIFY, data=body, content_type="application/x-www-form-urlencoded; charset=utf-8")


def start_page(order, channel="page"):
    return start_payment(order=order, method="alipay", channel=channel, actor=order.user, request_info={})


def test_pay_url_is_signed_and_carries_the_absolute_deadline(alipay):
    order = booking_order()

    payment = start_page(order)

    url = payment.params["pay_url"]
    assert url.startswith(alipay.gateway + "?")
    params = dict(parse_qsl(urlsplit(url).query))
    assert params["method"] == "alipay.trade.page.pay"
    assert params["notify_url"] == "https://venues.example.cn/api/v1/payments/notify/alipay"
    trade = alipay.open_page(url)  # checks the signature with the app's public key
    assert trade.total_amount == "40.00"
    assert trade.time_expire == timezone.localtime(order.expires_at).strftime("%Y-%m-%d %H:%M:%S")
    assert "timeout_express" not in params["biz_content"]


def test_wap_channel_for_phones(alipay):
    order = booking_order()

    payment = start_payment(order=order, method="alipay", actor=order.user, request_info={"mobile": True})

    assert payment.channel == "wap"
    assert "alipay.trade.wap.pay" in payment.params["pay_url"]


def _opened_and_paid(alipay, order):
    payment = start_page(order)
    alipay.open_page(payment.params["pay_url"])
    alipay.pay(payment.out_trade_no)
    return payment


def test_notify_pays_once_and_answers_success(alipay, django_capture_on_commit_callbacks):
    order = booking_order()
    payment = _opened_and_paid(alipay, order)
    body = alipay.notify(payment.out_trade_no, notify_id="N-1")

    with django_capture_on_commit_callbacks(execute=True):
        first = notify(body)
        replay = notify(body)

    assert first.content == replay.content == b"success"
    assert first["Content-Type"].startswith("text/plain")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert ProviderNotification.objects.count() == 1
    assert order.ledger_transactions.count() == 1
    assert_ledger_balances()


def test_forged_notify_answers_fail_and_changes_nothing(alipay):
    order = booking_order()
    payment = _opened_and_paid(alipay, order)

    response = notify(alipay.notify(payment.out_trade_no, signer=keypair("someone-else")))

    assert response.content == b"fail"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert not ProviderNotification.objects.exists()


def test_stale_notify_is_refused(alipay, settings):
    order = booking_order()
    payment = _opened_and_paid(alipay, order)
    old = timezone.localtime() - timedelta(seconds=settings.PAYMENT_NOTIFY_MAX_SKEW_SECONDS + 60)

    response = notify(alipay.notify(payment.out_trade_no, notify_time=old.strftime("%Y-%m-%d %H:%M:%S")))

    assert response.content == b"fail"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT


def test_notify_for_another_app_is_refused(alipay):
    order = booking_order()
    payment = _opened_and_paid(alipay, order)

    response = notify(alipay.notify(payment.out_trade_no, app_id="2021999999999999"))

    assert response.content == b"fail"


def test_notify_with_another_amount_is_refused_and_logged(alipay, caplog):
    order = booking_order()
    payment = _opened_and_paid(alipay, order)

    with caplog.at_level(logging.ERROR):
        response = notify(alipay.notify(payment.out_trade_no, total_amount="0.01"))

    assert response.content == b"fail"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert ProviderNotification.objects.get().outcome == NotificationOutcome.REJECTED
    assert "amount_mismatch" in caplog.text


def test_only_trade_success_or_finished_means_paid(alipay, django_capture_on_commit_callbacks):
    order = booking_order()
    payment = start_page(order)
    alipay.open_page(payment.params["pay_url"])

    with django_capture_on_commit_callbacks(execute=True):
        waiting = notify(alipay.notify(payment.out_trade_no))  # WAIT_BUYER_PAY
    order.refresh_from_db()
    assert waiting.content == b"success"
    assert order.status == OrderStatus.PENDING_PAYMENT

    alipay.pay(payment.out_trade_no)
    with django_capture_on_commit_callbacks(execute=True):
        notify(alipay.notify(payment.out_trade_no, trade_status="TRADE_FINISHED"))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_query_finds_a_payment_whose_notify_never_came(alipay, settings, django_capture_on_commit_callbacks):
    settings.PAYMENT_QUERY_AFTER_SECONDS = 0
    order = booking_order()
    _opened_and_paid(alipay, order)

    with django_capture_on_commit_callbacks(execute=True):
        query_pending_payments()

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_expiry_closes_at_alipay_first(alipay, django_capture_on_commit_callbacks):
    order = booking_order()
    payment = start_page(order)
    alipay.open_page(payment.params["pay_url"])
    overdue(order)

    with django_capture_on_commit_callbacks(execute=True):
        expire_due_orders()

    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED
    assert alipay.trades[payment.out_trade_no].trade_status == "TRADE_CLOSED"


def test_expiry_of_a_trade_paid_at_alipay_captures_it(alipay, django_capture_on_commit_callbacks):
    order = booking_order()
    _opened_and_paid(alipay, order)
    overdue(order)

    with django_capture_on_commit_callbacks(execute=True):
        expire_due_orders()

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_refund_goes_back_through_alipay_with_out_request_no(alipay, django_capture_on_commit_callbacks):
    order = booking_order()
    payment = _opened_and_paid(alipay, order)
    with django_capture_on_commit_callbacks(execute=True):
        notify(alipay.notify(payment.out_trade_no))

    with django_capture_on_commit_callbacks(execute=True):
        cancel_order(order=order, actor=order.user, reason="rain", full_refund=True)

    refund = Refund.objects.get(order=order)
    assert refund.status == RefundStatus.SUCCEEDED
    assert alipay.trades[payment.out_trade_no].refunds == {refund.out_refund_no: "40.00"}
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("40.00")
    assert_ledger_balances()


def test_reconciliation_against_the_alipay_bill(alipay, django_capture_on_commit_callbacks):
    order = booking_order()
    payment = _opened_and_paid(alipay, order)
    with django_capture_on_commit_callbacks(execute=True):
        notify(alipay.notify(payment.out_trade_no))
    payment.refresh_from_db()
    alipay.bill_rows = [
        alipay.bill_row(
            kind="payment", out_trade_no=payment.out_trade_no, amount=Decimal("40.00"), at=payment.succeeded_at
        ),
        alipay.bill_row(kind="payment", out_trade_no="SOMEONE-ELSES", amount=Decimal("9.00"), at=payment.succeeded_at),
    ]

    (report,) = reconcile_day(day=timezone.localdate(payment.succeeded_at), provider_code="alipay")

    assert report.status == "mismatched"
    assert report.payments_count == 1 and report.provider_payments_count == 2
    assert report.mismatches == [
        {
            "kind": "payment",
            "problem": "missing_here",
            "out_trade_no": "SOMEONE-ELSES",
            "ours": None,
            "theirs": "9.00",
        }
    ]
