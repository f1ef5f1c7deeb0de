"""Whether a coupon fits an order: the reasons a coupon cannot be used, in the words shown to the
user. Reads only; checkout.apply_coupon and the "usable for this order" list both ask here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.orders.models import Order, OrderKind, OrderStatus
from sportsplatform.regions.models import scope_prefix

from ..models import BatchStatus, Coupon, CouponStatus

# The amount payable never drops below one fen: payment providers refuse zero-amount payments, and
# an order is paid only through a payment (see docs/money.md, "Coupons").
MIN_PAYABLE = Decimal("0.01")


@dataclass(frozen=True)
class OrderFacts:
    """What eligibility needs to know about an order, read once for any number of coupons."""

    order_id: int
    user_id: int
    kind: str
    status: str
    venue_id: int | None
    region_code: str
    sport_ids: frozenset[int]
    subtotal: Decimal

    @classmethod
    def of(cls, order: Order) -> OrderFacts:
        from sportsplatform.booking.models import BookingItem

        sport_ids = frozenset(
            BookingItem.objects.filter(order_id=order.pk).values_list("slot__court__sport_id", flat=True)
        )
        venue = order.venue if order.venue_id else None
        return cls(
            order_id=order.pk,
            user_id=order.user_id,
            kind=order.kind,
            status=order.status,
            venue_id=order.venue_id,
            region_code=venue.region_id if venue is not None else "",
            sport_ids=sport_ids,
            subtotal=order.subtotal,
        )


def discount_for(*, face_value: Decimal, subtotal: Decimal) -> Decimal:
    return max(min(face_value, subtotal - MIN_PAYABLE), Decimal("0.00"))


def why_not(*, coupon: Coupon, facts: OrderFacts, now=None, check_status: bool = True) -> str | None:
    """None if `coupon` can be used on the order, else the reason. Expects the coupon's batch with
    its venues, sports and regions prefetched when called for many coupons."""
    now = now or timezone.now()
    batch = coupon.batch
    if coupon.user_id != facts.user_id:
        return _("This coupon belongs to someone else.")
    if check_status and coupon.status != CouponStatus.AVAILABLE:
        return _("This coupon has already been used.")
    if batch.status == BatchStatus.DRAFT:
        return _("This coupon cannot be used yet.")
    if now < batch.valid_from:
        return _("This coupon can be used from %(date)s.") % {
            "date": timezone.localtime(batch.valid_from).strftime("%Y-%m-%d %H:%M")
        }
    if now >= batch.valid_until:
        return _("This coupon has expired.")
    if facts.kind != OrderKind.BOOKING or facts.venue_id is None:
        return _("Coupons can only be used for venue bookings.")
    if facts.status != OrderStatus.PENDING_PAYMENT:
        return _("This order is no longer awaiting payment.")
    if not facts.region_code.startswith(scope_prefix(batch.region_id)):
        return _("This coupon is only valid in %(region)s.") % {"region": batch.region.name}
    targeted_regions = list(batch.regions.all())
    if targeted_regions and not any(facts.region_code.startswith(scope_prefix(r.code)) for r in targeted_regions):
        return _("This coupon is not valid in this venue's region.")
    venue_ids = {v.pk for v in batch.venues.all()}
    if venue_ids and facts.venue_id not in venue_ids:
        return _("This coupon is not valid at this venue.")
    sport_ids = {s.pk for s in batch.sports.all()}
    if sport_ids and (not facts.sport_ids or not facts.sport_ids <= sport_ids):
        return _("This coupon is only valid for %(sports)s.") % {
            "sports": "、".join(s.name for s in batch.sports.all())
        }
    if facts.subtotal < batch.min_spend:
        return _("This coupon needs a spend of at least %(min)s yuan.") % {"min": f"{batch.min_spend:.2f}"}
    if discount_for(face_value=batch.face_value, subtotal=facts.subtotal) <= 0:
        return _("There is nothing to take off this order.")
    return None
