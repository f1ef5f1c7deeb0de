"""The stored-value sports card (一卡通) as a payment provider.

Money moves only through the ledger, and the payments domain does the posting: capture_payment
posts (source_account(payment) = the payer's card account, −amount) against the seller, and
refund_order posts the reverse. So this provider talks to no gateway: `start` checks the card can
pay and answers "succeeded" at once; the capture's posting is what takes the money, and the
database constraint on the card account (never below zero) refuses a payment the balance does not
cover even when two payments race past the check here (ledger.domain.posting raises
InsufficientFunds, 409 "insufficient_funds", and the whole capture rolls back). A refund needs no
outside party either: the refund_order posting credits the card, so `refund` just confirms."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sportsplatform.core.errors import ValidationFailed
from sportsplatform.ledger.domain.posting import InsufficientFunds, card_account

from .base import PaymentProvider, PaymentStart, ProviderPaymentState, ProviderRefundState
from .registry import register_provider

CHANNEL = "card"


def card_transaction_id(payment) -> str:
    """The "provider transaction id" of a card payment: ours, derived from the payment number."""
    return f"card-{payment.out_trade_no}"


@register_provider
class CardProvider(PaymentProvider):
    code = "card"
    name = _("Sports card")
    channels = (CHANNEL,)
    # The card is our own ledger: there is no outside statement to reconcile against
    # (`manage.py check_ledger` proves the card accounts instead).
    reconcile = False

    def source_account(self, *, payment):
        return card_account(payment.order.user)

    def start(self, *, payment, channel: str, request_info: dict) -> PaymentStart:
        from sportsplatform.orders.models import OrderKind
        from sportsplatform.wallet.domain.cards import require_active, require_card

        if payment.order.kind == OrderKind.TOPUP:
            # Card to the same card: no money would move, yet the top-up would count as paid.
            raise ValidationFailed(
                _("A top-up cannot be paid with the sports card itself."),
                code="payment_method_unavailable",
                fields={"method": [_("A top-up cannot be paid with the sports card itself.")]},
            )

        card = require_card(payment.order.user)
        require_active(card)
        if card.account.balance < payment.amount:
            # Early answer for the common case; the ledger constraint is the real guard.
            raise InsufficientFunds()
        return PaymentStart(
            params={"card_number": card.number},
            provider_transaction_id=card_transaction_id(payment),
            succeeded=True,
        )

    def query(self, *, payment) -> ProviderPaymentState:
        # A card payment either succeeded in start() (and was captured in the same request) or
        # never happened: there is nothing outstanding to ask about.
        from sportsplatform.payments.models import PaymentStatus

        status = payment.status if payment.status == PaymentStatus.SUCCEEDED else PaymentStatus.CLOSED
        return ProviderPaymentState(
            out_trade_no=payment.out_trade_no,
            status=status,
            amount=payment.amount if status == PaymentStatus.SUCCEEDED else None,
            provider_transaction_id=payment.provider_transaction_id,
            paid_at=payment.succeeded_at,
        )

    def close(self, *, payment) -> None:
        # Nothing was reserved on the card before the capture, so there is nothing to release.
        return None

    def refund(self, *, refund) -> ProviderRefundState:
        from sportsplatform.payments.models import RefundStatus

        return ProviderRefundState(
            out_refund_no=refund.out_refund_no,
            status=RefundStatus.SUCCEEDED,
            provider_refund_id=f"card-{refund.out_refund_no}"[:64],
        )
