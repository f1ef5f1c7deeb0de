"""Topping up a sports card: an Order of kind "topup" (no venue) that the user pays through a payment
provider like any other order. When the payment is captured, payments.domain.capture posts
provider → card (the destination account below) and the money is on the card: exactly once, because
the capture is the only place a payment succeeds and the ledger posting is idempotent by reference.

Limits (documented in docs/money.md): 1–5,000 yuan per top-up, whole fen; a card holds at most
20,000 yuan (settings WALLET_TOPUP_MIN / WALLET_TOPUP_MAX / WALLET_CARD_MAX_BALANCE)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sportsplatform.core import audit
from sportsplatform.core.errors import ValidationFailed
from sportsplatform.ledger.domain.posting import card_account
from sportsplatform.orders.domain.kinds import OrderKindHandler, RefundQuote, register_order_kind
from sportsplatform.orders.domain.numbers import new_order_number
from sportsplatform.orders.domain.transitions import log_order_event
from sportsplatform.orders.models import Order, OrderKind, OrderLine

from .cards import open_card, require_active

CENT = Decimal("0.01")
LINE_KIND = "topup"


def topup_limits() -> tuple[Decimal, Decimal, Decimal]:
    """(smallest top-up, largest top-up, largest card balance) in yuan."""
    return (
        Decimal(str(getattr(settings, "WALLET_TOPUP_MIN", "1.00"))),
        Decimal(str(getattr(settings, "WALLET_TOPUP_MAX", "5000.00"))),
        Decimal(str(getattr(settings, "WALLET_CARD_MAX_BALANCE", "20000.00"))),
    )


def parse_amount(value) -> Decimal:
    """A top-up amount in yuan from user input, or ValidationFailed with a field error."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(fields={"amount": [_("Enter an amount in yuan, e.g. 100 or 99.50.")]}) from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationFailed(fields={"amount": [_("Enter an amount in yuan with at most two decimals.")]})
    return amount.quantize(CENT)


def create_topup_order(*, user, amount, actor) -> Order:
    """A pending top-up order for `amount` yuan on the user's card (opened now if needed). The user
    then pays it with sandbox, WeChat Pay or Alipay (payments.domain.pay.start_payment)."""
    amount = parse_amount(amount)
    low, high, cap = topup_limits()
    if amount < low or amount > high:
        raise ValidationFailed(
            fields={
                "amount": [
                    _("A top-up is between %(low)s and %(high)s yuan.") % {"low": f"{low:.2f}", "high": f"{high:.2f}"}
                ]
            }
        )
    card = open_card(user=user, actor=actor)
    require_active(card)
    if card.account.balance + amount > cap:
        raise ValidationFailed(
            fields={
                "amount": [
                    _("A card holds at most %(cap)s yuan; you can top up %(room)s yuan more.")
                    % {"cap": f"{cap:.2f}", "room": f"{max(cap - card.account.balance, Decimal('0')):.2f}"}
                ]
            }
        )
    hold = int(getattr(settings, "BOOKING_HOLD_MINUTES", 15))
    with transaction.atomic():
        order = Order.objects.create(
            number=new_order_number(),
            user=user,
            kind=OrderKind.TOPUP,
            venue=None,
            subtotal=amount,
            amount=amount,
            expires_at=timezone.now() + timedelta(minutes=hold),
        )
        OrderLine.objects.create(
            order=order,
            kind=LINE_KIND,
            object_id=card.pk,
            description=_("Sports card top-up %(number)s") % {"number": card.number},
            quantity=1,
            unit_price=amount,
            amount=amount,
        )
        log_order_event(order=order, action="order.created", actor=actor, data={"card": card.number})
        audit.record(action="wallet.topup.created", actor=actor, obj=order, amount=str(amount), card=card.number)
    return order


class TopupHandler(OrderKindHandler):
    """What paying, releasing and refunding a top-up order means."""

    kind = OrderKind.TOPUP

    def destination_account(self, *, order: Order):
        # The capture credits the card itself: the top-up's money is the holder's.
        return card_account(order.user)

    def on_paid(self, *, order: Order, actor=None) -> None:
        # The capture's ledger posting has put the money on the card; nothing else is held.
        audit.record(action="wallet.topup.paid", actor=actor, obj=order, amount=str(order.amount))

    def can_confirm_late(self, *, order: Order) -> bool:
        # A top-up holds nothing scarce: money that arrives after the order expired is still
        # credited rather than sent back.
        return True

    def refund_quote(self, *, order: Order, now) -> RefundQuote:
        # Only what is still on the card can go back to the payer: the card never goes negative.
        left = order.amount - order.refunded_amount
        balance = card_account(order.user).balance
        amount = max(min(left, balance), Decimal("0.00"))
        return RefundQuote(
            amount=amount,
            percent=int((amount * 100 / order.amount).to_integral_value()) if order.amount else 0,
            rule=str(gettext_lazy("Unspent card balance only")),
        )


def register() -> None:
    register_order_kind(TopupHandler())
