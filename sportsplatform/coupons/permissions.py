"""Role permissions, audit registration and the back-office sidebar for coupons. `register()` is
idempotent (AppConfig.ready may run more than once in tests)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _


def grant_role_permissions() -> None:
    from sportsplatform.accounts.models import Role
    from sportsplatform.core.roles import grant

    grant(
        Role.PLATFORM_ADMIN,
        "coupons.view_couponbatch",
        "coupons.add_couponbatch",
        "coupons.change_couponbatch",
        "coupons.delete_couponbatch",
        "coupons.view_coupon",
        "coupons.view_couponredemption",
    )
    # Bureaus issue and close their region's batches and see who claimed and what was redeemed.
    grant(
        Role.BUREAU_OFFICIAL,
        "coupons.view_couponbatch",
        "coupons.add_couponbatch",
        "coupons.change_couponbatch",
        "coupons.delete_couponbatch",
        "coupons.view_coupon",
        "coupons.view_couponredemption",
    )
    # Operators see the redemptions at their venues and the subsidy they are owed.
    grant(Role.OPERATOR_STAFF, "coupons.view_couponredemption")


def register_audited_models() -> None:
    from auditlog.registry import auditlog

    from .models import CouponBatch

    if not auditlog.contains(CouponBatch):
        auditlog.register(CouponBatch, exclude_fields=["claimed_count"], m2m_fields={"venues", "sports", "regions"})


def register_navigation() -> None:
    from sportsplatform.backoffice.navigation import NavItem, register_nav_group

    register_nav_group(
        "coupons",
        order=46,
        title=_("Consumption coupons"),
        items=[
            NavItem(
                _("Coupon batches"),
                "confirmation_number",
                "admin:coupons_couponbatch_changelist",
                "coupons.view_couponbatch",
            ),
            NavItem(_("Claimed coupons"), "redeem", "admin:coupons_coupon_changelist", "coupons.view_coupon"),
            NavItem(
                _("Redemptions"),
                "receipt_long",
                "admin:coupons_couponredemption_changelist",
                "coupons.view_couponredemption",
            ),
            NavItem(
                _("Subsidy settlement"),
                "account_balance",
                "admin:coupons_couponredemption_settlement",
                "coupons.view_couponredemption",
            ),
        ],
    )


def register() -> None:
    grant_role_permissions()
    register_audited_models()
    register_navigation()
