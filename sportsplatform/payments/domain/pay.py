"""Starting a payment: reserve (a Payment row under the order lock) → commit → register the trade
at the provider with the order's deadline → record what the payer's client needs."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import DomainError, IllegalTransition, ValidationFailed
from sportsplatform.ledger.domain.posting import InsufficientFunds
from sportsplatform.orders.domain.kinds import handler_for
from sportsplatform.orders.domain.transitions import lock_order, log_order_event, transition_order
from sportsplatform.orders.models import Order, OrderStatus

from ..models import Payment, PaymentStatus
from ..providers.base import PaymentProvider
from ..providers.registry import enabled_codes, load_provider
from .capture import capture_payment
from .errors import OrderExpired, PaymentMethodUnavailable

log = logging.getLogger(__name__)


def available_provider(method: str) -> PaymentProvider:
    """An enabled, configured provider, or PaymentMethodUnavailable (a 400, not a gateway error)."""
    if method not in enabled_codes():
        raise PaymentMethodUnavailable(fields={"method": [_("This payment method is not available.")]})
    try:
        provider = load_provider(method)
    except ImportError:
        raise PaymentMethodUnavailable(fields={"method": [_("This payment method is not available.")]}) from None
    if not provider.is_configured():
        raise PaymentMethodUnavailable(fields={"method": [_("This payment method is not set up yet.")]})
    return provider


def check_payable(order: Order) -> None:
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise IllegalTransition(
            _("Only orders awaiting payment can be paid."), fields={"status": [order.status, OrderStatus.PAID]}
        )
    if order.expires_at is not None and order.expires_at <= timezone.now():
        raise OrderExpired()


def payment_description(order: Order) -> str:
    """What the payer sees in WeChat / Alipay: the venue and what was bought."""
    what = order.get_kind_display()
    where = order.venue.name if order.venue_id else ""
    return f"{where} {what}".strip()[:120] or order.number


def start_payment(
    *, order: Order, method: str, channel: str = "", actor, request_info: dict | None = None
) -> Payment | None:
    """Start paying `order` with `method` (sandbox, wechat, alipay, card). The provider's deadline is
    the order's expires_at. Returns the Payment whose `.params` the payer's client needs; for the
    card the order is paid on return (InsufficientFunds otherwise, nothing paid). A retried call
    for the same method and channel returns the open payment instead of a second trade.

    An order that costs nothing (a coupon covered it) is paid at once and None is returned."""
    request_info = dict(request_info or {})
    provider = available_provider(method)
    channel = channel or provider.default_channel(request_info=request_info)
    if provider.channels and channel not in provider.channels:
        raise ValidationFailed(
            code="invalid_channel",
            fields={"channel": [_("Choose one of: %(channels)s.") % {"channels": ", ".join(provider.channels)}]},
        )

    with transaction.atomic():
        locked = lock_order(order.pk)
        check_payable(locked)
        if locked.amount == 0:
            _pay_free_order(order=locked, actor=actor)
            return None
        reusable = (
            locked.payments.filter(
                provider=method,
                channel=channel,
                status=PaymentStatus.PENDING,
                amount=locked.amount,
                expires_at=locked.expires_at,
            )
            .exclude(params={})
            .first()
        )
        # A JSAPI payment belongs to one payer's openid: reuse it only for the same one.
        if reusable is not None and (
            channel != "jsapi" or reusable.params.get("openid", "") == request_info.get("openid", "")
        ):
            return reusable
        attempt = locked.payments.count() + 1
        payment = Payment.objects.create(
            order=locked,
            provider=method,
            channel=channel,
            out_trade_no=f"{locked.number}P{attempt:02d}"[:32],
            amount=locked.amount,
            expires_at=locked.expires_at,
        )
        log_order_event(
            order=locked,
            action="payment.started",
            actor=actor,
            data={"payment": payment.out_trade_no, "provider": method, "channel": channel},
        )
        audit.record(action="payments.payment.started", actor=actor, obj=payment, order=locked.number, provider=method)

    # Outside every lock: the provider may take seconds to answer.
    try:
        start = provider.start(payment=payment, channel=channel, request_info=request_info)
    except DomainError as exc:
        Payment.objects.filter(pk=payment.pk, status=PaymentStatus.CREATED).update(
            status=PaymentStatus.FAILED, failure=str(exc.message)[:255], closed_at=timezone.now()
        )
        raise
    params = dict(start.params)
    if channel == "jsapi":
        params.setdefault("openid", request_info.get("openid", ""))
    Payment.objects.filter(pk=payment.pk, status=PaymentStatus.CREATED).update(
        status=PaymentStatus.PENDING,
        params=params,
        provider_transaction_id=start.provider_transaction_id,
    )
    payment.refresh_from_db()
    if start.succeeded:
        try:
            capture_payment(
                payment=payment,
                provider_transaction_id=start.provider_transaction_id,
                amount=payment.amount,
                actor=actor,
            )
        except InsufficientFunds:
            Payment.objects.filter(pk=payment.pk, status=PaymentStatus.PENDING).update(
                status=PaymentStatus.FAILED, failure="insufficient funds", closed_at=timezone.now()
            )
            raise
        payment.refresh_from_db()
    return payment


def _pay_free_order(*, order: Order, actor) -> None:
    """Nothing to pay (a free session): paid without a provider, and no money moves."""
    transition_order(order=order, to=OrderStatus.PAID, actor=actor, note="nothing to pay", data={"free": True})
    handler_for(order).on_paid(order=order, actor=actor)
