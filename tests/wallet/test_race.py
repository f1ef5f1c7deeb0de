"""Many payments from one card at the same instant: exactly as many succeed as the balance covers,
the balance never goes below zero and every movement is in the ledger. Real threads, each with its
own database connection, on PostgreSQL and SQLite (make test runs both)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connections

from sportsplatform.ledger.domain.posting import InsufficientFunds
from sportsplatform.ledger.models import Entry
from sportsplatform.orders.models import Order, OrderStatus
from sportsplatform.payments.domain.pay import start_payment

from .helpers import assert_books_balance, balance, booking_order, new_user, topped_up

THREADS = 12
PRICE = Decimal("30.00")


@pytest.mark.django_db(transaction=True)
def test_concurrent_card_payments_never_overdraw_the_card(django_capture_on_commit_callbacks):
    user = new_user()
    topped_up(user, "100", django_capture_on_commit_callbacks)  # covers 3 payments of 30.00
    orders = [booking_order(user=user, price=str(PRICE)) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    lock = threading.Lock()

    def pay(order_id: int) -> None:
        try:
            order = Order.objects.get(pk=order_id)
            barrier.wait()
            start_payment(order=order, method="card", actor=user, request_info={})
            outcome = "paid"
        except InsufficientFunds:
            outcome = "insufficient_funds"
        except Exception as exc:  # any other failure shows in the assert below
            outcome = repr(exc)
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=pay, args=(o.pk,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(results) == ["insufficient_funds"] * (THREADS - 3) + ["paid"] * 3, results
    assert balance(f"card:{user.pk}") == Decimal("10.00")
    assert Order.objects.filter(pk__in=[o.pk for o in orders], status=OrderStatus.PAID).count() == 3
    card_entries = Entry.objects.filter(account__key=f"card:{user.pk}").order_by("id")
    assert [e.amount for e in card_entries] == [Decimal("100.00")] + [-PRICE] * 3
    assert min(e.balance_after for e in card_entries) >= 0
    assert_books_balance()
