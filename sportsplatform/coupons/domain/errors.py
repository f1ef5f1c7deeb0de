"""The errors coupon functions raise (codes are part of the API)."""

from django.utils.translation import gettext_lazy as _

from sportsplatform.core.errors import Conflict, ValidationFailed


class CouponsGone(Conflict):
    code = "coupons_gone"
    default_message = _("All coupons of this batch have been claimed.")


class ClaimLimitReached(Conflict):
    code = "claim_limit_reached"
    default_message = _("You have already claimed as many of these coupons as one person may.")


class BatchNotClaimable(Conflict):
    code = "batch_not_claimable"
    default_message = _("These coupons cannot be claimed now.")


class CouponNotApplicable(ValidationFailed):
    code = "coupon_not_applicable"
    default_message = _("This coupon cannot be used for this order.")


class CouponAlreadyApplied(Conflict):
    code = "coupon_already_applied"
    default_message = _("This order already has a coupon. Remove it first.")


class OrderNotEditable(Conflict):
    code = "order_not_editable"
    default_message = _("The coupon of this order can no longer be changed.")
