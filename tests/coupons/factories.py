"""Coupon test data: bureaus and their officials (through the accounts domain, so the scopes are
real), batches created and issued through coupons.domain, booking orders from the booking core."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from sportsplatform.accounts.models import Organisation, User
from sportsplatform.coupons.domain.batches import create_batch, issue_batch
from sportsplatform.coupons.models import CouponBatch
from sportsplatform.venues.models import Sport
from tests.support import accounts

SPORTS = [("badminton", "羽毛球", "Badminton"), ("swimming", "游泳", "Swimming"), ("tennis", "网球", "Tennis")]


def ensure_sports() -> None:
    for order, (code, name, name_en) in enumerate(SPORTS):
        Sport.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": order})


def official(region_code: str = "510100") -> User:
    """The official of the bureau of `region_code` (created on first use)."""
    existing = User.objects.filter(username=f"official{region_code}").first()
    return existing or accounts.make_official(region_code=region_code)


def bureau(region_code: str = "510100") -> Organisation:
    official(region_code)
    return Organisation.objects.get(kind="bureau", region_id=region_code)


def make_batch(
    *,
    region: str = "510100",
    name: str = "成都市羽毛球消费券",
    face: str = "20",
    min_spend: str = "50",
    total: int = 100,
    per_user: int = 1,
    starts_in_days: float = -1,
    ends_in_days: float = 30,
    venues=(),
    sports=(),
    regions=(),
    issue: bool = True,
) -> CouponBatch:
    ensure_sports()
    actor = official(region)
    now = timezone.now()
    batch = create_batch(
        issuer=bureau(region),
        name=name,
        face_value=Decimal(face),
        min_spend=Decimal(min_spend),
        total_count=total,
        per_user_limit=per_user,
        valid_from=now + timedelta(days=starts_in_days),
        valid_until=now + timedelta(days=ends_in_days),
        venues=list(venues),
        sports=list(Sport.objects.filter(code__in=sports)),
        regions=list(regions),
        actor=actor,
    )
    if issue:
        issue_batch(batch=batch, actor=actor)
    return batch
