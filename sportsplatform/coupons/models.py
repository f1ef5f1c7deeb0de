"""Consumption coupons (消费券): a sports bureau issues a batch, people claim coupons from it, and a
coupon takes its face value off a booking at checkout. The bureau pays the venue the difference
(the ledger account `subsidy:<batch id>`); the settlement report says how much per venue.

The database holds the two limits that a rush of claims tests: a batch's claimed counter never
passes its total (check constraint, incremented by a conditional UPDATE), and a user's n-th coupon
of a batch has sequence n ≤ the batch's per-user limit, unique per (batch, user, sequence)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ISSUED = "issued", _("issued")
    # No more claims; coupons already claimed stay usable until they expire.
    CLOSED = "closed", pgettext_lazy("coupon batch", "closed")


class CouponBatch(models.Model):
    name = models.CharField(_("name"), max_length=64)
    description = models.CharField(_("description"), max_length=255, blank=True)
    issuer = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="coupon_batches",
        verbose_name=_("issuing bureau"),
    )
    # The issuing bureau's region: what the batch may target and who in the back office sees it.
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="coupon_batches", verbose_name=_("region")
    )
    face_value = models.DecimalField(_("face value (yuan)"), max_digits=8, decimal_places=2)
    min_spend = models.DecimalField(
        _("minimum spend (yuan)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("The order total before the discount must be at least this."),
    )
    total_count = models.PositiveIntegerField(_("number of coupons"))
    claimed_count = models.PositiveIntegerField(_("claimed"), default=0, editable=False)
    per_user_limit = models.PositiveSmallIntegerField(_("per person"), default=1)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    venues = models.ManyToManyField(
        "venues.Venue",
        blank=True,
        related_name="coupon_batches",
        verbose_name=_("eligible venues"),
        help_text=_("Empty: every venue in the regions below."),
    )
    sports = models.ManyToManyField(
        "venues.Sport",
        blank=True,
        related_name="coupon_batches",
        verbose_name=_("eligible sports"),
        help_text=_("Empty: every sport."),
    )
    regions = models.ManyToManyField(
        "regions.Region",
        blank=True,
        related_name="targeted_coupon_batches",
        verbose_name=_("eligible regions"),
        help_text=_("Empty: the whole region of the issuing bureau."),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=BatchStatus.choices, default=BatchStatus.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("coupon batch", "closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("coupon batch")
        verbose_name_plural = _("coupon batches")
        indexes = [models.Index(fields=["status", "valid_until"], name="coupon_batch_claimable")]
        constraints = [
            # The rush guard: never more claims than coupons, whatever the Python does.
            models.CheckConstraint(
                condition=Q(claimed_count__lte=F("total_count")), name="coupon_batch_not_overclaimed"
            ),
            models.CheckConstraint(condition=Q(face_value__gt=0), name="coupon_batch_face_value_positive"),
            models.CheckConstraint(condition=Q(min_spend__gte=0), name="coupon_batch_min_spend_not_negative"),
            models.CheckConstraint(condition=Q(total_count__gte=1), name="coupon_batch_total_positive"),
            models.CheckConstraint(condition=Q(per_user_limit__gte=1), name="coupon_batch_per_user_positive"),
            models.CheckConstraint(condition=Q(valid_until__gt=F("valid_from")), name="coupon_batch_validity_ordered"),
            models.CheckConstraint(condition=Q(status__in=BatchStatus.values), name="coupon_batch_status_valid"),
        ]

    scope_region_field = "region"
    scope_organisation_field = None

    def __str__(self):
        return self.name

    @property
    def remaining(self) -> int:
        return self.total_count - self.claimed_count

    def is_valid_at(self, when=None) -> bool:
        when = when or timezone.now()
        return self.valid_from <= when < self.valid_until

    def is_expired(self, when=None) -> bool:
        return (when or timezone.now()) >= self.valid_until

    def is_claimable(self, when=None) -> bool:
        return self.status == BatchStatus.ISSUED and not self.is_expired(when) and self.remaining > 0


class CouponStatus(models.TextChoices):
    AVAILABLE = "available", _("available")
    USED = "used", _("used")
    # Used on an order that was refunded or cancelled after the coupon had expired: not restored.
    VOID = "void", _("void")


class Coupon(models.Model):
    batch = models.ForeignKey(CouponBatch, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("batch"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("holder")
    )
    # The user's n-th coupon of this batch; with `user_limit` (the batch's per-user limit when it
    # was claimed) the database refuses a claim beyond the limit even if two claims race.
    sequence = models.PositiveSmallIntegerField(_("number for this person"), default=1)
    user_limit = models.PositiveSmallIntegerField(default=1, editable=False)
    code = models.CharField(_("coupon code"), max_length=16, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=CouponStatus.choices, default=CouponStatus.AVAILABLE, db_index=True
    )
    claimed_at = models.DateTimeField(_("claimed at"), auto_now_add=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        indexes = [models.Index(fields=["user", "status"], name="coupon_user_status")]
        constraints = [
            models.UniqueConstraint(fields=["batch", "user", "sequence"], name="coupon_one_per_sequence"),
            models.CheckConstraint(
                condition=Q(sequence__gte=1) & Q(sequence__lte=F("user_limit")), name="coupon_within_user_limit"
            ),
            models.CheckConstraint(condition=Q(status__in=CouponStatus.values), name="coupon_status_valid"),
        ]

    scope_region_field = "batch__region"
    scope_organisation_field = None

    def __str__(self):
        return self.code


class CouponRedemption(models.Model):
    """A coupon on an order. Kept after the order is cancelled or refunded (released_at is set), so
    every discount and the subsidy account it was charged to stay traceable."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("coupon"))
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        related_name="coupon_redemptions",
        verbose_name=pgettext_lazy("purchase", "order"),
    )
    batch = models.ForeignKey(
        CouponBatch, on_delete=models.PROTECT, related_name="redemptions", verbose_name=_("batch")
    )
    venue = models.ForeignKey(
        "venues.Venue", on_delete=models.PROTECT, related_name="coupon_redemptions", verbose_name=_("venue")
    )
    discount = models.DecimalField(_("discount"), max_digits=10, decimal_places=2)
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    release_reason = models.CharField(_("released because"), max_length=32, blank=True)

    class Meta:
        ordering = ["-applied_at", "-id"]
        verbose_name = _("coupon redemption")
        verbose_name_plural = _("coupon redemptions")
        indexes = [models.Index(fields=["batch", "venue"], name="coupon_redemption_settle")]
        constraints = [
            # One coupon per order, and a coupon on one order at a time.
            models.UniqueConstraint(
                fields=["order"], condition=Q(released_at__isnull=True), name="coupon_redemption_one_per_order"
            ),
            models.UniqueConstraint(
                fields=["coupon"], condition=Q(released_at__isnull=True), name="coupon_redemption_one_order_per_coupon"
            ),
            models.CheckConstraint(condition=Q(discount__gt=0), name="coupon_redemption_discount_positive"),
        ]

    # The bureau that pays sees its batches' redemptions; an operator sees its venues'.
    scope_region_field = "batch__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return f"{self.coupon} → {self.order}"
