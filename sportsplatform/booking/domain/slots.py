"""Generating the slot grid ahead of time from opening hours, exceptions and price rules.

Slots exist for the booking window plus one day (the daily task keeps it filled); generation is
idempotent (unique court+start), so the task, the seed and a read of a missing day can all call it.
Court slots are `slot_minutes` long and aligned to the opening time; a session court (pool, gym)
gets one slot per interval of the same length with `capacity` places."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from sportsplatform.venues.models import Court, CourtKind, Venue
from sportsplatform.venues.queries import hours_on

from ..models import PriceRule, Slot, SlotStatus
from .policy import policy_for
from .pricing import day_kinds, slot_price

BATCH_SIZE = 2000


def _aware(day: date, moment) -> datetime:
    return timezone.make_aware(datetime.combine(day, moment))


def build_slots(*, venue: Venue, start: date, days: int) -> list[Slot]:
    """The slots `venue` should have from `start` for `days` days (unsaved)."""
    policy = policy_for(venue)
    courts = [c for c in venue.courts.all() if c.is_bookable]
    if not courts:
        return []
    rules = list(PriceRule.objects.filter(venue=venue))
    dates = [start + timedelta(days=i) for i in range(days)]
    kinds = day_kinds(dates)
    length = timedelta(minutes=policy.slot_minutes)
    slots = []
    for day in dates:
        hours = hours_on(venue, day)
        release_at = _aware(day - timedelta(days=policy.window_days), policy.release_time)
        for opens, closes in hours.intervals:
            begin = _aware(day, opens)
            finish = _aware(day, closes)
            while begin + length <= finish:
                end = begin + length
                for court in courts:
                    price, member_price = slot_price(
                        court=court, start=timezone.localtime(begin), end=end, kind=kinds[day], rules=rules
                    )
                    slots.append(
                        Slot(
                            court=court,
                            venue=venue,
                            date=day,
                            start=begin,
                            end=end,
                            price=price,
                            member_price=member_price,
                            capacity=court.capacity if court.kind == CourtKind.SESSION else 1,
                            release_at=release_at,
                            status=SlotStatus.OPEN,
                        )
                    )
                begin = end
    return slots


def generate_slots(*, venue: Venue, start: date, days: int) -> int:
    """Create the missing slots of `venue` for `days` days from `start`. Returns how many."""
    slots = build_slots(venue=venue, start=start, days=days)
    if not slots:
        return 0
    existing = set(
        Slot.objects.filter(venue=venue, date__gte=start, date__lt=start + timedelta(days=days)).values_list(
            "court_id", "start"
        )
    )
    missing = [s for s in slots if (s.court_id, s.start) not in existing]
    with transaction.atomic():
        for i in range(0, len(missing), BATCH_SIZE):
            Slot.objects.bulk_create(missing[i : i + BATCH_SIZE], ignore_conflicts=True)
    return len(missing)


def ensure_window(*, venue: Venue, today: date | None = None) -> int:
    """Slots for the venue's whole booking window (today … today + window_days)."""
    today = today or timezone.localdate()
    return generate_slots(venue=venue, start=today, days=policy_for(venue).window_days + 1)


def bookable_venues():
    return (
        Venue.objects.filter(is_published=True, courts__is_bookable=True)
        .distinct()
        .prefetch_related("opening_hours", "opening_exceptions", "courts")
        .select_related("booking_policy")
    )


def generate_all(*, today: date | None = None) -> int:
    """The daily task: fill every bookable venue's window."""
    total = 0
    for venue in bookable_venues().iterator(chunk_size=200):
        total += ensure_window(venue=venue, today=today)
    return total


def court_is_session(court: Court) -> bool:
    return court.kind == CourtKind.SESSION
