"""Asking the provider when it did not tell us: the query of payments without a callback, and the
close of unpaid trades before an order's slots are freed. Both call the provider with no
transaction open and then go through capture_payment / mark_payment_closed."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from sportsplatform.core.errors import DomainError
from sportsplatform.orders.models import Order

from ..models import OPEN_PAYMENT_STATUSES, Payment, PaymentStatus
from ..providers.base import ProviderError, TradeAlreadyPaid
from ..providers.registry import load_provider
from .capture import capture_payment, mark_payment_closed

log = logging.getLogger(__name__)


def sync_payment(*, payment: Payment, actor=None) -> Payment:
    """Ask the provider about an open payment: capture it if it was paid, mark it closed or failed
    if the provider closed it. Raises ProviderError if the provider cannot be asked."""
    provider = load_provider(payment.provider)
    Payment.objects.filter(pk=payment.pk).update(queried_at=timezone.now())
    state = provider.query(payment=payment)
    if state.status == PaymentStatus.SUCCEEDED:
        capture_payment(
            payment=payment,
            provider_transaction_id=state.provider_transaction_id,
            amount=state.amount if state.amount is not None else payment.amount,
            actor=actor,
        )
    elif state.status in (PaymentStatus.CLOSED, PaymentStatus.FAILED):
        mark_payment_closed(payment=payment, status=state.status)
    payment.refresh_from_db()
    return payment


def query_pending_payments(*, limit: int = 500) -> int:
    """The periodic query: payments waiting for their payer longer than PAYMENT_QUERY_AFTER_SECONDS
    with no callback, asked at most once per that interval. Returns how many were asked."""
    cutoff = timezone.now() - timedelta(seconds=settings.PAYMENT_QUERY_AFTER_SECONDS)
    due = list(
        Payment.objects.filter(status=PaymentStatus.PENDING, created_at__lte=cutoff)
        .filter(Q(queried_at__isnull=True) | Q(queried_at__lte=cutoff))
        .order_by("created_at")[:limit]
    )
    for payment in due:
        try:
            sync_payment(payment=payment)
        except DomainError as exc:
            log.warning("payments: query of %s failed: %s", payment.out_trade_no, exc.message)
        except Exception:
            log.exception("payments: query of %s failed", payment.out_trade_no)
    return len(due)


def close_open_payments(*, order: Order, actor=None) -> bool:
    """Close every unpaid payment of `order` at its provider, so nobody can pay it any more. A trade
    found paid is captured instead. Returns False when a provider could not be reached: then the
    caller must not free what the order holds (the money may still come)."""
    all_closed = True
    for payment in list(order.payments.filter(status__in=OPEN_PAYMENT_STATUSES)):
        provider = load_provider(payment.provider)
        try:
            provider.close(payment=payment)
        except TradeAlreadyPaid:
            try:
                sync_payment(payment=payment, actor=actor)
            except ProviderError as exc:
                log.warning("payments: %s is paid but could not be queried: %s", payment.out_trade_no, exc.message)
                all_closed = False
            continue
        except DomainError as exc:
            log.warning("payments: closing %s failed: %s", payment.out_trade_no, exc.message)
            all_closed = False
            continue
        mark_payment_closed(payment=payment)
    return all_closed
