"""The boundary files the screen's map draws (data/boundaries/, built by scripts/build_boundaries.py):
510000.json holds Sichuan's prefectures, <prefecture code>.json the counties of one prefecture.

Each file is served under a name that carries a hash of its content, so browsers and proxies may
keep it for a year and a regenerated file gets a new URL."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.urls import reverse

BOUNDARY_DIR = Path(__file__).resolve().parent.parent / "data" / "boundaries"
PROVINCE_FILE = "510000"


@cache
def _versions() -> dict[str, str]:
    out = {}
    for path in sorted(BOUNDARY_DIR.glob("[0-9]*.json")):
        out[path.stem] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return out


def boundary_codes() -> list[str]:
    return sorted(_versions())


def boundary_version(code: str) -> str | None:
    return _versions().get(code)


def boundary_path(code: str) -> Path | None:
    return BOUNDARY_DIR / f"{code}.json" if code in _versions() else None


def boundary_url(code: str) -> str | None:
    version = boundary_version(code)
    if version is None:
        return None
    return reverse("screen:boundary", kwargs={"code": code, "version": version})


def map_file_for(region_code: str, level: str) -> str:
    """Which file draws the map of a region: the province's prefectures, a prefecture's counties,
    or, for a county, its prefecture's counties (the page shows only the county itself)."""
    if level == "province":
        return PROVINCE_FILE
    return region_code[:4] + "00"
