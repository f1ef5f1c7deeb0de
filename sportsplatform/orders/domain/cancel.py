"""Cancelling an order, by its buyer (refund per the kind's policy) or by staff (in full, e.g. a
court closed by the operator).

Unpaid: its payments are closed at the provider first (outside locks), then it is cancelled and
what it held freed. Paid: in one transaction it becomes refunded (something to give back) or
cancelled (nothing refundable), what it held is freed and the refund is reserved; the provider is
asked after commit (payments.domain.refunds), and a refund the provider refuses stays visible and
is tried again."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core.errors import Conflict, IllegalTransition
from sportsplatform.notifications.domain.send import notify
from sportsplatform.payments.domain.links import order_link
from sportsplatform.payments.domain.refunds import refund_order, refundable_amount
from sportsplatform.payments.domain.sync import close_open_payments
from sportsplatform.payments.models import OPEN_PAYMENT_STATUSES

from ..models import Order, OrderStatus
from .kinds import RefundQuote, handler_for
from .transitions import lock_order, transition_order


def refund_preview(*, order: Order, full_refund: bool = False) -> RefundQuote:
    """What cancelling now would give back."""
    left = refundable_amount(order=order)
    if full_refund:
        return RefundQuote(amount=left, percent=100, rule=_("Full refund"))
    quote = handler_for(order).refund_quote(order=order, now=timezone.now())
    return RefundQuote(amount=min(quote.amount, left), percent=quote.percent, rule=quote.rule)


def cancel_order(*, order: Order, actor, reason: str, full_refund: bool = False) -> Order:
    """Cancel `order` (pending or paid); see the module docstring. Raises IllegalTransition for
    any other status."""
    reason = (reason or "").strip()[:200] or _("Cancelled")
    order = Order.objects.get(pk=order.pk)
    if order.status == OrderStatus.PENDING_PAYMENT:
        if not close_open_payments(order=order, actor=actor):
            raise Conflict(
                _("The payment service could not be reached to stop the payment. Please try again."),
                code="payment_provider_unavailable",
            )
        order.refresh_from_db()
    if order.status == OrderStatus.PENDING_PAYMENT:
        with transaction.atomic():
            order = lock_order(order.pk)
            if (
                order.status != OrderStatus.PENDING_PAYMENT
                or order.payments.filter(status__in=OPEN_PAYMENT_STATUSES).exists()
            ):
                raise Conflict(_("The order changed meanwhile. Please look at it again."), code="order_changed")
            transition_order(order=order, to=OrderStatus.CANCELLED, actor=actor, note=reason)
            handler_for(order).on_released(order=order, actor=actor)
            _tell(order, refund=None)
        return order

    with transaction.atomic():
        order = lock_order(order.pk)
        if order.status != OrderStatus.PAID:
            raise IllegalTransition(fields={"status": [order.status, OrderStatus.CANCELLED]})
        quote = refund_preview(order=order, full_refund=full_refund)
        to = OrderStatus.REFUNDED if quote.amount > 0 else OrderStatus.CANCELLED
        transition_order(
            order=order,
            to=to,
            actor=actor,
            note=reason,
            data={"refund": str(quote.amount), "percent": quote.percent, "rule": str(quote.rule), "full": full_refund},
        )
        handler_for(order).on_released(order=order, actor=actor)
        if quote.amount > 0:
            refund_order(order=order, amount=quote.amount, reason=reason, actor=actor)
        _tell(order, refund=quote.amount)
    order.refresh_from_db()
    return order


def _tell(order: Order, *, refund) -> None:
    if refund:
        body = _("Order %(number)s is cancelled. %(amount)s yuan will be refunded to where you paid from.") % {
            "number": order.number,
            "amount": refund,
        }
    else:
        body = _("Order %(number)s is cancelled.") % {"number": order.number}
    notify(user=order.user, kind="order.cancelled", title=_("Order cancelled"), body=body, link=order_link(order))
