"""The single place a payment becomes succeeded.

Every path that learns a payment went through — the provider's callback, the query of a payment
without a callback, the expiry sweep finding a trade paid when it tried to close it, the card
paying at once — ends in `capture_payment`. It locks the order (then the payment), so two
callbacks, or a callback and the sweep, apply it once; it never calls a provider, and refunds it
decides on are submitted after commit."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.ledger.domain.posting import CENT, post
from sportsplatform.orders.domain.kinds import handler_for
from sportsplatform.orders.domain.transitions import lock_order, log_order_event, transition_order
from sportsplatform.orders.models import OrderStatus

from ..models import MONEY_RECEIVED, Payment, PaymentStatus
from ..providers.registry import load_provider
from .accounts import unmatched_account
from .errors import AmountMismatch

log = logging.getLogger(__name__)


def capture_payment(*, payment: Payment, provider_transaction_id: str, amount, actor=None) -> Payment:
    """Record that `payment` succeeded at the provider for `amount`.

    - Idempotent: a payment already captured is returned unchanged.
    - An amount other than the payment's raises AmountMismatch and changes nothing.
    - A pending order becomes paid (handler.on_paid) and the ledger gets
      (source, −amount), (destination, +subtotal) and, with a coupon, (subsidy, −discount).
    - An expired order whose kind can still have what it bought (handler.can_confirm_late) is
      confirmed the same way; otherwise — and for a cancelled or already paid order — the money is
      kept apart as "unmatched" and refunded in full, automatically, after commit."""
    return record_capture(payment=payment, provider_transaction_id=provider_transaction_id, amount=amount, actor=actor)[
        0
    ]


def record_capture(*, payment: Payment, provider_transaction_id: str, amount, actor=None) -> tuple[Payment, bool]:
    """capture_payment, also saying whether this call captured it (False: it already was)."""
    amount = Decimal(amount).quantize(CENT)
    with transaction.atomic():
        order = lock_order(payment.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status in MONEY_RECEIVED:
            return payment, False
        if amount != payment.amount:
            log.error(
                "payments: %s reported %s for %s, which is for %s; not applied",
                payment.provider,
                amount,
                payment.out_trade_no,
                payment.amount,
            )
            raise AmountMismatch(fields={"amount": [str(amount), str(payment.amount)]})

        provider = load_provider(payment.provider)
        handler = handler_for(order)
        now = timezone.now()
        payment.provider_transaction_id = provider_transaction_id or payment.provider_transaction_id
        payment.succeeded_at = now
        previous_status = order.status
        late = order.status == OrderStatus.EXPIRED
        keep = False
        if payment.amount == order.amount and not order.payments.filter(status=PaymentStatus.SUCCEEDED).exists():
            if order.status == OrderStatus.PENDING_PAYMENT:
                keep = True
            elif late:
                # The hold lapsed before the money came: confirm if what it bought is still to be had.
                keep = handler.can_confirm_late(order=order)
        payment.late = late

        if keep:
            payment.status = PaymentStatus.SUCCEEDED
            payment.save(update_fields=["status", "provider_transaction_id", "succeeded_at", "late"])
            transition_order(
                order=order,
                to=OrderStatus.PAID,
                actor=actor,
                note="late payment confirmed" if late else "",
                data={"payment": payment.out_trade_no, "provider": payment.provider, "late": late},
            )
            order.payment_method = payment.provider
            order.save(update_fields=["payment_method", "updated_at"])
            handler.on_paid(order=order, actor=actor)
            lines = [
                (provider.source_account(payment=payment), -payment.amount),
                (handler.destination_account(order=order), order.subtotal),
            ]
            if order.discount > 0:
                from sportsplatform.coupons.domain.subsidy import subsidy_account_for

                lines.append((subsidy_account_for(order=order), -order.discount))
            post(
                kind="payment.captured",
                reference=f"payment:{payment.pk}",
                lines=lines,
                order=order,
                memo=f"{payment.provider} {payment.out_trade_no}",
                actor=actor,
            )
            audit.record(
                action="payments.payment.captured",
                actor=actor,
                obj=payment,
                order=order.number,
                amount=str(payment.amount),
                late=late,
            )
            return payment, True

        # Money the order cannot keep: book it apart and give it back.
        from .refunds import reserve_refund

        payment.status = PaymentStatus.UNMATCHED
        payment.save(update_fields=["status", "provider_transaction_id", "succeeded_at", "late"])
        post(
            kind="payment.unmatched",
            reference=f"payment:{payment.pk}",
            lines=[(provider.source_account(payment=payment), -payment.amount), (unmatched_account(), payment.amount)],
            order=order,
            memo=f"{payment.provider} {payment.out_trade_no}",
            actor=actor,
        )
        if late:
            reason = _("Paid after the time to pay ran out, when it could no longer be kept: refunded in full")
        elif previous_status == OrderStatus.CANCELLED:
            reason = _("Paid after the order was cancelled: refunded in full")
        else:
            reason = _("Paid twice: the second payment is refunded in full")
        log_order_event(
            order=order,
            action="payment.unmatched",
            actor=actor,
            note=reason,
            data={"payment": payment.out_trade_no, "amount": str(payment.amount)},
        )
        audit.record(action="payments.payment.unmatched", actor=actor, obj=payment, order=order.number, reason=reason)
        reserve_refund(payment=payment, amount=payment.amount, reason=reason, actor=actor)
        log.warning("payments: %s paid for order %s (%s); refunding", payment.out_trade_no, order.number, reason)
        return payment, True


def mark_payment_closed(*, payment: Payment, status: str = PaymentStatus.CLOSED, failure: str = "") -> bool:
    """An open payment the provider closed (or failed): it can no longer be paid."""
    fields = {"status": status, "closed_at": timezone.now()}
    if failure:
        fields["failure"] = failure[:255]
    return bool(
        Payment.objects.filter(pk=payment.pk, status__in=(PaymentStatus.CREATED, PaymentStatus.PENDING)).update(
            **fields
        )
    )
