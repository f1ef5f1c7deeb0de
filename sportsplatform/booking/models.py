"""What can be booked and who holds it.

A Slot is one bookable time of one court (capacity 1) or one session of a pool or gym (capacity N,
sold as tickets). Slots are generated ahead from opening hours and price rules
(booking.domain.slots). `Slot.taken` counts the places held by unpaid and paid bookings; the
database refuses `taken > capacity`, so no slot is ever sold twice, whatever the Python does.
For exclusive slots a partial unique index on the active booking item is a second, independent
guard."""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def default_refund_tiers() -> list[dict]:
    # The common policy: full refund until 24 h before the start, half until 2 h, none after.
    return [{"hours_before": 24, "percent": 100}, {"hours_before": 2, "percent": 50}]


class BookingPolicy(models.Model):
    """A venue's booking rules. Venues without a row use the defaults below."""

    venue = models.OneToOneField(
        "venues.Venue", on_delete=models.CASCADE, related_name="booking_policy", verbose_name=_("venue")
    )
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=60)
    window_days = models.PositiveSmallIntegerField(
        _("booking window (days)"), default=7, help_text=_("How many days ahead slots can be booked.")
    )
    release_time = models.TimeField(
        _("daily release time"),
        default=time(8, 0),
        help_text=_("The last day of the window opens for booking at this time each day."),
    )
    hold_minutes = models.PositiveSmallIntegerField(
        _("payment time limit (minutes)"), default=15, help_text=_("Unpaid bookings are released after this.")
    )
    max_hours_per_day = models.PositiveSmallIntegerField(
        _("max hours per user per day"), default=4, help_text=_("0 means no limit.")
    )
    max_slots_per_order = models.PositiveSmallIntegerField(_("max slots per order"), default=6)
    refund_tiers = models.JSONField(
        _("refund policy"),
        default=default_refund_tiers,
        help_text=_(
            'List of {"hours_before": h, "percent": p}: cancelling at least h hours before the start '
            "refunds p percent. No matching tier: no refund."
        ),
    )
    checkin_opens_minutes = models.PositiveSmallIntegerField(_("check-in opens (minutes before start)"), default=30)
    no_show_after_minutes = models.PositiveSmallIntegerField(_("no-show after (minutes past start)"), default=30)
    no_show_limit = models.PositiveSmallIntegerField(
        _("no-shows before suspension"), default=3, help_text=_("0 disables suspensions.")
    )
    no_show_window_days = models.PositiveSmallIntegerField(_("no-show counting window (days)"), default=30)
    suspension_days = models.PositiveSmallIntegerField(_("suspension (days)"), default=7)

    class Meta:
        verbose_name = _("booking policy")
        verbose_name_plural = _("booking policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=15) & Q(slot_minutes__lte=240), name="policy_slot_minutes"
            ),
            models.CheckConstraint(condition=Q(hold_minutes__gte=1), name="policy_hold_minutes"),
        ]

    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return str(self.venue)


class DayKind(models.TextChoices):
    ANY = "any", _("every day")
    WEEKDAY = "weekday", _("working day")
    WEEKEND = "weekend", _("weekend")
    HOLIDAY = "holiday", _("public holiday")


class PriceRule(models.Model):
    """A price for some hours of some days, for one court or all courts of a venue. The most
    specific rule wins: court over venue, holiday over weekend over working day over any."""

    venue = models.ForeignKey(
        "venues.Venue", on_delete=models.CASCADE, related_name="price_rules", verbose_name=_("venue")
    )
    court = models.ForeignKey(
        "venues.Court",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="price_rules",
        verbose_name=_("court"),
        help_text=_("Empty: every court of the venue."),
    )
    name = models.CharField(_("name"), max_length=64, blank=True, help_text=_("e.g. evening peak"))
    day_kind = models.CharField(_("days"), max_length=10, choices=DayKind.choices, default=DayKind.ANY)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))
    price = models.DecimalField(_("price per slot (yuan)"), max_digits=8, decimal_places=2)
    member_price = models.DecimalField(
        _("member price (yuan)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("For sports card holders. Empty: same as the price."),
    )

    class Meta:
        ordering = ["venue_id", "court_id", "day_kind", "starts"]
        verbose_name = _("price rule")
        verbose_name_plural = _("price rules")
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="price_rule_ends_after_starts"),
            models.CheckConstraint(condition=Q(price__gte=0), name="price_rule_price_not_negative"),
            models.CheckConstraint(
                condition=Q(member_price__isnull=True) | Q(member_price__gte=0),
                name="price_rule_member_price_not_negative",
            ),
        ]

    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return self.name or f"{self.get_day_kind_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class HolidayDate(models.Model):
    """Public holidays and the weekend days made working days (调休), per the State Council's yearly
    notice. Seeded from the chinesecalendar package for the years it knows; later years are entered
    in the back office when the notice is published."""

    date = models.DateField(_("date"), primary_key=True)
    is_holiday = models.BooleanField(_("holiday"), help_text=_("Unticked: a working day on a weekend (调休)."))
    name = models.CharField(_("name"), max_length=32, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday calendar day")
        verbose_name_plural = _("holiday calendar")

    def __str__(self):
        return f"{self.date} {self.name}"


class SlotStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class Slot(models.Model):
    court = models.ForeignKey("venues.Court", on_delete=models.CASCADE, related_name="slots", verbose_name=_("court"))
    # Copied from the court so a venue's day reads from one index.
    venue = models.ForeignKey("venues.Venue", on_delete=models.CASCADE, related_name="slots", verbose_name=_("venue"))
    date = models.DateField(_("date"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    price = models.DecimalField(_("price"), max_digits=8, decimal_places=2)
    member_price = models.DecimalField(_("member price"), max_digits=8, decimal_places=2)
    capacity = models.PositiveSmallIntegerField(_("places"), default=1)
    taken = models.PositiveSmallIntegerField(_("places taken"), default=0)
    status = models.CharField(_("status"), max_length=8, choices=SlotStatus.choices, default=SlotStatus.OPEN)
    closed_reason = models.CharField(_("reason closed"), max_length=128, blank=True)
    # Bookable from this instant (the daily release), until its start.
    release_at = models.DateTimeField(_("bookable from"))

    class Meta:
        ordering = ["court_id", "start"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        indexes = [models.Index(fields=["venue", "date"], name="slot_venue_date")]
        constraints = [
            models.UniqueConstraint(fields=["court", "start"], name="slot_unique_court_start"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="slot_end_after_start"),
            # The oversell guard: holds the line even if application code is wrong.
            models.CheckConstraint(condition=Q(taken__lte=F("capacity")), name="slot_not_oversold"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="slot_capacity_positive"),
            models.CheckConstraint(condition=Q(price__gte=0) & Q(member_price__gte=0), name="slot_price_not_negative"),
        ]

    scope_region_field = "venue__region"
    scope_organisation_field = "venue__operator_id"

    def __str__(self):
        return f"{self.court} {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_exclusive(self) -> bool:
        return self.capacity == 1

    @property
    def free(self) -> int:
        return self.capacity - self.taken


class BookingItemStatus(models.TextChoices):
    HELD = "held", _("held, awaiting payment")
    CONFIRMED = "confirmed", _("confirmed")
    CHECKED_IN = "checked_in", _("checked in")
    NO_SHOW = "no_show", _("no-show")
    RELEASED = "released", _("released")


ACTIVE_ITEM_STATUSES = (
    BookingItemStatus.HELD,
    BookingItemStatus.CONFIRMED,
    BookingItemStatus.CHECKED_IN,
    BookingItemStatus.NO_SHOW,
)


class BookingItem(models.Model):
    """One slot (or N places of a session) in one order."""

    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="booking_items", verbose_name=_("order")
    )
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="items", verbose_name=_("slot"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="booking_items")
    quantity = models.PositiveSmallIntegerField(_("places"), default=1)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=12, choices=BookingItemStatus.choices, default=BookingItemStatus.HELD, db_index=True
    )
    # Copied from the slot: the partial unique index below needs it on this row.
    exclusive = models.BooleanField(default=True, editable=False)
    start = models.DateTimeField(_("start"))  # copied from the slot for per-user limits and no-shows
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("booked slot")
        verbose_name_plural = _("booked slots")
        indexes = [models.Index(fields=["user", "start"], name="booking_item_user_start")]
        constraints = [
            # Second guard against double booking, independent of Slot.taken.
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(exclusive=True) & ~Q(status="released"),
                name="booking_item_one_active_per_exclusive_slot",
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="booking_item_quantity_positive"),
            models.CheckConstraint(condition=~Q(exclusive=True) | Q(quantity=1), name="booking_item_exclusive_single"),
        ]

    scope_region_field = "slot__venue__region"
    scope_organisation_field = "slot__venue__operator_id"

    def __str__(self):
        return str(self.slot)


class Ticket(models.Model):
    """The e-ticket of a paid booking (one per order). The QR carries a signed token; the
    database keeps only its hash, and `used_at` is set once by a conditional update."""

    order = models.OneToOneField(
        "orders.Order", on_delete=models.CASCADE, related_name="ticket", verbose_name=_("order")
    )
    code = models.CharField(_("ticket code"), max_length=16, unique=True, help_text=_("Typed at the desk."))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    issued_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-ticket")
        verbose_name_plural = _("e-tickets")

    scope_region_field = "order__venue__region"
    scope_organisation_field = "order__venue__operator_id"

    def __str__(self):
        return self.code


class BookingSuspension(models.Model):
    """A user may not book until `until`, with the reason shown to them (repeated no-shows)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booking_suspensions")
    starts_at = models.DateTimeField(_("from"))
    until = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=255)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-until"]
        verbose_name = _("booking suspension")
        verbose_name_plural = _("booking suspensions")
        constraints = [
            models.CheckConstraint(condition=Q(until__gt=F("starts_at")), name="suspension_until_after_start")
        ]

    def __str__(self):
        return self.reason


ZERO = Decimal("0.00")
