"""Refunds: back through the provider that was paid, never while holding locks.

reserve (lock the order, check what is left, write a pending Refund whose out_refund_no is the
provider's idempotency key) → commit → ask the provider → record: succeeded (the ledger posting
(destination, −amount), (source, +amount) and the refunded amounts), failed (shown in the back
office and tried again by `retry_refunds`), or still pending (the refund callback or the next
query completes it). Asking the provider again with the same out_refund_no never pays twice."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import DomainError, ValidationFailed
from sportsplatform.ledger.domain.posting import CENT, post
from sportsplatform.notifications.domain.send import notify
from sportsplatform.orders.domain.kinds import handler_for
from sportsplatform.orders.domain.transitions import lock_order, log_order_event
from sportsplatform.orders.models import Order

from ..models import Payment, PaymentStatus, Refund, RefundStatus
from ..providers.base import ProviderRefundState
from ..providers.registry import load_provider
from .accounts import unmatched_account
from .errors import RefundNotAllowed, RefundTooLarge
from .links import order_link

log = logging.getLogger(__name__)

# Refunds that count against what a payment can still give back (a failed one is owed and retried).
OWED = (RefundStatus.PENDING, RefundStatus.SUCCEEDED, RefundStatus.FAILED)


def refundable_amount(*, order: Order) -> Decimal:
    """What of the order's payment is not yet refunded or being refunded."""
    payment = order.payments.filter(status=PaymentStatus.SUCCEEDED).first()
    if payment is None:
        return Decimal("0.00")
    owed = payment.refunds.filter(status__in=OWED).aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    return payment.amount - owed


def refund_order(*, order: Order, amount, reason: str, actor) -> Refund:
    """Give `amount` of a paid order back to the payer, through the provider that was paid (a card
    payment goes back to the card). Money only: the order's status is cancel_order's business.

    Inside a caller's transaction (cancel_order) the provider is asked after that commits."""
    try:
        amount = Decimal(amount).quantize(CENT)
    except (ArithmeticError, TypeError, ValueError):
        raise ValidationFailed(fields={"amount": [_("Enter an amount in yuan, e.g. 35.00.")]}) from None
    if amount <= 0:
        raise ValidationFailed(fields={"amount": [_("The amount must be more than zero.")]})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give a reason for the refund.")]})
    with transaction.atomic():
        order = lock_order(order.pk)
        payment = Payment.objects.select_for_update().filter(order=order, status=PaymentStatus.SUCCEEDED).first()
        if payment is None:
            raise RefundNotAllowed(_("This order has no payment to refund."))
        left = refundable_amount(order=order)
        if amount > left:
            raise RefundTooLarge(
                _("At most %(amount)s yuan can still be refunded.") % {"amount": left},
                fields={"amount": [_("At most %(amount)s yuan can still be refunded.") % {"amount": left}]},
            )
        refund = reserve_refund(payment=payment, amount=amount, reason=reason, actor=actor)
    refund.refresh_from_db()
    return refund


def reserve_refund(*, payment: Payment, amount: Decimal, reason: str, actor=None) -> Refund:
    """Write the pending Refund (the caller holds the order lock) and submit it after commit."""
    sequence = Refund.objects.filter(payment=payment).count() + 1
    refund = Refund.objects.create(
        payment=payment,
        order_id=payment.order_id,
        out_refund_no=f"{payment.out_trade_no}R{sequence:02d}",
        amount=amount,
        reason=reason[:128],
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    log_order_event(
        order=payment.order,
        action="refund.requested",
        actor=actor,
        note=reason,
        data={"refund": refund.out_refund_no, "amount": str(amount), "provider": payment.provider},
    )
    audit.record(action="payments.refund.requested", actor=actor, obj=refund, amount=str(amount), reason=reason)
    refund_id = refund.pk
    transaction.on_commit(lambda: submit_refund(refund_id=refund_id))
    return refund


def submit_refund(*, refund_id: int) -> Refund:
    """Ask the provider for the refund (or, once asked, for its state) and record the answer.
    Called with no transaction open; safe to call again at any time."""
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status == RefundStatus.SUCCEEDED:
        return refund
    Refund.objects.filter(pk=refund.pk).update(attempts=F("attempts") + 1, last_attempt_at=timezone.now())
    try:
        provider = load_provider(refund.payment.provider)
        if refund.provider_refund_id and refund.status == RefundStatus.PENDING:
            state = provider.query_refund(refund=refund)
        else:
            state = provider.refund(refund=refund)
    except DomainError as exc:
        log.warning("payments: refund %s failed at the provider: %s", refund.out_refund_no, exc.message)
        fail_refund(refund=refund, failure=f"{exc.code}: {exc.message}")
    else:
        try:
            record_refund_state(refund=refund, state=state)
        except Exception as exc:
            # The provider paid it out but our books refused it (e.g. a card that was spent meanwhile):
            # keep it pending and visible with the reason; the retry finds the provider's same answer.
            log.exception("payments: refund %s done at the provider but not recorded", refund.out_refund_no)
            Refund.objects.filter(pk=refund.pk).exclude(status=RefundStatus.SUCCEEDED).update(
                failure=f"not recorded: {exc}"[:255],
                provider_refund_id=state.provider_refund_id or refund.provider_refund_id,
            )
    refund.refresh_from_db()
    return refund


def record_refund_state(*, refund: Refund, state: ProviderRefundState) -> None:
    if state.status == RefundStatus.SUCCEEDED:
        complete_refund(refund=refund, provider_refund_id=state.provider_refund_id)
    elif state.status == RefundStatus.FAILED:
        fail_refund(
            refund=refund, failure=_("The provider refused the refund."), provider_refund_id=state.provider_refund_id
        )
    elif state.provider_refund_id:
        Refund.objects.filter(pk=refund.pk).exclude(status=RefundStatus.SUCCEEDED).update(
            status=RefundStatus.PENDING, provider_refund_id=state.provider_refund_id, failure=""
        )


def complete_refund(*, refund: Refund, provider_refund_id: str = "", actor=None) -> bool:
    """The provider paid the refund out. Idempotent; returns whether this call completed it."""
    with transaction.atomic():
        order = lock_order(refund.order_id)
        refund = Refund.objects.select_for_update().select_related("payment").get(pk=refund.pk)
        if refund.status == RefundStatus.SUCCEEDED:
            return False
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        refund.status = RefundStatus.SUCCEEDED
        refund.succeeded_at = timezone.now()
        refund.provider_refund_id = provider_refund_id or refund.provider_refund_id
        refund.failure = ""
        refund.save(update_fields=["status", "succeeded_at", "provider_refund_id", "failure"])
        payment.refunded_amount = payment.refunded_amount + refund.amount
        payment.save(update_fields=["refunded_amount"])
        provider = load_provider(payment.provider)
        if payment.status == PaymentStatus.UNMATCHED:
            giver = unmatched_account()
        else:
            giver = handler_for(order).destination_account(order=order)
            order.refunded_amount = order.refunded_amount + refund.amount
            order.save(update_fields=["refunded_amount", "updated_at"])
        post(
            kind="refund",
            reference=f"refund:{refund.pk}",
            lines=[(giver, -refund.amount), (provider.source_account(payment=payment), refund.amount)],
            order=order,
            memo=f"{payment.provider} {refund.out_refund_no}",
            actor=actor,
        )
        log_order_event(
            order=order,
            action="refund.succeeded",
            actor=actor,
            data={"refund": refund.out_refund_no, "amount": str(refund.amount)},
        )
        audit.record(action="payments.refund.succeeded", actor=actor, obj=refund, amount=str(refund.amount))
        notify(
            user=order.user,
            kind="order.refunded",
            title=_("Refund of %(amount)s yuan made") % {"amount": refund.amount},
            body=_("Order %(number)s: %(amount)s yuan is on its way back to where you paid from.")
            % {"number": order.number, "amount": refund.amount},
            link=order_link(order),
        )
    return True


def fail_refund(*, refund: Refund, failure: str, provider_refund_id: str = "") -> None:
    updated = (
        Refund.objects.filter(pk=refund.pk)
        .exclude(status=RefundStatus.SUCCEEDED)
        .update(
            status=RefundStatus.FAILED,
            failure=failure[:255],
            provider_refund_id=provider_refund_id or refund.provider_refund_id,
        )
    )
    if updated:
        audit.record(action="payments.refund.failed", obj=refund, failure=failure[:255])


def retry_refund(*, refund: Refund, actor) -> Refund:
    """The back office's "try again" on a failed or stuck refund."""
    if refund.status == RefundStatus.SUCCEEDED:
        raise RefundNotAllowed(_("This refund has already been made."))
    audit.record(action="payments.refund.retried", actor=actor, obj=refund)
    return submit_refund(refund_id=refund.pk)


def retry_refunds(*, limit: int = 200) -> int:
    """The periodic sweep: failed refunds, and pending ones nobody finished (the process died
    after reserving, or the provider's callback never came), every PAYMENT_REFUND_RETRY_MINUTES,
    up to PAYMENT_REFUND_MAX_ATTEMPTS times. Returns how many it tried."""
    cutoff = timezone.now() - timedelta(minutes=settings.PAYMENT_REFUND_RETRY_MINUTES)
    due = (
        Refund.objects.exclude(status=RefundStatus.SUCCEEDED)
        .filter(attempts__lt=settings.PAYMENT_REFUND_MAX_ATTEMPTS)
        .filter(Q(last_attempt_at__lte=cutoff) | Q(last_attempt_at__isnull=True, created_at__lte=cutoff))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    tried = 0
    for refund_id in list(due):
        try:
            submit_refund(refund_id=refund_id)
        except Exception:  # one bad refund must not stop the others
            log.exception("payments: retrying refund %s failed", refund_id)
        tried += 1
    return tried
