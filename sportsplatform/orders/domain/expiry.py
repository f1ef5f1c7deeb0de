"""Unpaid orders whose hold lapsed: closed at the provider first, then their slots freed.

The order is not locked while the providers are asked (seconds, maybe): closing first makes sure
no money can come for slots we give away; a trade found paid is captured instead (the order is
then paid, not expired); a provider that cannot be reached leaves the order for the next sweep."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from sportsplatform.payments.domain.sync import close_open_payments
from sportsplatform.payments.models import OPEN_PAYMENT_STATUSES, PaymentStatus

from ..models import Order, OrderStatus
from .kinds import handler_for
from .transitions import lock_order, transition_order

log = logging.getLogger(__name__)


def _overdue(order: Order) -> bool:
    return (
        order.status == OrderStatus.PENDING_PAYMENT
        and order.expires_at is not None
        and order.expires_at <= timezone.now()
    )


def expire_order(*, order_id: int) -> Order | None:
    """Expire one order if it is still unpaid past its deadline; otherwise leave it as it is."""
    order = Order.objects.filter(pk=order_id).first()
    if order is None or not _overdue(order):
        return order
    if not close_open_payments(order=order):
        log.warning("orders: %s not expired yet, a provider could not close its payment", order.number)
        return order
    with transaction.atomic():
        order = lock_order(order_id)
        if not _overdue(order):
            return order  # paid meanwhile: the close found the trade paid, or a callback came
        if order.payments.filter(status__in=(*OPEN_PAYMENT_STATUSES, PaymentStatus.SUCCEEDED)).exists():
            return order  # a payment opened in between: the next sweep closes it first
        transition_order(order=order, to=OrderStatus.EXPIRED, note="payment time ran out")
        handler_for(order).on_released(order=order, actor=None)
    return order


def expire_due_orders(*, limit: int = 1000) -> int:
    """The periodic sweep (every minute): expire every overdue unpaid order. Returns how many."""
    due = list(
        Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, expires_at__lte=timezone.now())
        .order_by("expires_at")
        .values_list("pk", flat=True)[:limit]
    )
    expired = 0
    for order_id in due:
        try:
            order = expire_order(order_id=order_id)
        except Exception:  # one broken order must not hold up the others' slots
            log.exception("orders: expiring order %s failed", order_id)
            continue
        if order is not None and order.status == OrderStatus.EXPIRED:
            expired += 1
    return expired
