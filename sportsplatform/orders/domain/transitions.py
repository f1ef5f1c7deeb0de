"""The order state machine: one function moves an order from one status to another.

Veto (is the move allowed?) → save → log (OrderEvent + audit) → notify (after commit). Callers lock
the order row first (`lock_order`) so two callbacks or a callback and the expiry sweep cannot both
move it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from sportsplatform.core import audit
from sportsplatform.core.errors import IllegalTransition

from ..models import ORDER_TRANSITIONS, Order, OrderEvent, OrderStatus
from .signals import order_releasing, order_status_changed


def lock_order(order_id: int) -> Order:
    """The order row, locked for the rest of the transaction (SQLite locks the database at BEGIN)."""
    return Order.objects.select_for_update().get(pk=order_id)


def can_transition(order: Order, to: str) -> bool:
    return to in ORDER_TRANSITIONS.get(order.status, frozenset())


def transition_order(
    *, order: Order, to: OrderStatus | str, actor=None, note: str = "", data: dict | None = None
) -> Order:
    """Move `order` to `to`, or raise IllegalTransition and change nothing."""
    to = OrderStatus(to)
    if not can_transition(order, to):
        raise IllegalTransition(code="illegal_transition", fields={"status": [order.status, str(to)]})
    previous = order.status
    if to in (OrderStatus.CANCELLED, OrderStatus.REFUNDED, OrderStatus.EXPIRED):
        order_releasing.send(sender=Order, order=order, to=to, actor=actor)
    now = timezone.now()
    order.status = to
    fields = ["status", "updated_at"]
    if to == OrderStatus.PAID:
        order.paid_at = order.paid_at or now
        fields.append("paid_at")
    elif to in (OrderStatus.CANCELLED, OrderStatus.REFUNDED, OrderStatus.EXPIRED):
        order.closed_at = now
        fields.append("closed_at")
    order.save(update_fields=fields)
    OrderEvent.objects.create(
        order=order,
        action=f"order.{to}",
        from_status=previous,
        to_status=to,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note[:255],
        data=data or {},
    )
    audit.record(action=f"orders.order.{to}", actor=actor, obj=order, changes={"status": [previous, str(to)]})
    transaction.on_commit(lambda: order_status_changed.send(sender=Order, order=order, previous=previous, actor=actor))
    return order


def log_order_event(*, order: Order, action: str, actor=None, note: str = "", data: dict | None = None) -> None:
    """A note on the order that is not a status change (a refund, a coupon, a check-in)."""
    OrderEvent.objects.create(
        order=order,
        action=action,
        from_status=order.status,
        to_status=order.status,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note[:255],
        data=data or {},
    )
