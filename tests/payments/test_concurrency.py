"""Duplicate callbacks racing on real connections (threads, committed transactions): the payment is
applied once whatever arrives together — the same notification delivered twice at once, or several
notifications about the same payment. Runs on SQLite (IMMEDIATE transactions queue) and, in the
PostgreSQL pass, on row locks and the unique notification index."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

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
from tests.support.accounts import ensure_regions

from .helpers import assert_ledger_balances, booking_order, start_sandbox

pytestmark = pytest.mark.django_db(transaction=True)


def race(calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as exc:  # reported below, not swallowed
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_concurrent_duplicate_callbacks_apply_once():
    ensure_regions()
    order = booking_order()
    payment = start_sandbox(order)
    SandboxTrade.objects.filter(out_trade_no=payment.out_trade_no).update(state=SandboxTradeState.SUCCESS)
    trade = SandboxTrade.objects.get(out_trade_no=payment.out_trade_no)

    def callback(notification_id: str):
        SandboxTrade.objects.filter(pk=trade.pk).update(notification_id=notification_id)
        _nid, body, _url = gateway.notification_body("payment", trade.pk)
        headers = gateway.signed_headers(notification_id=notification_id, body=body)
        return lambda: handle_notification(provider_code="sandbox", headers=headers, body=body)

    # Built before the race: the same notification four times, and four other notifications.
    calls = [callback("same-id") for _ in range(4)] + [callback(f"other-{i}") for i in range(4)]

    answers = race(calls)

    assert [getattr(a, "status", a) for a in answers] == [200] * 8
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert order.events.filter(action="order.paid").count() == 1
    assert order.ledger_transactions.count() == 1
    outcomes = sorted(ProviderNotification.objects.values_list("outcome", flat=True))
    assert len(outcomes) == 5  # "same-id" stored once
    assert outcomes.count(NotificationOutcome.APPLIED) == 1
    assert outcomes.count(NotificationOutcome.DUPLICATE) == 4
    assert_ledger_balances()
