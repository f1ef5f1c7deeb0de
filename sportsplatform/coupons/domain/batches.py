"""Issuing and closing coupon batches. A bureau official prepares a batch as a draft (in the back
office), issues it — from then on people can claim and it can no longer be edited — and may close it
early (no more claims; coupons already claimed stay usable until they expire).

Targeting follows region scoping: a batch lies in its issuing bureau's region, and its eligible
venues and regions must lie inside that region, so a city bureau can only subsidise its own city."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import IllegalTransition, NotPermitted, ValidationFailed
from sportsplatform.core.scoping import can_change, scope_for
from sportsplatform.regions.models import scope_prefix

from ..models import BatchStatus, CouponBatch


def target_errors(*, region, venues, regions) -> dict[str, list[str]]:
    """Field errors for eligible venues/regions outside the batch's own region."""
    prefix = scope_prefix(region.code)
    errors: dict[str, list[str]] = {}
    outside = [v.name for v in venues if not str(v.region_id).startswith(prefix)]
    if outside:
        errors["venues"] = [
            _("These venues lie outside %(region)s: %(names)s") % {"region": region.name, "names": "、".join(outside)}
        ]
    outside = [r.name for r in regions if not r.code.startswith(prefix)]
    if outside:
        errors["regions"] = [
            _("These regions lie outside %(region)s: %(names)s") % {"region": region.name, "names": "、".join(outside)}
        ]
    return errors


def check_batch(batch: CouponBatch) -> None:
    """Everything a batch must satisfy before it is issued; ValidationFailed with field errors."""
    errors: dict[str, list[str]] = {}
    if batch.valid_until <= batch.valid_from:
        errors["valid_until"] = [_("The end of validity must be after its start.")]
    if batch.min_spend and batch.face_value > batch.min_spend:
        errors["min_spend"] = [_("The minimum spend must be at least the face value, or zero for none.")]
    if batch.per_user_limit > batch.total_count:
        errors["per_user_limit"] = [_("The limit per person cannot exceed the number of coupons.")]
    if batch.pk:
        errors.update(target_errors(region=batch.region, venues=batch.venues.all(), regions=batch.regions.all()))
    if errors:
        raise ValidationFailed(fields=errors)


def _lock_editable(*, batch: CouponBatch, actor) -> CouponBatch:
    locked = CouponBatch.objects.select_for_update().get(pk=batch.pk)
    if not can_change(actor, locked):
        raise NotPermitted()
    return locked


def issue_batch(*, batch: CouponBatch, actor) -> CouponBatch:
    """Draft → issued: people can claim from now on (until the end of validity)."""
    with transaction.atomic():
        locked = _lock_editable(batch=batch, actor=actor)
        if locked.status != BatchStatus.DRAFT:
            raise IllegalTransition(fields={"status": [locked.status, BatchStatus.ISSUED]})
        if locked.valid_until <= timezone.now():
            raise ValidationFailed(fields={"valid_until": [_("This batch has already expired.")]})
        check_batch(locked)
        locked.status = BatchStatus.ISSUED
        locked.issued_at = timezone.now()
        locked.save(update_fields=["status", "issued_at"])
        audit.record(
            action="coupons.batch.issued",
            actor=actor,
            obj=locked,
            changes={"status": [BatchStatus.DRAFT, BatchStatus.ISSUED]},
            total=locked.total_count,
            face_value=str(locked.face_value),
        )
    batch.refresh_from_db()
    return batch


def close_batch(*, batch: CouponBatch, actor) -> CouponBatch:
    """Issued → closed: no more claims. Claimed coupons remain usable until they expire."""
    with transaction.atomic():
        locked = _lock_editable(batch=batch, actor=actor)
        if locked.status != BatchStatus.ISSUED:
            raise IllegalTransition(fields={"status": [locked.status, BatchStatus.CLOSED]})
        locked.status = BatchStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        audit.record(
            action="coupons.batch.closed",
            actor=actor,
            obj=locked,
            changes={"status": [BatchStatus.ISSUED, BatchStatus.CLOSED]},
            claimed=locked.claimed_count,
        )
    batch.refresh_from_db()
    return batch


def issuing_bureaus(user):
    """The bureaus `user` may issue batches for: those they are an official of (platform admins: all)."""
    from sportsplatform.accounts.models import Organisation, OrganisationKind, Role

    qs = Organisation.objects.filter(kind=OrganisationKind.BUREAU, is_active=True).select_related("region")
    if scope_for(user).everything:
        return qs
    return qs.filter(
        memberships__user=user, memberships__role=Role.BUREAU_OFFICIAL, memberships__is_active=True
    ).distinct()


def create_batch(
    *,
    issuer,
    name: str,
    face_value,
    total_count: int,
    valid_from,
    valid_until,
    actor,
    min_spend=0,
    per_user_limit: int = 1,
    description: str = "",
    venues=(),
    sports=(),
    regions=(),
) -> CouponBatch:
    """A draft batch of `issuer` (a bureau the actor belongs to), in the bureau's region."""
    if not issuing_bureaus(actor).filter(pk=issuer.pk).exists():
        raise NotPermitted()
    errors = target_errors(region=issuer.region, venues=list(venues), regions=list(regions))
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        batch = CouponBatch(
            name=name,
            description=description,
            issuer=issuer,
            region=issuer.region,
            face_value=face_value,
            min_spend=min_spend,
            total_count=total_count,
            per_user_limit=per_user_limit,
            valid_from=valid_from,
            valid_until=valid_until,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        check_batch(batch)
        batch.save()
        batch.venues.set(venues)
        batch.sports.set(sports)
        batch.regions.set(regions)
        audit.record(action="coupons.batch.created", actor=actor, obj=batch)
    return batch
