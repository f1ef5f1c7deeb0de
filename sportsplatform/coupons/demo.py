"""seed_demo step 55 (coupons): batches from 四川省体育局 and 成都市体育局 — two issued, one of
last season that has expired, one draft — and a coupon claimed by the demo user. Idempotent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

# (issuer, name, face value, minimum spend, total, per person, days from today: start, end, sports, state)
BATCHES = [
    ("四川省体育局", "四川省全民健身消费券 满100减30", "30", "100", 5000, 2, -7, 60, (), "issued"),
    ("成都市体育局", "成都市羽毛球场馆消费券 满50减20", "20", "50", 2000, 1, -3, 30, ("badminton",), "issued"),
    ("成都市体育局", "成都市夏季游泳消费券 满60减15", "15", "60", 1000, 1, -100, -10, ("swimming",), "expired"),
    ("成都市体育局", "成都市冬季健身消费券 满80减25", "25", "80", 3000, 1, 20, 90, (), "draft"),
]


def seed_coupons(ctx) -> None:
    from django.utils import timezone

    from sportsplatform.accounts.models import Organisation
    from sportsplatform.venues.models import Sport

    from .domain.batches import create_batch, issue_batch
    from .domain.claims import claim_coupon
    from .models import BatchStatus, Coupon, CouponBatch

    admin = ctx.user("admin")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    created = 0
    for issuer_name, name, face, minimum, total, per_user, start, end, sports, state in BATCHES:
        if CouponBatch.objects.filter(name=name).exists():
            continue
        issuer = Organisation.objects.filter(name=issuer_name).first()
        if issuer is None:
            ctx.log(f"    {issuer_name} missing: batch {name} skipped")
            continue
        batch = create_batch(
            issuer=issuer,
            name=name,
            description="凭券预订场馆时抵扣，每单限用一张。",
            face_value=Decimal(face),
            min_spend=Decimal(minimum),
            total_count=total,
            per_user_limit=per_user,
            valid_from=now + timedelta(days=start),
            valid_until=now + timedelta(days=end),
            sports=list(Sport.objects.filter(code__in=sports)),
            actor=admin,
        )
        if state == "issued":
            issue_batch(batch=batch, actor=admin)
        elif state == "expired":
            # Last season's batch: it was issued while it was valid. issue_batch refuses an expired
            # batch today, so the demo writes the historic state directly.
            CouponBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.ISSUED, issued_at=batch.valid_from)
        created += 1
    ctx.log(f"    {created} coupon batches")

    user = ctx.user("user")
    first = CouponBatch.objects.filter(name=BATCHES[0][1]).first()
    if first is not None and not Coupon.objects.filter(user=user, batch=first).exists():
        claim_coupon(batch=first, user=user, actor=user)
        ctx.log("    the demo user claimed a coupon")
