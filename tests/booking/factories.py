"""Booking test data: a venue with courts and a fixed slot grid, all bookable now."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from sportsplatform.booking.models import Slot
from tests.venues.factories import make_court, make_venue


def make_slot(
    court, *, start=None, hours_from_now: float = 48, minutes: int = 60, capacity: int = 1, price="40.00", **extra
) -> Slot:
    start = start or (timezone.now() + timedelta(hours=hours_from_now)).replace(minute=0, second=0, microsecond=0)
    # update_or_create: in transactional tests the court's save has already generated the grid.
    slot, _created = Slot.objects.update_or_create(
        court=court,
        start=start,
        defaults={
            "venue": court.venue,
            "date": timezone.localdate(start),
            "end": start + timedelta(minutes=minutes),
            "price": Decimal(price),
            "member_price": Decimal(price),
            "capacity": capacity,
            "taken": 0,
            "release_at": extra.pop("release_at", timezone.now() - timedelta(days=1)),
            **extra,
        },
    )
    return slot


def make_bookable_venue(*, courts: int = 2, slots_per_court: int = 3, days_ahead: int = 2, **venue_kwargs):
    """A venue with `courts` courts and consecutive one-hour slots from 10:00 local, `days_ahead` days on
    (all on one local date, whatever time the test runs)."""
    venue = make_venue(**venue_kwargs)
    day = timezone.localdate() + timedelta(days=days_ahead)
    first = timezone.make_aware(datetime.combine(day, time(10, 0)))
    slots = []
    for c in range(courts):
        court = make_court(venue, name=f"{c + 1}号场")
        for i in range(slots_per_court):
            slots.append(make_slot(court, start=first + timedelta(hours=i)))
    return venue, slots
