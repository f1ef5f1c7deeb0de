"""Claiming a coupon. Thousands may tap "claim" the moment a batch opens; the database decides:

1. a conditional UPDATE takes one from the batch — `claimed_count = claimed_count + 1 WHERE
   status = 'issued' AND claimed_count < total_count` — and the check constraint
   `claimed_count <= total_count` is the last line should that condition ever be lost;
2. the coupon row takes the user's next sequence number, and the unique (batch, user, sequence)
   with the check `sequence <= user_limit` refuses a claim past the per-person limit, even for two
   claims of the same person at the same instant.

Both happen in one short transaction: a refused step rolls the counter back. On PostgreSQL the
UPDATE's row lock queues the claimers of one batch (no claim waits on a network call); SQLite
serialises writers anyway."""

from __future__ import annotations

import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from sportsplatform.core import audit

from ..models import BatchStatus, Coupon, CouponBatch
from .errors import BatchNotClaimable, ClaimLimitReached, CouponsGone

# Coupon codes: 12 characters without look-alikes (0/O, 1/I/L), shown on the coupon.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_coupon_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def claim_coupon(*, batch: CouponBatch, user, actor) -> Coupon:
    """One coupon of `batch` for `user`, or CouponsGone / ClaimLimitReached / BatchNotClaimable."""
    now = timezone.now()
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise BatchNotClaimable()
    try:
        with transaction.atomic():
            taken = CouponBatch.objects.filter(
                pk=batch.pk,
                status=BatchStatus.ISSUED,
                valid_until__gt=now,
                claimed_count__lt=F("total_count"),
            ).update(claimed_count=F("claimed_count") + 1)
            if not taken:
                _raise_why_not(batch_id=batch.pk, now=now)
            # The batch row is locked by the UPDATE until commit, so this count is exact.
            current = CouponBatch.objects.values_list("per_user_limit", flat=True).get(pk=batch.pk)
            sequence = Coupon.objects.filter(batch_id=batch.pk, user=user).count() + 1
            if sequence > current:
                raise ClaimLimitReached()
            coupon = Coupon.objects.create(
                batch_id=batch.pk, user=user, sequence=sequence, user_limit=current, code=new_coupon_code()
            )
            audit.record(action="coupons.coupon.claimed", actor=actor, obj=coupon, batch=batch.pk)
    except IntegrityError as exc:
        # The same person claiming twice at once (unique sequence), or the constraint on the
        # counter: either way nothing was written.
        if Coupon.objects.filter(batch_id=batch.pk, user=user).count() >= batch.per_user_limit:
            raise ClaimLimitReached() from exc
        raise CouponsGone() from exc
    coupon.batch = CouponBatch.objects.get(pk=batch.pk)
    return coupon


def _raise_why_not(*, batch_id: int, now) -> None:
    batch = CouponBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status != BatchStatus.ISSUED or batch.valid_until <= now:
        raise BatchNotClaimable()
    raise CouponsGone()
