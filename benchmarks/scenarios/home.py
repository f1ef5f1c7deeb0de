"""The public home page and the venue-free API reads every client makes first: the region
pickers (top level, Sichuan's prefectures, Chengdu's districts). Anonymous, read-only, cacheable:
the baseline the booking rush and ingest scenarios are compared with."""

from __future__ import annotations

from benchmarks.loadgen import Request

NAME = "home"
DESCRIPTION = "public home page and region API reads (anonymous)"
DEFAULTS = {"requests": 4000, "concurrency": 16, "duration": 60}

ENDPOINTS = [
    ("home page /", "/"),
    ("regions (top)", "/api/v1/regions"),
    ("regions ?parent=510000", "/api/v1/regions?parent=510000"),
    ("regions ?parent=510100", "/api/v1/regions?parent=510100"),
]


def prepare(database_url: str) -> dict:
    """The divisions arrive with `migrate` (regions data migration); check they are there."""
    from sportsplatform.regions.models import Region

    sichuan = Region.objects.filter(parent_id="510000").count()
    chengdu = Region.objects.filter(parent_id="510100").count()
    if not (sichuan and chengdu):
        raise SystemExit("no divisions after migrate: the regions data migration did not run")
    return {"regions": Region.objects.count(), "sichuan_children": sichuan, "chengdu_children": chengdu}


def requests(prepared=None) -> list[Request]:
    return [Request(path, label=label) for label, path in ENDPOINTS]


def warmup(prepared=None) -> list[Request]:
    # Each gunicorn worker imports and compiles templates lazily on its first requests.
    return requests(prepared) * 8


def figures(result, prepared) -> dict:
    return {"data": prepared}
