"""Holding slots: the booking rush's hot path.

create_booking takes the chosen slots in one short transaction: each slot's `taken` is raised by a
conditional UPDATE (… WHERE taken + n <= capacity), in slot-id order so two requests never wait on
each other in opposite orders; if any slot is full the whole transaction rolls back and the caller
gets 409 slot_taken with nothing held. The check constraint `taken <= capacity` and the unique
index on active items of exclusive slots hold the line even if this code were wrong.

Expired holds are given back before the transaction: their orders are expired through
orders.domain.expiry (which closes the payment at the provider first), never inside the lock."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, F
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import ValidationFailed
from sportsplatform.ledger.models import LedgerAccount
from sportsplatform.orders.domain.numbers import new_order_number
from sportsplatform.orders.domain.transitions import log_order_event
from sportsplatform.orders.models import Order, OrderKind, OrderLine, OrderStatus

from ..models import (
    ACTIVE_ITEM_STATUSES,
    BookingItem,
    BookingItemStatus,
    BookingSuspension,
    Slot,
    SlotStatus,
)
from .errors import BookingSuspended, LimitExceeded, SlotTaken, SlotUnavailable
from .policy import policy_for

MAX_TICKETS_PER_SESSION = 10
# A full slot is remembered for a few seconds so the rush's losers are answered without a write
# transaction. Only a hint: the database decides; a freed slot clears its hint.
FULL_HINT_SECONDS = 10


def _full_key(slot_id: int) -> str:
    return f"booking:full:{slot_id}"


def forget_full(slot_ids) -> None:
    cache.delete_many([_full_key(pk) for pk in slot_ids])


def is_member(user) -> bool:
    """Sports card holders pay member prices."""
    return LedgerAccount.objects.filter(key=f"card:{user.pk}").exists()


def active_suspension(user, now: datetime | None = None) -> BookingSuspension | None:
    now = now or timezone.now()
    return (
        BookingSuspension.objects.filter(user=user, starts_at__lte=now, until__gt=now, lifted_at__isnull=True)
        .order_by("-until")
        .first()
    )


def _parse_request(slot_ids, quantities) -> Counter:
    try:
        wanted = Counter()
        for raw in slot_ids:
            wanted[int(raw)] += 0
        for pk in wanted:
            wanted[pk] = int((quantities or {}).get(pk, (quantities or {}).get(str(pk), 1)))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(fields={"slot_ids": [_("Give a list of slot ids.")]}) from exc
    if not wanted:
        raise ValidationFailed(fields={"slot_ids": [_("Choose at least one time.")]})
    if any(n < 1 or n > MAX_TICKETS_PER_SESSION for n in wanted.values()):
        raise ValidationFailed(fields={"quantities": [_("Between 1 and 10 places per session.")]})
    return wanted


def _expire_lapsed_holds(slot_ids, now) -> bool:
    """Give back holds whose payment time is up on the slots wanted (the read-time check). True if
    there were any."""
    lapsed = set(
        BookingItem.objects.filter(
            slot_id__in=slot_ids,
            status=BookingItemStatus.HELD,
            order__status=OrderStatus.PENDING_PAYMENT,
            order__expires_at__lte=now,
        ).values_list("order_id", flat=True)
    )
    if lapsed:
        from sportsplatform.orders.domain.expiry import expire_order

        for order_id in sorted(lapsed):
            expire_order(order_id=order_id)
    return bool(lapsed)


def create_booking(
    *, user, slot_ids, quantities: dict | None = None, idempotency_key: str = "", actor=None, now=None
) -> Order:
    """Hold the chosen slots in one order awaiting payment, or raise and hold nothing."""
    now = now or timezone.now()
    idempotency_key = (idempotency_key or "")[:64]
    if idempotency_key:
        existing = Order.objects.filter(user=user, idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    wanted = _parse_request(slot_ids, quantities)
    # The rush's losers end here: no database query at all.
    if any(cache.get_many([_full_key(pk) for pk in wanted])):
        raise SlotTaken(fields={"slot_ids": sorted(wanted)})

    # One query for the slots, their court, venue and the venue's policy row (if any).
    slots = list(
        Slot.objects.select_related("court", "venue", "venue__booking_policy")
        .filter(pk__in=list(wanted))
        .order_by("pk")
    )
    if len(slots) != len(wanted):
        raise SlotUnavailable(fields={"slot_ids": [_("Some of these times do not exist.")]})
    venue = slots[0].venue
    if any(s.venue_id != venue.pk for s in slots):
        raise SlotUnavailable(fields={"slot_ids": [_("Book times of one venue per order.")]})
    policy = policy_for(venue)
    if len(slots) > policy.max_slots_per_order:
        raise LimitExceeded(
            _("At most %(n)d times per order.") % {"n": policy.max_slots_per_order}, fields={"slot_ids": []}
        )
    for slot in slots:
        problem = None
        if not venue.is_published or not slot.court.is_bookable:
            problem = _("%(slot)s is not bookable online.")
        elif slot.status != SlotStatus.OPEN:
            problem = _("%(slot)s is closed.")
        elif slot.release_at > now:
            problem = _("%(slot)s is not open for booking yet.")
        elif slot.start <= now:
            problem = _("%(slot)s has already started.")
        elif slot.capacity == 1 and wanted[slot.pk] != 1:
            problem = _("%(slot)s is booked as a whole.")
        if problem:
            label = f"{slot.court.name} {timezone.localtime(slot.start):%m-%d %H:%M}"
            raise SlotUnavailable(problem % {"slot": label}, fields={"slot_ids": [slot.pk]})

    short = [s for s in slots if s.taken + wanted[s.pk] > s.capacity]
    if short and not _expire_lapsed_holds([s.pk for s in short], now):
        # Full as read and no lapsed hold to give back: refused without a write transaction. (A
        # place freed since the read is the same race as one taken since: the answer is true as of
        # the read.) The database's conditional UPDATE below decides every other case.
        _remember_full(s for s in short if s.taken >= s.capacity)
        raise SlotTaken(fields={"slot_ids": [s.pk for s in short]})

    try:
        with transaction.atomic():
            # The user's row, locked when a per-day limit must be counted (two parallel requests of
            # one user queue here), with their suspension and card in the same query.
            suspended, member = _user_flags(user, now, lock=bool(policy.max_hours_per_day))
            if suspended:
                suspension = active_suspension(user, now)
                until = timezone.localtime(suspension.until)
                raise BookingSuspended(
                    _("You cannot book until %(until)s: %(reason)s")
                    % {"until": f"{until:%Y-%m-%d %H:%M}", "reason": suspension.reason}
                )
            if policy.max_hours_per_day:
                _check_daily_limit(user=user, venue=venue, slots=slots, limit_hours=policy.max_hours_per_day)
            lines = []
            for slot in slots:
                unit = slot.member_price if member else slot.price
                lines.append((slot, wanted[slot.pk], unit, unit * wanted[slot.pk]))
            subtotal = sum((line[3] for line in lines), Decimal("0.00"))
            for slot, quantity, _unit, _amount in lines:
                held = Slot.objects.filter(
                    pk=slot.pk, status=SlotStatus.OPEN, taken__lte=F("capacity") - quantity
                ).update(taken=F("taken") + quantity)
                if not held:
                    raise SlotTaken(fields={"slot_ids": [slot.pk]})
            order = Order.objects.create(
                number=new_order_number(),
                user=user,
                kind=OrderKind.BOOKING,
                venue=venue,
                subtotal=subtotal,
                amount=subtotal,
                expires_at=now + timedelta(minutes=policy.hold_minutes),
                idempotency_key=idempotency_key,
            )
            items = BookingItem.objects.bulk_create(
                [
                    BookingItem(
                        order=order,
                        slot=slot,
                        user=user,
                        quantity=quantity,
                        price=amount,
                        exclusive=slot.capacity == 1,
                        start=slot.start,
                    )
                    for slot, quantity, _unit, amount in lines
                ]
            )
            OrderLine.objects.bulk_create(
                [
                    OrderLine(
                        order=order,
                        kind="booking_item",
                        object_id=item.pk,
                        description=_describe(slot),
                        quantity=quantity,
                        unit_price=unit,
                        amount=amount,
                    )
                    for item, (slot, quantity, unit, amount) in zip(items, lines, strict=True)
                ]
            )
            log_order_event(order=order, action="order.created", actor=actor or user)
            audit.record(action="booking.order.created", actor=actor or user, obj=order, slots=sorted(wanted))
    except SlotTaken as exc:
        failing = set(exc.fields.get("slot_ids", []))
        # Only a whole court is surely full; a session may still have fewer places than were asked.
        _remember_full(s for s in slots if s.pk in failing and s.capacity == 1)
        raise
    except IntegrityError as exc:
        if idempotency_key:
            existing = Order.objects.filter(user=user, idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        raise SlotTaken(fields={"slot_ids": sorted(wanted)}) from exc
    _remember_full(s for s, quantity, *_rest in lines if s.taken + quantity >= s.capacity)
    return order


def _remember_full(slots) -> None:
    hints = {_full_key(s.pk): 1 for s in slots}
    if hints:
        cache.set_many(hints, FULL_HINT_SECONDS)


def _user_flags(user, now, *, lock: bool) -> tuple[bool, bool]:
    """(suspended now, sports card holder) in one query, locking the user's row when asked."""
    # get_user_model(), not type(user): a view's request.user is a lazy wrapper.
    users = get_user_model().objects.filter(pk=user.pk)
    if lock:
        users = users.select_for_update()
    suspended, member = users.annotate(
        suspended=Exists(
            BookingSuspension.objects.filter(user_id=user.pk, starts_at__lte=now, until__gt=now, lifted_at__isnull=True)
        ),
        member=Exists(LedgerAccount.objects.filter(key=f"card:{user.pk}")),
    ).values_list("suspended", "member")[0]
    return bool(suspended), bool(member)


def _describe(slot: Slot) -> str:
    start = timezone.localtime(slot.start)
    end = timezone.localtime(slot.end)
    return f"{slot.venue.name} {slot.court.name} {start:%Y-%m-%d %H:%M}–{end:%H:%M}"


def _check_daily_limit(*, user, venue, slots, limit_hours: int) -> None:
    """Per person per venue per day, counting holds and paid bookings. Runs inside the booking
    transaction after _user_flags locked the user's row, so two parallel requests of one user queue."""
    for day in {s.date for s in slots}:
        new_minutes = sum((s.end - s.start).total_seconds() / 60 for s in slots if s.date == day)
        held = (
            BookingItem.objects.filter(user=user, slot__venue=venue, slot__date=day, status__in=ACTIVE_ITEM_STATUSES)
            .exclude(order__status=OrderStatus.PENDING_PAYMENT, order__expires_at__lte=timezone.now())
            .values_list("slot__start", "slot__end")
        )
        held_minutes = sum((end - start).total_seconds() / 60 for start, end in held)
        if held_minutes + new_minutes > limit_hours * 60:
            raise LimitExceeded(
                _("You can book at most %(hours)d hours a day at this venue.") % {"hours": limit_hours},
                fields={"slot_ids": [s.pk for s in slots if s.date == day]},
            )


def release_order_items(*, order: Order) -> list[int]:
    """Give back every place the order holds (expiry, cancellation, refund). Idempotent."""
    items = list(BookingItem.objects.filter(order=order).exclude(status=BookingItemStatus.RELEASED).order_by("slot_id"))
    for item in items:
        Slot.objects.filter(pk=item.slot_id, taken__gte=item.quantity).update(taken=F("taken") - item.quantity)
    BookingItem.objects.filter(pk__in=[i.pk for i in items]).update(status=BookingItemStatus.RELEASED)
    slot_ids = [i.slot_id for i in items]
    # Now and again after commit: a loser of the rush may set the hint in between.
    forget_full(slot_ids)
    transaction.on_commit(lambda: forget_full(slot_ids))
    return slot_ids


def reacquire_order_items(*, order: Order) -> bool:
    """For a payment that arrived after expiry: take the order's places again if all are free."""
    items = list(BookingItem.objects.filter(order=order, status=BookingItemStatus.RELEASED).order_by("slot_id"))
    if not items:
        return False
    try:
        with transaction.atomic():
            for item in items:
                if item.start <= timezone.now():
                    raise SlotTaken()
                if not Slot.objects.filter(
                    pk=item.slot_id, status=SlotStatus.OPEN, taken__lte=F("capacity") - item.quantity
                ).update(taken=F("taken") + item.quantity):
                    raise SlotTaken()
            BookingItem.objects.filter(pk__in=[i.pk for i in items]).update(status=BookingItemStatus.HELD)
    except (SlotTaken, IntegrityError):
        return False
    return True
