"""Facility test data without surprises: every field a test does not name has a plain value."""

from decimal import Decimal

from sportsplatform.facilities.models import Equipment, Facility, FacilityKind

_counter = {"n": 0}


def make_facility(
    *,
    name: str | None = None,
    kind: str = FacilityKind.FITNESS_PATH,
    region: str = "510107",
    lat: str | float = "30.640000",
    lng: str | float = "104.040000",
    path: list[list[float]] | None = None,
    **extra,
) -> Facility:
    """A published facility; a trail needs `path` ([[lng, lat], ...]) and gets `trail_kind` walking."""
    _counter["n"] += 1
    if kind == FacilityKind.TRAIL:
        extra.setdefault("trail_kind", "walking")
    return Facility.objects.create(
        name=name or f"测试健身点{_counter['n']}",
        kind=kind,
        region_id=region,
        address=extra.pop("address", "人民南路四段2号"),
        lat=Decimal(str(lat)),
        lng=Decimal(str(lng)),
        path=path,
        **extra,
    )


def make_trail(*, path: list[list[float]] | None = None, **extra) -> Facility:
    """A trail starting at its path's first point (default: about 1.1 km due north)."""
    path = path or [[104.04, 30.64], [104.04, 30.645], [104.04, 30.65]]
    lng, lat = path[0]
    return make_facility(kind=FacilityKind.TRAIL, path=path, lat=lat, lng=lng, **extra)


def make_equipment(facility: Facility, *, kind: str = "太空漫步机", count: int = 1, **extra) -> Equipment:
    return Equipment.objects.create(facility=facility, kind=kind, count=count, **extra)
