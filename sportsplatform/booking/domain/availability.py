"""The booking grid of a venue for one day (the availability API and the booking page)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Sum
from django.utils import timezone

from sportsplatform.orders.models import OrderStatus
from sportsplatform.venues.models import Venue

from ..models import BookingItem, BookingItemStatus, Slot, SlotStatus
from .holds import is_member
from .policy import policy_for
from .slots import generate_slots


@dataclass(frozen=True)
class SlotView:
    id: int
    start: datetime
    end: datetime
    price: object
    status: str  # free, taken, closed
    capacity: int
    available: int
    reason: str = ""  # closed because: not_released, started, closed (with the operator's reason)


@dataclass(frozen=True)
class CourtView:
    id: int
    name: str
    kind: str
    sport: str
    slots: list[SlotView]


@dataclass(frozen=True)
class DayView:
    date: date
    courts: list[CourtView]
    bookable_from: datetime | None  # when this day opens for booking
    last_day: date  # the last day of the window today
    member_prices: bool


def venue_availability(*, venue: Venue, day: date, user=None, now: datetime | None = None) -> DayView:
    now = now or timezone.now()
    policy = policy_for(venue)
    today = timezone.localdate(now)
    last_day = today + timedelta(days=policy.window_days)
    if today <= day <= last_day and not Slot.objects.filter(venue=venue, date=day).exists():
        generate_slots(venue=venue, start=day, days=1)
    slots = list(
        Slot.objects.filter(venue=venue, date=day, court__is_bookable=True)
        .select_related("court__sport")
        .order_by("court__order", "court_id", "start")
    )
    # Holds whose payment time is up count as free here (the booking call gives them back).
    lapsed = defaultdict(int)
    for row in (
        BookingItem.objects.filter(
            slot__in=[s.pk for s in slots],
            status=BookingItemStatus.HELD,
            order__status=OrderStatus.PENDING_PAYMENT,
            order__expires_at__lte=now,
        )
        .values("slot_id")
        .annotate(n=Sum("quantity"))
    ):
        lapsed[row["slot_id"]] = row["n"]
    member = bool(user and user.is_authenticated and is_member(user))
    courts: dict[int, CourtView] = {}
    for slot in slots:
        court = slot.court
        if court.pk not in courts:
            courts[court.pk] = CourtView(court.pk, court.name, court.kind, court.sport.name, [])
        available = slot.capacity - slot.taken + lapsed.get(slot.pk, 0)
        if slot.status == SlotStatus.CLOSED:
            status, reason = "closed", slot.closed_reason or "closed"
        elif slot.start <= now:
            status, reason = "closed", "started"
        elif slot.release_at > now:
            status, reason = "closed", "not_released"
        elif available <= 0:
            status, reason = "taken", ""
        else:
            status, reason = "free", ""
        courts[court.pk].slots.append(
            SlotView(
                id=slot.pk,
                start=slot.start,
                end=slot.end,
                price=slot.member_price if member else slot.price,
                status=status,
                capacity=slot.capacity,
                available=max(available, 0),
                reason=reason,
            )
        )
    release = timezone.make_aware(datetime.combine(day - timedelta(days=policy.window_days), policy.release_time))
    return DayView(
        date=day, courts=list(courts.values()), bookable_from=release, last_day=last_day, member_prices=member
    )
