"""Reads for coupons: what can be claimed, a person's coupons (and which fit an order), and the
settlement of subsidies per venue and batch."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from sportsplatform.core.scoping import visible_to
from sportsplatform.orders.models import OrderStatus
from sportsplatform.regions.models import Region, scope_prefix
from sportsplatform.venues.models import Sport, Venue

from .domain.eligibility import OrderFacts, why_not
from .models import BatchStatus, Coupon, CouponBatch, CouponRedemption, CouponStatus


def with_targets(qs: QuerySet) -> QuerySet:
    """Batches with what eligibility and the lists show, in a fixed number of queries."""
    return qs.select_related("region", "issuer").prefetch_related(
        Prefetch("venues", queryset=Venue.objects.only("id", "name", "region_id").order_by("name")),
        Prefetch("sports", queryset=Sport.objects.order_by("order", "code")),
        Prefetch("regions", queryset=Region.objects.order_by("code")),
    )


def claimable_batches(*, region: str = "", sport: str = "", venue: int | None = None, now=None) -> QuerySet:
    """Issued batches that still have coupons and have not expired, soonest-ending first.

    `region`: batches usable somewhere in that region (issued for it, for a region around it, or for
    a part of it); `sport`: a sport code the batch covers (batches for every sport included);
    `venue`: batches usable at that venue."""
    now = now or timezone.now()
    qs = CouponBatch.objects.filter(status=BatchStatus.ISSUED, valid_until__gt=now, claimed_count__lt=F("total_count"))
    if region:
        prefix = scope_prefix(region)
        enclosing = [region[:2] + "0000", region[:4] + "00", region]
        qs = qs.filter(Q(region_id__in=enclosing) | Q(region__code__startswith=prefix))
    if sport:
        qs = qs.filter(Q(sports__code=sport) | Q(sports__isnull=True))
    if venue:
        target = Venue.objects.filter(pk=venue).only("region_id").first()
        if target is None:
            return qs.none()
        code = target.region_id
        enclosing = [code[:2] + "0000", code[:4] + "00", code]
        qs = qs.filter(region_id__in=enclosing).filter(Q(venues__id=venue) | Q(venues__isnull=True))
        qs = qs.filter(Q(regions__code__in=enclosing) | Q(regions__isnull=True))
    return with_targets(qs.distinct()).order_by("valid_until", "id")


def claimed_counts(*, user, batch_ids) -> dict[int, int]:
    """How many coupons of each batch `user` holds (for "claimed 1/2")."""
    if not getattr(user, "is_authenticated", False):
        return {}
    rows = Coupon.objects.filter(user=user, batch_id__in=list(batch_ids)).values("batch_id").annotate(n=Count("id"))
    return {row["batch_id"]: row["n"] for row in rows}


@dataclass
class CouponView:
    coupon: Coupon
    usable: bool
    reason: str = ""

    @property
    def batch(self) -> CouponBatch:
        return self.coupon.batch


def my_coupons(*, user, status: str = "") -> QuerySet:
    qs = Coupon.objects.filter(user=user).prefetch_related(
        Prefetch("batch", queryset=with_targets(CouponBatch.objects.all()))
    )
    if status == "expired":
        qs = qs.filter(status=CouponStatus.AVAILABLE, batch__valid_until__lte=timezone.now())
    elif status == CouponStatus.AVAILABLE:
        qs = qs.filter(status=CouponStatus.AVAILABLE, batch__valid_until__gt=timezone.now())
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "batch__valid_until", "-id")


def coupons_for_order(*, user, order) -> list[CouponView]:
    """The user's available coupons, each with whether it fits `order` (and why not), the fitting
    ones first, the largest discount first."""
    facts = OrderFacts.of(order)
    views = []
    for coupon in my_coupons(user=user, status=CouponStatus.AVAILABLE):
        reason = why_not(coupon=coupon, facts=facts)
        views.append(CouponView(coupon=coupon, usable=reason is None, reason=reason or ""))
    views.sort(key=lambda v: (not v.usable, -v.coupon.batch.face_value, v.coupon.batch.valid_until))
    return views


# --- settlement -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SettlementRow:
    venue_id: int
    venue_name: str
    region_code: str
    batch_id: int
    batch_name: str
    issuer_name: str
    coupons: int
    subsidy: Decimal
    order_total: Decimal


@dataclass
class Settlement:
    start: date
    end: date  # inclusive
    rows: list[SettlementRow] = field(default_factory=list)

    @property
    def coupons(self) -> int:
        return sum(r.coupons for r in self.rows)

    @property
    def subsidy(self) -> Decimal:
        return sum((r.subsidy for r in self.rows), Decimal("0.00"))

    @property
    def order_total(self) -> Decimal:
        return sum((r.order_total for r in self.rows), Decimal("0.00"))


SETTLED_STATUSES = (OrderStatus.PAID, OrderStatus.USED)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def settlement(*, user, start: date, end: date, batch: int | None = None) -> Settlement:
    """Subsidy owed per venue and batch for coupons redeemed on orders paid between `start` and
    `end` (inclusive, local dates) that are still paid or used (refunded and cancelled orders gave
    their coupon back). Scoped: a bureau sees its region's batches, an operator its own venues."""
    qs = visible_to(user, CouponRedemption.objects.all()).filter(
        released_at__isnull=True,
        order__status__in=SETTLED_STATUSES,
        order__paid_at__gte=_day_start(start),
        order__paid_at__lt=_day_start(end + timedelta(days=1)),
    )
    if batch:
        qs = qs.filter(batch_id=batch)
    rows = (
        qs.values("venue_id", "venue__name", "venue__region_id", "batch_id", "batch__name", "batch__issuer__name")
        .annotate(coupons=Count("id"), subsidy=Sum("discount"), order_total=Sum("order__subtotal"))
        .order_by("venue__region_id", "venue__name", "venue_id", "batch_id")
    )
    return Settlement(
        start=start,
        end=end,
        rows=[
            SettlementRow(
                venue_id=r["venue_id"],
                venue_name=r["venue__name"],
                region_code=r["venue__region_id"],
                batch_id=r["batch_id"],
                batch_name=r["batch__name"],
                issuer_name=r["batch__issuer__name"],
                coupons=r["coupons"],
                subsidy=r["subsidy"] or Decimal("0.00"),
                order_total=r["order_total"] or Decimal("0.00"),
            )
            for r in rows
        ],
    )
