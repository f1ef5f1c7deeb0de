"""What each kind of order does when it is paid, released or refunded.

The order and payment code does not know about slots, registrations or top-ups: each app that
sells something registers an OrderKindHandler for its OrderKind from AppConfig.ready(). Handlers
run inside the caller's transaction with the order row locked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ..models import Order


class OrderKindHandler:
    kind: str = ""

    def on_paid(self, *, order: Order, actor=None) -> None:
        """The order is paid: confirm what it holds (issue tickets, confirm places, credit a card)."""

    def on_released(self, *, order: Order, actor=None) -> None:
        """The order expired, was cancelled or fully refunded: free what it holds."""

    def can_confirm_late(self, *, order: Order) -> bool:
        """A payment arrived after the order expired: can what it bought still be had? Re-acquires it
        and returns True, or returns False (the payment is then refunded)."""
        return False

    def destination_account(self, *, order: Order):
        """The ledger account that receives the money when the order is paid (the venue by default)."""
        from sportsplatform.ledger.domain.posting import venue_account

        return venue_account(order.venue)

    def refund_quote(self, *, order: Order, now: datetime) -> RefundQuote:
        """How much of a paid order the buyer gets back if they cancel now."""
        return RefundQuote(amount=order.amount - order.refunded_amount, percent=100, rule="")

    # E-ticket check-in (booking.domain.tickets.check_in) asks the kind three things:

    def can_check_in(self, *, actor, order: Order) -> bool:
        """May `actor` check this order's ticket in? By default: staff who may change the order."""
        from sportsplatform.core.scoping import editable_by

        return editable_by(actor, Order.objects.filter(pk=order.pk)).exists()

    def check_in_window(self, *, order: Order) -> tuple[datetime, datetime] | None:
        """From when until when the ticket can be used, or None for any time."""
        return None

    def on_checked_in(self, *, order: Order, actor) -> None:
        """The ticket was used (inside the check-in transaction, the order row locked)."""


@dataclass(frozen=True)
class RefundQuote:
    amount: Decimal
    percent: int
    rule: str  # human-readable rule that applied, shown to the user


_HANDLERS: dict[str, OrderKindHandler] = {}


def register_order_kind(handler: OrderKindHandler) -> None:
    _HANDLERS[handler.kind] = handler


def handler_for(order: Order) -> OrderKindHandler:
    return _HANDLERS.get(order.kind) or OrderKindHandler()
