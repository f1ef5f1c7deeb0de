"""Venue test data without surprises: every field a test does not name has a plain value."""

from datetime import time
from decimal import Decimal

from sportsplatform.venues.models import Court, OpeningHours, Ownership, Sport, Venue, VenueType

_counter = {"n": 0}


def make_venue(
    *,
    name: str | None = None,
    region: str = "510107",
    type: str = VenueType.GYMNASIUM,
    ownership: str = Ownership.PUBLIC,
    lat: str | float = "30.640000",
    lng: str | float = "104.040000",
    sports: tuple[str, ...] = (),
    hours: dict[int, list[tuple[str, str]]] | None = None,
    operator=None,
    **extra,
) -> Venue:
    """`hours` maps weekday (0 = Monday) to intervals; default: every day 08:00–22:00."""
    _counter["n"] += 1
    venue = Venue.objects.create(
        name=name or f"测试体育馆{_counter['n']}",
        type=type,
        ownership=ownership,
        region_id=region,
        address=extra.pop("address", "人民南路四段1号"),
        lat=Decimal(str(lat)),
        lng=Decimal(str(lng)),
        operator=operator,
        **extra,
    )
    if sports:
        venue.sports.set(Sport.objects.filter(code__in=sports))
        venue.refresh_search_text()
    if hours is None:
        hours = {d: [("08:00", "22:00")] for d in range(7)}
    OpeningHours.objects.bulk_create(
        OpeningHours(venue=venue, weekday=d, opens=time.fromisoformat(o), closes=time.fromisoformat(c))
        for d, intervals in hours.items()
        for o, c in intervals
    )
    return venue


def make_court(venue: Venue, *, name: str = "1号场", sport: str = "badminton", price: str = "40.00", **extra) -> Court:
    return Court.objects.create(
        venue=venue, name=name, sport=Sport.objects.get(code=sport), price_per_hour=Decimal(price), **extra
    )
