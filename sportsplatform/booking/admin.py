"""Booking in the back office ("预订管理"): venues' booking policies and price rules, the holiday
calendar, the slot grid (close and reopen), booked slots, e-tickets (read-only) and booking
suspensions (lift). Everything venue-bound is scoped through core.admin.ScopedModelAdmin; the
holiday calendar and suspensions are platform-wide (platform admins)."""

from __future__ import annotations

from itertools import groupby

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import RangeDateFilter
from unfold.forms import ActionForm

from sportsplatform.core.admin import ScopedModelAdmin, ScopedRelatedFilter
from sportsplatform.core.errors import DomainError
from sportsplatform.venues.models import Court

from .domain.closures import close_slots, reopen_slots
from .domain.holidays import reprice_after_calendar_change
from .domain.noshow import lift_suspension
from .models import BookingItem, BookingPolicy, BookingSuspension, HolidayDate, PriceRule, Slot, Ticket


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VenueFilter(ScopedRelatedFilter):
    field_name = "venue"


@admin.register(BookingPolicy)
class BookingPolicyAdmin(ScopedModelAdmin):
    list_display = ["venue", "slot_minutes", "window_days", "release_time", "hold_minutes", "no_show_limit"]
    autocomplete_fields = ["venue"]
    search_fields = ["venue__name"]
    list_select_related = ["venue"]
    fieldsets = [
        (None, {"fields": ["venue"]}),
        (_("Slots and window"), {"fields": ["slot_minutes", "window_days", "release_time", "hold_minutes"]}),
        (_("Limits"), {"fields": ["max_hours_per_day", "max_slots_per_order"]}),
        (_("Refunds and check-in"), {"fields": ["refund_tiers", "checkin_opens_minutes"]}),
        (
            _("No-shows"),
            {"fields": ["no_show_after_minutes", "no_show_limit", "no_show_window_days", "suspension_days"]},
        ),
    ]


@admin.register(PriceRule)
class PriceRuleAdmin(ScopedModelAdmin):
    list_display = ["__str__", "venue", "court", "day_kind", "starts", "ends", "price", "member_price"]
    list_filter = [VenueFilter, "day_kind"]
    autocomplete_fields = ["venue"]
    search_fields = ["venue__name", "name"]
    list_select_related = ["venue", "court__venue"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        request._price_rule_venue = getattr(obj, "venue_id", None) or request.GET.get("venue")
        return super().get_form(request, obj, change=change, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "court":
            courts = self.scoped_choices(request, Court, Court.objects.filter(is_bookable=True))
            venue_id = getattr(request, "_price_rule_venue", None)
            if venue_id and str(venue_id).isdecimal():
                courts = courts.filter(venue_id=venue_id)
            kwargs["queryset"] = courts.select_related("venue")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(HolidayDate)
class HolidayDateAdmin(ModelAdmin):
    """Enter a year's holidays and make-up working days here when the State Council publishes
    them (November/December), if chinesecalendar (`manage.py sync_holidays`) does not know it yet."""

    list_display = ["date", "weekday", "is_holiday", "name"]
    list_filter = ["is_holiday", ("date", RangeDateFilter)]
    search_fields = ["name"]
    date_hierarchy = "date"

    @admin.display(description=_("weekday"))
    def weekday(self, obj):
        return obj.date.strftime("%a") if obj.date else ""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(reprice_after_calendar_change)


class CloseSlotsForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=128,
        help_text=_("Shown to the users whose bookings are cancelled."),
    )


@admin.register(Slot)
class SlotAdmin(ScopedModelAdmin):
    list_display = ["court", "venue", "date", "start_time", "end_time", "price", "member_price", "capacity",
                    "taken", "status", "closed_reason"]  # fmt: skip
    list_filter = [VenueFilter, "status", ("date", RangeDateFilter)]
    list_select_related = ["court__venue", "venue"]
    search_fields = ["venue__name", "court__name"]
    ordering = ["date", "venue_id", "court_id", "start"]
    readonly_fields = ["court", "venue", "date", "start", "end", "price", "member_price", "capacity", "taken",
                       "release_at", "status", "closed_reason"]  # fmt: skip
    action_form = CloseSlotsForm
    actions = ["close_selected", "reopen_selected"]
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("from"), ordering="start")
    def start_time(self, obj):
        return f"{timezone.localtime(obj.start):%H:%M}"

    @admin.display(description=_("until"))
    def end_time(self, obj):
        return f"{timezone.localtime(obj.end):%H:%M}"

    @admin.action(description=_("Close selected slots (cancel and refund their bookings)"), permissions=["change"])
    def close_selected(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip()
        if not reason:
            self.message_user(request, _("Give a reason: it is shown to the users affected."), messages.ERROR)
            return
        slots = list(queryset.select_related("court__venue").order_by("court_id", "start"))
        closed, cancelled, failed = 0, [], {}
        for _court_id, group in groupby(slots, key=lambda s: s.court_id):
            for start, end, court in _ranges(list(group)):
                try:
                    result = close_slots(court=court, start=start, end=end, reason=reason, actor=request.user)
                except DomainError as exc:
                    self.message_user(request, str(exc), messages.ERROR)
                    return
                closed += result.slots
                cancelled += result.orders
                failed.update(result.failed)
        self.message_user(
            request,
            _("%(slots)d slots closed; %(orders)d bookings cancelled and refunded.")
            % {"slots": closed, "orders": len(cancelled)},
            messages.SUCCESS,
        )
        if failed:
            self.message_user(
                request,
                _("These orders could not be cancelled: %(orders)s") % {"orders": ", ".join(sorted(failed))},
                messages.WARNING,
            )

    @admin.action(description=_("Reopen selected slots"), permissions=["change"])
    def reopen_selected(self, request, queryset):
        slots = list(queryset.select_related("court__venue").order_by("court_id", "start"))
        count = 0
        for _court_id, group in groupby(slots, key=lambda s: s.court_id):
            for start, end, court in _ranges(list(group)):
                count += reopen_slots(court=court, start=start, end=end, actor=request.user)
        self.message_user(request, _("%(count)d slots reopened.") % {"count": count}, messages.SUCCESS)


def _ranges(slots: list[Slot]):
    """Consecutive runs of one court's slots as (start, end, court)."""
    runs = []
    for slot in slots:
        if runs and runs[-1][1] >= slot.start:
            runs[-1][1] = max(runs[-1][1], slot.end)
        else:
            runs.append([slot.start, slot.end, slot.court])
    return [tuple(run) for run in runs]


@admin.register(BookingItem)
class BookingItemAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ["slot", "order", "user", "quantity", "price", "status", "start"]
    list_filter = ["status", ("start", RangeDateFilter)]
    list_select_related = ["slot__court__venue", "order", "user"]
    search_fields = ["order__number", "user__phone", "slot__venue__name"]
    ordering = ["-start"]


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ["code", "order", "issued_at", "used_at", "checked_in_by", "revoked_at"]
    list_select_related = ["order", "checked_in_by"]
    search_fields = ["code", "order__number"]
    exclude = ["token_hash"]
    ordering = ["-issued_at"]


class LiftForm(ActionForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


@admin.register(BookingSuspension)
class BookingSuspensionAdmin(ReadOnlyAdminMixin, ModelAdmin):
    list_display = ["user", "reason", "starts_at", "until", "state", "lifted_at", "lifted_by"]
    list_filter = [("until", RangeDateFilter)]
    list_select_related = ["user", "lifted_by"]
    search_fields = ["user__phone", "user__username", "reason"]
    action_form = LiftForm
    actions = ["lift_selected"]

    @admin.display(description=_("state"))
    def state(self, obj):
        if obj.lifted_at:
            return _("lifted")
        return _("in force") if obj.until > timezone.now() else _("ended")

    def has_lift_permission(self, request):
        return request.user.has_perm("booking.change_bookingsuspension")

    @admin.action(description=_("Lift selected suspensions"), permissions=["lift"])
    def lift_selected(self, request, queryset):
        note = (request.POST.get("note") or "").strip()
        lifted = 0
        for suspension in queryset.filter(lifted_at__isnull=True, until__gt=timezone.now()):
            try:
                lift_suspension(suspension=suspension, actor=request.user, note=note)
            except DomainError as exc:
                self.message_user(request, f"{suspension.user}: {exc}", messages.ERROR)
                continue
            lifted += 1
        self.message_user(request, _("%(count)d suspensions lifted.") % {"count": lifted}, messages.SUCCESS)
