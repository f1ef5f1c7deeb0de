"""People inside a venue now, and how full that is.

The counters live in VenueOccupancy (one row per venue) and are written by telemetry.domain.ingest
as events arrive: entries and exits of the venue's current local day, current = max(0, entries −
exits). Totals are sums, so the order events arrive in never changes them; a row whose `day` is
not today reads as an empty venue (the daily reset needs no job)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone

from ..models import OccupancyLevel, VenueOccupancy


def occupancy_level(current: int, capacity: int | None) -> OccupancyLevel | None:
    """comfortable below TELEMETRY_BUSY_FROM of capacity (70 %), busy from there, full from
    TELEMETRY_FULL_FROM (100 %). None when the venue has no capacity on record."""
    if not capacity:
        return None
    share = current / capacity
    if share >= settings.TELEMETRY_FULL_FROM:
        return OccupancyLevel.FULL
    if share >= settings.TELEMETRY_BUSY_FROM:
        return OccupancyLevel.BUSY
    return OccupancyLevel.COMFORTABLE


@dataclass(frozen=True)
class OccupancyReading:
    venue_id: int
    current: int
    capacity: int | None
    today_in: int
    today_out: int
    updated_at: datetime | None

    @property
    def level(self) -> OccupancyLevel | None:
        return occupancy_level(self.current, self.capacity)

    def as_dict(self) -> dict:
        level = self.level
        return {
            "venue": self.venue_id,
            "current": self.current,
            "capacity": self.capacity,
            "today_in": self.today_in,
            "today_out": self.today_out,
            "updated_at": timezone.localtime(self.updated_at).isoformat() if self.updated_at else None,
            "level": level.value if level else None,
            "level_label": str(level.label) if level else "",
        }


def reading_from_row(
    *, venue_id: int, capacity: int | None, row: VenueOccupancy | None, today: date | None = None
) -> OccupancyReading:
    """The reading of one venue from its (possibly missing or stale) occupancy row."""
    today = today or timezone.localdate()
    if row is None or row.day != today:
        return OccupancyReading(venue_id, 0, capacity, 0, 0, row.updated_at if row else None)
    return OccupancyReading(venue_id, row.current, capacity, row.today_in, row.today_out, row.updated_at)


def readings_for(venues) -> dict[int, OccupancyReading]:
    """Readings for an iterable of venues (objects with id and capacity): one query."""
    venues = list(venues)
    rows = {row.venue_id: row for row in VenueOccupancy.objects.filter(venue_id__in=[v.id for v in venues])}
    today = timezone.localdate()
    return {v.id: reading_from_row(venue_id=v.id, capacity=v.capacity, row=rows.get(v.id), today=today) for v in venues}


def reading_for(venue) -> OccupancyReading:
    return readings_for([venue])[venue.id]
