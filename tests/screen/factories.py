"""Data for the screen's tests, without surprises: gate counts (today's occupancy, rollups) and
paid booking orders with exactly the figures a test names.

Occupancy and rollups are what telemetry.domain writes as gate events arrive; orders are what the
booking flow leaves behind once paid (and refunded). The tests assert the screen's arithmetic over
them, so they are created as rows here, with the values spelled out."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from sportsplatform.orders.domain.numbers import new_order_number
from sportsplatform.orders.models import Order, OrderKind, OrderStatus, PaymentMethod
from sportsplatform.telemetry.models import Granularity, TrafficRollup, VenueOccupancy

_counter = {"n": 0}


def local(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def make_occupancy(venue, *, today_in: int, today_out: int = 0, day: date | None = None) -> VenueOccupancy:
    day = day or timezone.localdate()
    return VenueOccupancy.objects.create(
        venue=venue,
        day=day,
        today_in=today_in,
        today_out=today_out,
        current=max(0, today_in - today_out),
        updated_at=timezone.now(),
    )


def make_rollup(venue, *, day: date, entries: int, exits: int = 0, hour: int | None = None) -> TrafficRollup:
    """A day bucket, or with `hour` an hour bucket."""
    granularity = Granularity.DAY if hour is None else Granularity.HOUR
    return TrafficRollup.objects.create(
        venue=venue,
        granularity=granularity,
        bucket_start=local(day, hour or 0),
        entries=entries,
        exits=exits,
        peak_occupancy=max(0, entries - exits),
    )


def make_booking(
    venue,
    *,
    user,
    amount: str,
    paid_at: datetime | None,
    status: str = OrderStatus.PAID,
    refunded: str = "0.00",
    kind: str = OrderKind.BOOKING,
) -> Order:
    _counter["n"] += 1
    value = Decimal(amount)
    return Order.objects.create(
        number=new_order_number(prefix=f"T{_counter['n']:04d}"),
        user=user,
        kind=kind,
        venue=venue,
        status=status,
        subtotal=value,
        amount=value,
        refunded_amount=Decimal(refunded),
        payment_method=PaymentMethod.SANDBOX if paid_at else "",
        paid_at=paid_at,
    )


# --- a year of history, for the latency measurement and the demo screenshots -------------------

# Share of a day's entries per opening hour (06:00–21:00), a weekday evening peak.
HOUR_SHAPE = {
    6: 2, 7: 4, 8: 5, 9: 6, 10: 6, 11: 5, 12: 4, 13: 4, 14: 5, 15: 6, 16: 7, 17: 9, 18: 11, 19: 12, 20: 9, 21: 5,
}  # fmt: skip


def history_rows(
    venue_sizes: dict[int, int], *, today: date, days: int, hourly: bool = True, rng: random.Random
) -> Iterator[tuple[int, str, datetime, int, int, int]]:
    """(venue_id, granularity, bucket_start, entries, exits, peak) for `days` days up to and including
    `today`: one day bucket per venue and day, and with `hourly` its hour buckets. `venue_sizes`
    maps a venue to its typical daily entries; weekends are busier."""
    shape_total = sum(HOUR_SHAPE.values())
    for offset in range(days - 1, -1, -1):
        day = today - timedelta(days=offset)
        weekend = 1.35 if day.weekday() >= 5 else 1.0
        season = 1.0 + 0.15 * ((day.timetuple().tm_yday % 120) / 120)
        for venue_id, size in venue_sizes.items():
            total = int(size * weekend * season * rng.uniform(0.8, 1.2))
            if hourly:
                left, inside, peak, hours = total, 0, 0, []
                for hour, share in HOUR_SHAPE.items():
                    entries = total * share // shape_total if hour != 21 else left
                    left -= entries
                    exits = min(inside + entries, int(entries * rng.uniform(0.8, 1.1)))
                    inside = inside + entries - exits
                    peak = max(peak, inside)
                    hours.append((hour, entries, exits, inside))
                for hour, entries, exits, inside_then in hours:
                    yield venue_id, Granularity.HOUR, local(day, hour), entries, exits, inside_then
                yield venue_id, Granularity.DAY, local(day), total, total, peak
            else:
                yield venue_id, Granularity.DAY, local(day), total, total, total // 6
