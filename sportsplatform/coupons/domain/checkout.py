"""Coupons at checkout: apply one coupon to an unpaid booking order, remove it, and give it back
when the order is cancelled, refunded or expires.

- Only an order awaiting payment, before its hold runs out and with no payment under way, can take
  or drop a coupon: the provider was (or will be) asked for exactly `order.amount`.
- One coupon per order (partial unique index on the active redemption).
- discount = min(face value, subtotal − 0.01): the payable amount never drops below one fen
  (providers refuse zero payments and an order becomes paid only through a payment), so a free
  order cannot take a coupon at all.
- On release (orders.domain.signals.order_releasing, inside the order's transaction) the coupon is
  restored if its batch is still valid, else it becomes void; if the order had been paid, the
  subsidy posted at capture is reversed from the venue (the bureau pays only for bookings that are
  kept) — see docs/money.md."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import NotFound
from sportsplatform.orders.domain.transitions import lock_order, log_order_event
from sportsplatform.orders.models import Order, OrderStatus

from ..models import Coupon, CouponRedemption, CouponStatus
from .eligibility import OrderFacts, discount_for, why_not
from .errors import CouponAlreadyApplied, CouponNotApplicable, OrderNotEditable


def _check_editable(order: Order) -> None:
    from sportsplatform.payments.models import Payment, PaymentStatus

    if order.status != OrderStatus.PENDING_PAYMENT:
        raise OrderNotEditable()
    if order.expires_at is not None and order.expires_at <= timezone.now():
        raise OrderNotEditable(_("The time to pay this order is up."))
    if Payment.objects.filter(order=order, status__in=[PaymentStatus.CREATED, PaymentStatus.PENDING]).exists():
        raise OrderNotEditable(_("A payment of this order is under way; finish or cancel it first."))


def close_payments_for_coupon_change(*, order: Order, actor) -> Order:
    """Before changing the coupon of an order whose payment was started (the payer went to the
    cashier and came back): close those payments at their provider — with no transaction open,
    never under a lock — so the next payment asks for the new amount. A payment found paid
    meanwhile is captured and the order can no longer take a coupon (apply_coupon says so)."""
    from sportsplatform.payments.domain.sync import close_open_payments
    from sportsplatform.payments.models import OPEN_PAYMENT_STATUSES

    if order.status == OrderStatus.PENDING_PAYMENT and order.payments.filter(status__in=OPEN_PAYMENT_STATUSES).exists():
        if not close_open_payments(order=order, actor=actor):
            raise OrderNotEditable(_("The payment service could not be reached. Please try again."))
        order.refresh_from_db()
    return order


def active_redemption(order: Order) -> CouponRedemption | None:
    return (
        CouponRedemption.objects.select_related("coupon__batch")
        .filter(order_id=order.pk, released_at__isnull=True)
        .first()
    )


def apply_coupon(*, order: Order, coupon: Coupon, actor) -> Order:
    """Take `coupon` off `order`. Returns the order with its new discount and amount."""
    with transaction.atomic():
        locked = lock_order(order.pk)
        try:
            locked_coupon = (
                Coupon.objects.select_for_update()
                .select_related("batch__region")
                .get(pk=coupon.pk, user_id=locked.user_id)
            )
        except Coupon.DoesNotExist:
            raise NotFound() from None  # someone else's coupon answers like a missing one
        _check_editable(locked)
        current = active_redemption(locked)
        if current is not None:
            if current.coupon_id == locked_coupon.pk:
                return locked
            raise CouponAlreadyApplied()
        reason = why_not(coupon=locked_coupon, facts=OrderFacts.of(locked))
        if reason:
            raise CouponNotApplicable(reason)
        discount = discount_for(face_value=locked_coupon.batch.face_value, subtotal=locked.subtotal)
        locked.discount = discount
        locked.amount = locked.subtotal - discount
        locked.save(update_fields=["discount", "amount", "updated_at"])
        locked_coupon.status = CouponStatus.USED
        locked_coupon.used_at = timezone.now()
        locked_coupon.save(update_fields=["status", "used_at"])
        CouponRedemption.objects.create(
            coupon=locked_coupon,
            order=locked,
            batch=locked_coupon.batch,
            venue_id=locked.venue_id,
            discount=discount,
        )
        data = {"coupon": locked_coupon.code, "batch": locked_coupon.batch_id, "discount": str(discount)}
        log_order_event(order=locked, action="order.coupon_applied", actor=actor, data=data)
        audit.record(action="coupons.coupon.applied", actor=actor, obj=locked_coupon, order=locked.number, **data)
    return locked


def remove_coupon(*, order: Order, actor) -> Order:
    """Take the coupon off an unpaid order: it is available again and the order costs its subtotal."""
    with transaction.atomic():
        locked = lock_order(order.pk)
        _check_editable(locked)
        redemption = active_redemption(locked)
        if redemption is None:
            return locked
        _release(redemption=redemption, reason="removed", actor=actor, order=locked)
        locked.discount = Decimal("0.00")
        locked.amount = locked.subtotal
        locked.save(update_fields=["discount", "amount", "updated_at"])
    return locked


def _release(*, redemption: CouponRedemption, reason: str, actor, order: Order) -> Coupon:
    now = timezone.now()
    redemption.released_at = now
    redemption.release_reason = reason
    redemption.save(update_fields=["released_at", "release_reason"])
    coupon = Coupon.objects.select_for_update().select_related("batch").get(pk=redemption.coupon_id)
    restored = not coupon.batch.is_expired(now)
    coupon.status = CouponStatus.AVAILABLE if restored else CouponStatus.VOID
    coupon.used_at = None if restored else coupon.used_at
    coupon.save(update_fields=["status", "used_at"])
    data = {"coupon": coupon.code, "batch": coupon.batch_id, "reason": reason, "restored": restored}
    log_order_event(
        order=order, action="order.coupon_restored" if restored else "order.coupon_void", actor=actor, data=data
    )
    audit.record(action=f"coupons.coupon.{'restored' if restored else 'void'}", actor=actor, obj=coupon, **data)
    return coupon


def release_on_order_release(sender, *, order: Order, to, actor=None, **kwargs) -> None:
    """Receiver of orders.domain.signals.order_releasing (inside the order's transaction)."""
    redemption = active_redemption(order)
    if redemption is None:
        return
    _release(redemption=redemption, reason=str(to), actor=actor, order=order)
    _reverse_subsidy(order=order, redemption=redemption, actor=actor)


def _reverse_subsidy(*, order: Order, redemption: CouponRedemption, actor) -> None:
    """If the capture charged the subsidy account for this order, charge it back to the venue."""
    from sportsplatform.ledger.domain.posting import post
    from sportsplatform.ledger.models import Entry
    from sportsplatform.orders.domain.kinds import handler_for

    from .subsidy import batch_account

    account = batch_account(redemption.batch)
    charged = Entry.objects.filter(transaction__order_id=order.pk, account=account).aggregate(s=Sum("amount"))["s"]
    if not charged:
        return
    post(
        kind="coupon.subsidy_reversed",
        reference=f"coupon-release:{redemption.pk}",
        lines=[(account, -charged), (handler_for(order).destination_account(order=order), charged)],
        order=order,
        memo=f"{redemption.coupon.code} {order.number}",
        actor=actor,
    )


def reattach_for_late_payment(*, order: Order, actor=None) -> CouponRedemption | None:
    """An order that expired (its coupon given back) is being paid after all, at the discounted
    amount: put the coupon back on it if the holder has not used it elsewhere meanwhile."""
    last = (
        CouponRedemption.objects.select_related("coupon")
        .filter(order_id=order.pk, released_at__isnull=False, release_reason=OrderStatus.EXPIRED)
        .order_by("-released_at", "-id")
        .first()
    )
    if last is None or active_redemption(order) is not None:
        return None
    coupon = Coupon.objects.select_for_update().get(pk=last.coupon_id)
    if coupon.status != CouponStatus.AVAILABLE:
        return None
    coupon.status = CouponStatus.USED
    coupon.used_at = timezone.now()
    coupon.save(update_fields=["status", "used_at"])
    redemption = CouponRedemption.objects.create(
        coupon=coupon, order=order, batch_id=last.batch_id, venue_id=last.venue_id, discount=last.discount
    )
    log_order_event(order=order, action="order.coupon_applied", actor=actor, data={"coupon": coupon.code, "late": True})
    return redemption
