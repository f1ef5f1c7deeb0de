"""What paying, releasing, refunding and checking in mean for an event order (OrderKind.EVENT).

The order and payment code calls these with the order row locked, inside its transaction; the
registration side of each lives in registrations.py so the sign-up rules stay in one module."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sportsplatform.booking.domain.handler import describe_refund_tiers, refund_percent
from sportsplatform.core.scoping import scope_for
from sportsplatform.ledger.domain.posting import organiser_account
from sportsplatform.orders.domain.kinds import OrderKindHandler, RefundQuote, register_order_kind
from sportsplatform.orders.models import Order, OrderKind

from ..models import Event
from .registrations import confirm_paid, registration_of, release_place, relive_late

# The check-in desk opens this long before the start (athletes collect bibs, warm up).
CHECK_IN_OPENS_BEFORE = timedelta(hours=2)


def _event_of(order: Order) -> Event | None:
    registration = registration_of(order)
    return registration.event if registration is not None else None


def event_refund_quote(*, event: Event, remaining: Decimal, now: datetime) -> RefundQuote:
    """The event's refund rules (Event.refund_tiers, as venues write theirs) by hours before the
    start. No rules: no refund when the participant withdraws (the event cancelled refunds all)."""
    tiers = event.refund_tiers or []
    hours_before = (event.starts_at - now).total_seconds() / 3600
    percent = refund_percent(tiers=tiers, hours_before=hours_before)
    amount = (remaining * Decimal(percent) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return RefundQuote(amount=amount, percent=percent, rule=describe_refund_tiers(tiers))


class EventOrderHandler(OrderKindHandler):
    kind = OrderKind.EVENT

    def on_paid(self, *, order: Order, actor=None) -> None:
        confirm_paid(order=order, actor=actor)

    def on_released(self, *, order: Order, actor=None) -> None:
        release_place(order=order, actor=actor)

    def can_confirm_late(self, *, order: Order) -> bool:
        return relive_late(order=order)

    def destination_account(self, *, order: Order):
        event = _event_of(order)
        if event is None:
            return super().destination_account(order=order)
        return organiser_account(event.organiser)

    def refund_quote(self, *, order: Order, now: datetime) -> RefundQuote:
        remaining = order.amount - order.refunded_amount
        event = _event_of(order)
        if event is None:
            return RefundQuote(amount=remaining, percent=100, rule="")
        return event_refund_quote(event=event, remaining=remaining, now=now)

    def can_check_in(self, *, actor, order: Order) -> bool:
        """The organiser's staff, the operator of the event's venue, or a platform admin."""
        event = _event_of(order)
        if event is None:
            return False
        scope = scope_for(actor)
        if scope.everything or scope.allows_organisation(event.organiser_id):
            return True
        return event.venue_id is not None and scope.allows_organisation(event.venue.operator_id)

    def check_in_window(self, *, order: Order) -> tuple[datetime, datetime] | None:
        event = _event_of(order)
        if event is None:
            return None
        return event.starts_at - CHECK_IN_OPENS_BEFORE, event.ends_at


def register() -> None:
    register_order_kind(EventOrderHandler())
