"""One order model for everything paid on the platform: court bookings and session tickets now,
event registrations, course enrolments, card top-ups and the mall later. What an order buys is in
its lines; what happened to it is in its events; how it was paid is in payments.Payment."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("awaiting payment")
    PAID = "paid", _("paid")
    USED = "used", _("used")
    CANCELLED = "cancelled", _("cancelled")
    REFUNDED = "refunded", _("refunded")
    EXPIRED = "expired", _("expired")


# The state machine. Anything not listed is refused by orders.domain.transitions.transition_order.
# expired → paid exists for one case only: a payment that succeeds after the hold lapsed while its
# slots are still free is confirmed instead of refunded (payments.domain.late).
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    OrderStatus.PENDING_PAYMENT: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED, OrderStatus.EXPIRED}),
    OrderStatus.PAID: frozenset({OrderStatus.USED, OrderStatus.CANCELLED, OrderStatus.REFUNDED}),
    OrderStatus.EXPIRED: frozenset({OrderStatus.PAID}),
    OrderStatus.USED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
}
# Statuses whose order still holds what it bought (slots, places).
HOLDING_STATUSES = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, OrderStatus.USED)


class OrderKind(models.TextChoices):
    BOOKING = "booking", _("venue booking")
    EVENT = "event", _("event registration")
    COURSE = "course", _("course enrolment")
    TOPUP = "topup", _("sports card top-up")
    MALL = "mall", _("mall purchase")


class PaymentMethod(models.TextChoices):
    SANDBOX = "sandbox", _("sandbox (demo)")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    CARD = "card", _("sports card")


class Order(models.Model):
    # Also the merchant order number sent to the payment provider (WeChat: 6–32 characters).
    number = models.CharField(_("order number"), max_length=32, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OrderKind.choices, db_index=True)
    # The seller the money is owed to: the venue for bookings; null for card top-ups.
    venue = models.ForeignKey(
        "venues.Venue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("venue"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT, db_index=True
    )
    subtotal = models.DecimalField(_("subtotal"), max_digits=10, decimal_places=2)
    discount = models.DecimalField(_("discount"), max_digits=10, decimal_places=2, default=Decimal("0.00"))
    amount = models.DecimalField(_("amount payable"), max_digits=10, decimal_places=2)
    refunded_amount = models.DecimalField(_("refunded"), max_digits=10, decimal_places=2, default=Decimal("0.00"))
    payment_method = models.CharField(_("payment method"), max_length=10, choices=PaymentMethod.choices, blank=True)
    # Unpaid orders hold their slots until then; the provider's own deadline is the same instant.
    expires_at = models.DateTimeField(_("pay by"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The client's Idempotency-Key: a retried POST returns the first order instead of a second.
    idempotency_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    note = models.CharField(_("note"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["user", "-created_at"], name="order_user_recent"),
            # The expiry sweep reads only unpaid orders whose time is up.
            models.Index(fields=["expires_at"], condition=Q(status="pending_payment"), name="order_unpaid_expiry"),
            models.Index(fields=["venue", "status"], name="order_venue_status"),
            # The data screen's bookings and revenue today read orders by payment time.
            models.Index(fields=["paid_at"], condition=Q(paid_at__isnull=False), name="order_paid_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"], condition=~Q(idempotency_key=""), name="order_idempotency_key"
            ),
            models.CheckConstraint(condition=Q(subtotal__gte=0), name="order_subtotal_not_negative"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="order_discount_not_negative"),
            # Rounded to the fen: SQLite keeps decimals as floats, where 35.30 - 20.00 != 15.30.
            models.CheckConstraint(
                condition=Q(amount=Round(F("subtotal") - F("discount"), 2)), name="order_amount_sum"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="order_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=F("amount")),
                name="order_refund_within_amount",
            ),
            models.CheckConstraint(condition=Q(status__in=OrderStatus.values), name="order_status_valid"),
        ]

    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return self.number

    @property
    def is_holding(self) -> bool:
        return self.status in HOLDING_STATUSES


class OrderLine(models.Model):
    """What the order buys. `kind` and `object_id` name the thing (a booking item, a registration);
    the line keeps its own description and price so the order reads the same after edits."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    kind = models.CharField(_("kind"), max_length=16)
    object_id = models.BigIntegerField(null=True, blank=True)
    description = models.CharField(_("description"), max_length=255)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["order_id", "id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="order_line_amount_not_negative"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive"),
        ]

    scope_region_field = "order__venue__region"
    scope_organisation_field = "order__venue__operator_id"

    def __str__(self):
        return self.description


class OrderEvent(models.Model):
    """Every status change and money movement of an order, with who did it and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order"))
    action = models.CharField(_("action"), max_length=64)  # dotted code, e.g. "order.paid"
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["order_id", "at", "id"]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    scope_region_field = "order__venue__region"
    scope_organisation_field = "order__venue__operator_id"

    def __str__(self):
        return self.action
