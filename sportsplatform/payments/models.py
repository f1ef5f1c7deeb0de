"""Payments and refunds are their own objects with their own states (an order may be paid after a
failed attempt, and refunded in parts), and every provider notification is kept so a replayed one
is recognised."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    CREATED = "created", _("created")
    PENDING = "pending", _("awaiting the payer")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")
    CLOSED = "closed", _("closed unpaid")
    # Money that arrived for an order that could not keep it (paid after expiry when its slots were
    # gone, paid after cancellation, or paid a second time): always refunded in full, and booked
    # through the ledger's unmatched account, never the venue's.
    UNMATCHED = "unmatched", _("not needed, refunded")


# Statuses of a payment whose money reached the provider.
MONEY_RECEIVED = (PaymentStatus.SUCCEEDED, PaymentStatus.UNMATCHED)
OPEN_PAYMENT_STATUSES = (PaymentStatus.CREATED, PaymentStatus.PENDING)


class Payment(models.Model):
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="payments", verbose_name=_("order")
    )
    provider = models.CharField(_("provider"), max_length=10, db_index=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)  # jsapi, native, page, wap, card
    # Sent to the provider as out_trade_no; one per attempt so a retried attempt never collides.
    out_trade_no = models.CharField(_("merchant payment number"), max_length=32, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.CREATED, db_index=True
    )
    provider_transaction_id = models.CharField(_("provider transaction id"), max_length=64, blank=True, db_index=True)
    refunded_amount = models.DecimalField(_("refunded"), max_digits=10, decimal_places=2, default=Decimal("0.00"))
    expires_at = models.DateTimeField(_("provider deadline"), null=True, blank=True)
    params = models.JSONField(_("parameters for the payer"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    succeeded_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Set when the order had expired before the money arrived (payments.domain.capture decides).
    late = models.BooleanField(_("arrived after expiry"), default=False)
    failure = models.CharField(_("failure"), max_length=255, blank=True)
    # Last time the provider was asked about this payment (the no-callback query, expiry).
    queried_at = models.DateTimeField(_("last queried"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=F("amount")),
                name="payment_refund_within_amount",
            ),
            # At most one successful payment per order: a second success is refunded, never kept.
            models.UniqueConstraint(
                fields=["order"], condition=Q(status="succeeded"), name="payment_one_success_per_order"
            ),
        ]

    scope_region_field = "order__venue__region"
    scope_organisation_field = "order__venue__operator_id"

    def __str__(self):
        return self.out_trade_no


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("processing")
    SUCCEEDED = "succeeded", _("refunded")
    FAILED = "failed", _("failed")


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment"))
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds", verbose_name=_("order"))
    # The provider's idempotency key (WeChat out_refund_no, Alipay out_request_no).
    out_refund_no = models.CharField(_("merchant refund number"), max_length=64, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=128)
    status = models.CharField(
        _("status"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING, db_index=True
    )
    provider_refund_id = models.CharField(_("provider refund id"), max_length=64, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    succeeded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    failure = models.CharField(_("failure"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_positive")]
        indexes = [
            # The retry sweep reads only refunds that are not done.
            models.Index(fields=["last_attempt_at"], condition=~Q(status="succeeded"), name="refund_open_retry"),
        ]

    scope_region_field = "order__venue__region"
    scope_organisation_field = "order__venue__operator_id"

    def __str__(self):
        return self.out_refund_no


class NotificationOutcome(models.TextChoices):
    APPLIED = "applied", _("applied")
    DUPLICATE = "duplicate", _("duplicate")
    REJECTED = "rejected", _("rejected")


class ProviderNotification(models.Model):
    """Every callback we accepted as authentic, keyed by the provider's notification id: a replay
    of the same id changes nothing. Forged callbacks are logged, not stored here."""

    provider = models.CharField(max_length=10)
    notification_id = models.CharField(max_length=128)
    kind = models.CharField(max_length=16)  # payment, refund
    out_trade_no = models.CharField(max_length=64, blank=True, db_index=True)
    payload = models.JSONField(default=dict)
    outcome = models.CharField(max_length=10, choices=NotificationOutcome.choices)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("provider notification")
        verbose_name_plural = _("provider notifications")
        constraints = [
            models.UniqueConstraint(fields=["provider", "notification_id"], name="provider_notification_unique"),
        ]

    def __str__(self):
        return f"{self.provider}:{self.notification_id}"


class ReconciliationStatus(models.TextChoices):
    MATCHED = "matched", _("matched")
    MISMATCHED = "mismatched", _("mismatches found")
    FAILED = "failed", _("statement not available")


class ReconciliationReport(models.Model):
    """One provider's statement for one day compared with our succeeded payments and refunds.
    Mismatches: [{"kind": "payment"|"refund", "problem": "missing_at_provider"|"missing_here"|
    "amount_differs", "out_trade_no", "out_refund_no", "ours", "theirs"}]."""

    provider = models.CharField(_("provider"), max_length=10)
    day = models.DateField(_("day"))
    status = models.CharField(_("result"), max_length=10, choices=ReconciliationStatus.choices)
    payments_count = models.PositiveIntegerField(_("our payments"), default=0)
    payments_total = models.DecimalField(
        _("our payments total"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    refunds_count = models.PositiveIntegerField(_("our refunds"), default=0)
    refunds_total = models.DecimalField(
        _("our refunds total"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    provider_payments_count = models.PositiveIntegerField(_("provider payments"), default=0)
    provider_payments_total = models.DecimalField(
        _("provider payments total"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    provider_refunds_count = models.PositiveIntegerField(_("provider refunds"), default=0)
    provider_refunds_total = models.DecimalField(
        _("provider refunds total"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    mismatches = models.JSONField(_("mismatches"), default=list, blank=True)
    error = models.CharField(_("error"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-day", "provider"]
        verbose_name = _("reconciliation report")
        verbose_name_plural = _("reconciliation reports")
        constraints = [models.UniqueConstraint(fields=["provider", "day"], name="reconciliation_provider_day")]

    def __str__(self):
        return f"{self.provider} {self.day}"

    @property
    def mismatch_count(self) -> int:
        return len(self.mismatches or [])


# --- the sandbox gateway's own records ----------------------------------------------------------
# The sandbox provider plays a real gateway, so it keeps its own books, apart from ours: what it
# was asked to collect, what the payer paid, what it refunded. Our Payment/Refund rows learn about
# them only through its signed callbacks and its query/refund/bill answers, like with WeChat.


class SandboxTradeState(models.TextChoices):
    NOTPAY = "NOTPAY", _("not paid")
    SUCCESS = "SUCCESS", _("paid")
    CLOSED = "CLOSED", _("closed")


class SandboxTrade(models.Model):
    out_trade_no = models.CharField(max_length=32, unique=True)
    transaction_id = models.CharField(max_length=32, unique=True)
    # The secret part of the cashier URL: whoever has the pay_url can pay, nobody can guess one.
    token = models.CharField(max_length=43, unique=True)
    description = models.CharField(max_length=128)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    time_expire = models.DateTimeField()
    notify_url = models.CharField(max_length=255, blank=True)
    return_url = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=8, choices=SandboxTradeState.choices, default=SandboxTradeState.NOTPAY)
    # The id of the payment notification, the same on every delivery attempt (WeChat keeps it too).
    notification_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sandbox trade")
        verbose_name_plural = _("sandbox trades")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="sandbox_trade_amount_positive")]

    def __str__(self):
        return self.out_trade_no


class SandboxRefundState(models.TextChoices):
    PROCESSING = "PROCESSING", _("processing")
    SUCCESS = "SUCCESS", _("refunded")


class SandboxRefund(models.Model):
    trade = models.ForeignKey(SandboxTrade, on_delete=models.PROTECT, related_name="refunds")
    out_refund_no = models.CharField(max_length=64, unique=True)
    refund_id = models.CharField(max_length=32, unique=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    state = models.CharField(max_length=10, choices=SandboxRefundState.choices, default=SandboxRefundState.SUCCESS)
    notification_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sandbox refund")
        verbose_name_plural = _("sandbox refunds")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="sandbox_refund_amount_positive")]

    def __str__(self):
        return self.out_refund_no
