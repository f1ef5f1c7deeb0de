"""The ledger account a coupon's discount is charged to: `subsidy:<batch id>`, what the issuing
bureau owes. payments.domain.capture posts (subsidy account, −order.discount) next to the venue's
credit of the full subtotal, so the venue is paid in full: part by the payer, part by the bureau."""

from __future__ import annotations

from sportsplatform.ledger.domain.posting import account
from sportsplatform.ledger.models import AccountKind, LedgerAccount

from ..models import CouponBatch, CouponRedemption


def batch_account(batch: CouponBatch) -> LedgerAccount:
    return account(f"subsidy:{batch.pk}", kind=AccountKind.SUBSIDY, name=f"subsidy {batch.pk} {batch.name}"[:128])


def subsidy_account_for(*, order) -> LedgerAccount | None:
    """The subsidy account for an order's discount, or None when the order has no coupon.

    Called by the capture inside its transaction. An order that expired gave its coupon back; when
    its payment is confirmed late the coupon is put back on it if still free (else the discount is
    still charged to the batch the order was priced with: the payer paid the discounted amount)."""
    from .checkout import active_redemption, reattach_for_late_payment

    redemption = active_redemption(order)
    if redemption is not None:
        return batch_account(redemption.batch)
    if order.discount <= 0:
        return None
    redemption = reattach_for_late_payment(order=order)
    if redemption is None:
        redemption = CouponRedemption.objects.select_related("batch").filter(order_id=order.pk).order_by("-id").first()
    if redemption is None:
        return None
    return batch_account(redemption.batch)
