"""Creating an order for something an app sells (event registrations, course enrolments, ...).
Booking and top-ups predate this and create theirs in their own domain functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from sportsplatform.core import audit

from ..models import Order, OrderLine
from .numbers import new_order_number
from .transitions import log_order_event


@dataclass(frozen=True)
class LineSpec:
    kind: str  # "registration", "enrolment"
    object_id: int | None
    description: str
    unit_price: Decimal
    quantity: int = 1


def create_order(
    *,
    user,
    kind: str,
    venue,
    lines: list[LineSpec],
    expires_at: datetime | None,
    actor=None,
    idempotency_key: str = "",
    note: str = "",
) -> Order:
    """An order awaiting payment for `lines`, payable until `expires_at`. Must run inside the
    caller's transaction (the one that took the place), so a failure leaves neither."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("create_order must run inside the transaction that reserves what it sells")
    subtotal = sum((line.unit_price * line.quantity for line in lines), Decimal("0.00"))
    order = Order.objects.create(
        number=new_order_number(),
        user=user,
        kind=kind,
        venue=venue,
        subtotal=subtotal,
        amount=subtotal,
        expires_at=expires_at,
        idempotency_key=idempotency_key,
        note=note[:255],
    )
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                kind=line.kind,
                object_id=line.object_id,
                description=line.description[:255],
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.unit_price * line.quantity,
            )
            for line in lines
        ]
    )
    log_order_event(order=order, action="order.created", actor=actor or user)
    audit.record(action=f"orders.order.created.{kind}", actor=actor or user, obj=order)
    return order
