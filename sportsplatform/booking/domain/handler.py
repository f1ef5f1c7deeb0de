"""What paying, releasing and refunding mean for a booking order (registered for OrderKind.BOOKING)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Min
from django.utils.translation import gettext as _

from sportsplatform.orders.domain.kinds import OrderKindHandler, RefundQuote
from sportsplatform.orders.models import Order, OrderKind

from ..models import BookingItem, BookingItemStatus, Ticket
from .holds import reacquire_order_items, release_order_items
from .policy import policy_for
from .tickets import issue_ticket


def refund_percent(*, tiers: list[dict], hours_before: float) -> int:
    """The venue's refund tiers: the first tier whose notice is met, most generous first."""
    for tier in sorted(tiers, key=lambda t: -float(t.get("hours_before", 0))):
        if hours_before >= float(tier.get("hours_before", 0)):
            return int(tier.get("percent", 0))
    return 0


class BookingOrderHandler(OrderKindHandler):
    kind = OrderKind.BOOKING

    def on_paid(self, *, order: Order, actor=None) -> None:
        BookingItem.objects.filter(order=order, status=BookingItemStatus.HELD).update(
            status=BookingItemStatus.CONFIRMED
        )
        issue_ticket(order=order)

    def on_released(self, *, order: Order, actor=None) -> None:
        release_order_items(order=order)
        Ticket.objects.filter(order=order, revoked_at__isnull=True).update(
            revoked_at=order.closed_at or order.updated_at
        )

    def can_confirm_late(self, *, order: Order) -> bool:
        return reacquire_order_items(order=order)

    def check_in_window(self, *, order: Order) -> tuple[datetime, datetime] | None:
        items = list(BookingItem.objects.filter(order=order).select_related("slot").order_by("start"))
        if not items:
            return None
        opens = items[0].slot.start - timedelta(minutes=policy_for(order.venue).checkin_opens_minutes)
        return opens, items[-1].slot.end

    def on_checked_in(self, *, order: Order, actor) -> None:
        BookingItem.objects.filter(order=order).exclude(status=BookingItemStatus.RELEASED).update(
            status=BookingItemStatus.CHECKED_IN
        )

    def refund_quote(self, *, order: Order, now: datetime) -> RefundQuote:
        remaining = order.amount - order.refunded_amount
        first_start = BookingItem.objects.filter(order=order).aggregate(first=Min("start"))["first"]
        if first_start is None:
            return RefundQuote(amount=remaining, percent=100, rule="")
        hours_before = (first_start - now).total_seconds() / 3600
        tiers = policy_for(order.venue).refund_tiers or []
        percent = refund_percent(tiers=tiers, hours_before=hours_before)
        amount = (remaining * Decimal(percent) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return RefundQuote(amount=amount, percent=percent, rule=describe_refund_tiers(tiers))


def describe_refund_tiers(tiers: list[dict]) -> str:
    parts = [
        _("%(percent)d%% refund until %(hours)s h before the start")
        % {"percent": int(t.get("percent", 0)), "hours": t.get("hours_before", 0)}
        for t in sorted(tiers, key=lambda t: -float(t.get("hours_before", 0)))
    ]
    return _("; ").join(parts) + (_("; no refund after that") if parts else _("No refunds"))
