"""Closing and reopening slots, and keeping future slots in step with the venue's settings.

close_slots: an operator closes a court (or a whole venue) for some hours — maintenance, an event,
a closed day. The slots are marked closed first, in one short transaction, so nobody can take them
any more; then every order holding them is cancelled and refunded in full, each through
orders.domain.cancel.cancel_order in its own transaction (no slot lock is held while a provider is
called), and each affected user is told why (in-site message, SMS and WeChat where configured).

regenerate_venue_slots: after an operator changes opening hours, price rules, courts or the booking
policy, the future slots nobody holds are brought in line (new prices, release times, capacities),
missing ones are created, and slots that no longer fit the hours are closed. A slot someone holds
is never deleted or repriced: its booking stands as sold."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import DomainError, NotPermitted, ValidationFailed
from sportsplatform.core.scoping import editable_by
from sportsplatform.orders.models import Order, OrderStatus
from sportsplatform.venues.models import Court, Venue

from ..models import BookingItem, BookingItemStatus, Slot, SlotStatus
from .policy import policy_for
from .slots import build_slots, generate_slots

log = logging.getLogger(__name__)

# The closed_reason of slots closed because the venue's hours no longer include them (so that a
# later change of hours may open them again, unlike an operator's closure).
OUTSIDE_HOURS = "outside_hours"
CLOSURE_CHANNELS = ("sms", "wechat")


@dataclass
class ClosureResult:
    slots: int = 0
    orders: list[str] = field(default_factory=list)  # order numbers cancelled and refunded
    failed: dict[str, str] = field(default_factory=dict)  # order number → why it could not be cancelled


def _is_system(actor) -> bool:
    return actor is None or not getattr(actor, "pk", None)


def _require_venue_editable(actor, venue: Venue) -> None:
    if _is_system(actor):
        return
    if not editable_by(actor, Venue.objects.filter(pk=venue.pk)).exists():
        raise NotPermitted(_("You cannot manage the slots of this venue."))


def _slots_in(*, court: Court | None, venue: Venue | None, start: datetime, end: datetime):
    if (court is None) == (venue is None):
        raise ValidationFailed(fields={"court": [_("Give either a court or a venue.")]})
    if end <= start:
        raise ValidationFailed(fields={"end": [_("The end must be after the start.")]})
    lookup = Q(court=court) if court is not None else Q(venue=venue)
    return Slot.objects.filter(lookup, start__lt=end, end__gt=start)


def affected_order_ids(slot_ids) -> list[int]:
    """Orders still holding any of the slots (unpaid or paid, not yet used)."""
    return sorted(
        set(
            BookingItem.objects.filter(
                slot_id__in=list(slot_ids),
                status__in=(BookingItemStatus.HELD, BookingItemStatus.CONFIRMED),
                order__status__in=(OrderStatus.PENDING_PAYMENT, OrderStatus.PAID),
            ).values_list("order_id", flat=True)
        )
    )


def close_slots(
    *,
    start: datetime,
    end: datetime,
    reason: str,
    actor,
    court: Court | None = None,
    venue: Venue | None = None,
) -> ClosureResult:
    """Close the slots of `court` (or of every court of `venue`) overlapping [start, end), cancel and
    fully refund the orders holding them, and tell their users. Must not run inside a transaction:
    each refund commits on its own."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Say why the slots are closed; the users affected are told.")]})
    target_venue = venue or court.venue
    _require_venue_editable(actor, target_venue)
    result = ClosureResult()
    with transaction.atomic():
        slots = _slots_in(court=court, venue=venue, start=start, end=end)
        slot_ids = list(slots.values_list("pk", flat=True))
        result.slots = Slot.objects.filter(pk__in=slot_ids).update(status=SlotStatus.CLOSED, closed_reason=reason[:128])
        audit.record(
            action="booking.slots.closed",
            actor=None if _is_system(actor) else actor,
            obj=court or venue,
            start=start.isoformat(),
            end=end.isoformat(),
            reason=reason,
            slots=len(slot_ids),
        )
    cancel_orders_for_closure(order_ids=affected_order_ids(slot_ids), reason=reason, actor=actor, result=result)
    return result


def cancel_orders_for_closure(*, order_ids, reason: str, actor, result: ClosureResult | None = None) -> ClosureResult:
    """Cancel and refund in full each order, one transaction each; a failure of one (a provider
    that is down) is logged and recorded and does not stop the others (the refund is retried by
    payments' retry task once the order is refunded; an order that could not be cancelled at all is
    reported to the operator)."""
    from sportsplatform.orders.domain.cancel import cancel_order

    result = result or ClosureResult()
    for order_id in order_ids:
        order = Order.objects.select_related("user", "venue").get(pk=order_id)
        try:
            cancel_order(order=order, actor=None if _is_system(actor) else actor, reason=reason, full_refund=True)
        except DomainError as exc:
            log.warning("closure: order %s could not be cancelled: %s", order.number, exc)
            result.failed[order.number] = str(exc)
            continue
        result.orders.append(order.number)
        order.refresh_from_db()
        notify_closure(order=order, reason=reason)
    return result


def notify_closure(*, order: Order, reason: str) -> None:
    from sportsplatform.notifications.domain.send import notify
    from sportsplatform.notifications.receivers import booking_summary, order_link

    with translation.override(settings.LANGUAGE_CODE):
        refunded = order.refunded_amount
        if order.status == OrderStatus.REFUNDED or refunded:
            money = _("The full amount of %(amount)s yuan is refunded to where you paid from.") % {
                "amount": order.amount
            }
        else:
            money = _("Nothing was charged.")
        notify(
            user=order.user,
            kind="booking.closed",
            title=_("Venue closed: your booking is cancelled"),
            body=_("%(venue)s is closed at the time you booked (%(reason)s). %(what)s has been cancelled. %(money)s")
            % {"venue": order.venue, "reason": reason, "what": booking_summary(order), "money": money},
            link=order_link(order),
            channels=CLOSURE_CHANNELS,
        )


def reopen_slots(
    *,
    start: datetime,
    end: datetime,
    actor,
    court: Court | None = None,
    venue: Venue | None = None,
) -> int:
    """Open again the closed future slots in the range that the venue's hours still include.
    Returns how many were reopened."""
    target_venue = venue or court.venue
    _require_venue_editable(actor, target_venue)
    now = timezone.now()
    closed = list(
        _slots_in(court=court, venue=venue, start=start, end=end).filter(status=SlotStatus.CLOSED, start__gt=now)
    )
    if not closed:
        return 0
    days = sorted({s.date for s in closed})
    expected = {
        (s.court_id, s.start)
        for s in build_slots(venue=target_venue, start=days[0], days=(days[-1] - days[0]).days + 1)
    }
    ids = [s.pk for s in closed if (s.court_id, s.start) in expected]
    with transaction.atomic():
        count = Slot.objects.filter(pk__in=ids, status=SlotStatus.CLOSED).update(
            status=SlotStatus.OPEN, closed_reason=""
        )
        audit.record(
            action="booking.slots.reopened",
            actor=None if _is_system(actor) else actor,
            obj=court or venue,
            start=start.isoformat(),
            end=end.isoformat(),
            slots=count,
        )
    return count


def close_day(*, venue: Venue, day: date, reason: str, actor=None) -> ClosureResult:
    """A closed day (an OpeningException closed all day): close its slots and cancel its bookings."""
    begin = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    with translation.override(settings.LANGUAGE_CODE):
        reason = reason or _("Closed all day")
    return close_slots(venue=venue, start=begin, end=begin + timedelta(days=1), reason=reason, actor=actor)


# --- keeping future slots in step with the settings ----------------------------------------------


@dataclass
class RegenerationResult:
    created: int = 0
    repriced: int = 0
    closed: int = 0
    reopened: int = 0


def regenerate_venue_slots(
    *, venue: Venue, today: date | None = None, now: datetime | None = None
) -> RegenerationResult:
    """Bring the venue's future slots in the booking window in line with its hours, courts, price
    rules and policy. Slots someone holds (taken > 0) keep their price and times."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    venue = (
        Venue.objects.prefetch_related("opening_hours", "opening_exceptions", "courts")
        .select_related("booking_policy")
        .get(pk=venue.pk)
    )
    days = policy_for(venue).window_days + 1
    result = RegenerationResult()
    existing = {
        (s.court_id, s.start): s
        for s in Slot.objects.filter(venue=venue, date__gte=today, start__gt=now).order_by("start")
    }
    if not existing:
        # Nothing generated yet: the daily task or the first read fills the window.
        return result
    last_day = max(s.date for s in existing.values())
    span = max(days, (last_day - today).days + 1)
    expected = {(s.court_id, s.start): s for s in build_slots(venue=venue, start=today, days=span) if s.start > now}
    fields = ("end", "price", "member_price", "capacity", "release_at")
    changed, to_close, to_reopen = [], [], []
    for key, slot in existing.items():
        want = expected.get(key)
        if want is None:
            if slot.status == SlotStatus.OPEN:
                to_close.append(slot.pk)
            continue
        if slot.status == SlotStatus.CLOSED and slot.closed_reason == OUTSIDE_HOURS:
            to_reopen.append(slot.pk)
        if slot.taken == 0 and any(getattr(slot, f) != getattr(want, f) for f in fields):
            for f in fields:
                setattr(slot, f, getattr(want, f))
            changed.append(slot)
        elif slot.taken and slot.release_at != want.release_at:
            slot.release_at = want.release_at
            changed.append(slot)
    with transaction.atomic():
        # One UPDATE per distinct set of new values, each guarded by taken=0: a hold taken since
        # the read keeps its slot as it was sold.
        groups: dict[tuple, list[int]] = {}
        for slot in changed:
            if slot.taken:
                continue
            groups.setdefault(tuple(getattr(slot, f) for f in fields), []).append(slot.pk)
        for values, ids in groups.items():
            result.repriced += Slot.objects.filter(pk__in=ids, taken=0).update(**dict(zip(fields, values, strict=True)))
        held = {}
        for slot in changed:
            if slot.taken:
                held.setdefault(slot.release_at, []).append(slot.pk)
        for release_at, ids in held.items():
            Slot.objects.filter(pk__in=ids).update(release_at=release_at)
        if to_close:
            result.closed = Slot.objects.filter(pk__in=to_close, status=SlotStatus.OPEN).update(
                status=SlotStatus.CLOSED, closed_reason=OUTSIDE_HOURS
            )
        if to_reopen:
            result.reopened = Slot.objects.filter(
                pk__in=to_reopen, status=SlotStatus.CLOSED, closed_reason=OUTSIDE_HOURS
            ).update(status=SlotStatus.OPEN, closed_reason="")
    result.created = generate_slots(venue=venue, start=today, days=days)
    if result.repriced or result.closed or result.reopened or result.created:
        audit.record(
            action="booking.slots.regenerated",
            obj=venue,
            created=result.created,
            repriced=result.repriced,
            closed=result.closed,
            reopened=result.reopened,
        )
    return result


# --- hooks: changes made anywhere (back office, API, domain functions) -----------------------------


def _venue_changed(venue_id: int | None) -> None:
    """Queue one regeneration of the venue per transaction, after commit (a venue form saving
    twenty opening-hours rows regenerates once)."""
    if not venue_id:
        return
    connection = transaction.get_connection()
    for entry in connection.run_on_commit:
        if getattr(entry[1], "booking_venue_id", None) == venue_id and not entry[1].done:
            return

    def run():
        from ..tasks import regenerate_venue_task

        run.done = True
        regenerate_venue_task.delay(venue_id)

    run.booking_venue_id = venue_id
    run.done = False
    transaction.on_commit(run)


def _on_settings_saved(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    _venue_changed(getattr(instance, "venue_id", None))


def _on_exception_saved(sender, instance, created=False, **kwargs):
    if kwargs.get("raw"):
        return
    if instance.is_closed and instance.date >= timezone.localdate():
        venue_id, day, reason = instance.venue_id, instance.date.isoformat(), instance.reason

        def run():
            from ..tasks import close_day_task

            close_day_task.delay(venue_id, day, reason)

        transaction.on_commit(run)
    _venue_changed(instance.venue_id)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from sportsplatform.venues.models import OpeningException, OpeningHours

    from ..models import BookingPolicy, PriceRule

    for model in (OpeningHours, Court, PriceRule, BookingPolicy):
        post_save.connect(_on_settings_saved, sender=model, dispatch_uid=f"booking.regenerate.{model.__name__}")
        post_delete.connect(_on_settings_saved, sender=model, dispatch_uid=f"booking.regenerate.del.{model.__name__}")
    post_save.connect(_on_exception_saved, sender=OpeningException, dispatch_uid="booking.close_day")
    post_delete.connect(_on_settings_saved, sender=OpeningException, dispatch_uid="booking.regenerate.del.exception")
