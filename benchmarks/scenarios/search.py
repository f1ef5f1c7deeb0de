"""Venue search and the whole-province map at provincial scale: 10,000 venues and 20,000 fitness
facilities (the demo generator scaled up, no photos), then the venue search API with mixed filters
(sport + county, words, city + type, near me, bookable in the province, later pages) and the
whole-province `/api/v1/map/features` with its type variants, anonymous.

Targets (issue 8): search p95 < 50 ms, map p95 < 100 ms, at the default 4 requests in flight on
`make serve`'s 2 workers. The map requests are one in eight, about what a map page adds to lists."""

from __future__ import annotations

from datetime import date

from benchmarks.loadgen import Request, latency_figures

NAME = "search"
DESCRIPTION = "venue search API (mixed filters) and whole-province map features, 10k venues + 20k facilities"
DEFAULTS = {"requests": 4000, "concurrency": 4, "duration": 120}

VENUES = {"public": 2_200, "private": 7_800}
FACILITIES = {"sports_park": 1_500, "fitness_centre": 2_000, "fitness_path": 15_000, "trail": 1_500}
# A fixed day: the data (holiday exceptions) is the same whenever the benchmark runs.
DATA_DAY = date(2026, 11, 21)
PROVINCE_BBOX = "97.3,26.0,108.6,34.4"

SEARCHES = [
    ("search sport+county", "/api/v1/venues?sport=badminton&region=510107"),
    ("search q=体育", "/api/v1/venues?q=体育"),
    ("search q=羽毛球 page 2", "/api/v1/venues?q=羽毛球&page=2"),
    ("search city+type", "/api/v1/venues?region=510100&type=gymnasium"),
    ("search near", "/api/v1/venues?near=30.65,104.06"),
    ("search near+radius+sport", "/api/v1/venues?near=30.65,104.06&radius=5000&sport=basketball"),
    ("search bookable province", "/api/v1/venues?bookable=true&region=510000"),
    ("search list page 3", "/api/v1/venues?page=3"),
    ("search city+sport+ownership", "/api/v1/venues?region=510700&sport=fitness&ownership=private"),
    ("search open_now city", "/api/v1/venues?open_now=true&region=510100"),
    ("search q=武侯 swimming", "/api/v1/venues?q=武侯&sport=swimming"),
    ("search region 500000 page 2", "/api/v1/venues?region=500000&page=2"),
    ("search Chongqing near", "/api/v1/venues?near=29.56,106.55&type=gym"),
    ("search q+region", "/api/v1/venues?q=健身&region=510100"),
]
MAPS = [
    ("map province all", f"/api/v1/map/features?bbox={PROVINCE_BBOX}"),
    ("map province venues", f"/api/v1/map/features?bbox={PROVINCE_BBOX}&types=venues"),
    ("map province parks+trails", f"/api/v1/map/features?bbox={PROVINCE_BBOX}&types=sports_park,trail"),
    ("map province gyms+pools", f"/api/v1/map/features?bbox={PROVINCE_BBOX}&types=gym,natatorium"),
]


def prepare(database_url: str) -> dict:
    """Load the venues and facilities with the demo generator (bulk inserts, no photos)."""
    from sportsplatform.facilities.demo import generate_facilities, load_facilities
    from sportsplatform.venues.demo import generate_venues, load_venues
    from sportsplatform.venues.demo_data.places import demo_regions

    regions = demo_regions()
    if not regions:
        raise SystemExit("no county divisions after migrate: the regions data migration did not run")
    venues = generate_venues(regions=regions, today=DATA_DAY, **VENUES)
    loaded = load_venues(venues, photos=False, batch_size=1000)
    facilities = generate_facilities(regions=regions, counts=FACILITIES, today=DATA_DAY)
    loaded_facilities = load_facilities(facilities, batch_size=1000)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give a live database
    return {
        "venues": loaded.venues,
        "courts": loaded.courts,
        "facilities": loaded_facilities.facilities,
        "equipment": loaded_facilities.equipment,
    }


def requests(prepared=None) -> list[Request]:
    # Seven searches to each map request: two rounds of the searches per round of the maps.
    out = []
    maps = iter(MAPS * 2)
    for n, (label, path) in enumerate(SEARCHES * 2, start=1):
        out.append(Request(path, label=label))
        if n % 7 == 0:
            label, path = next(maps)
            out.append(Request(path, label=label))
    return out


def warmup(prepared=None) -> list[Request]:
    return requests(prepared) * 2


def figures(result, prepared) -> dict:
    search = [s.latency_ms for s in result.samples if s.label.startswith("search ")]
    maps = [s.latency_ms for s in result.samples if s.label.startswith("map ")]
    search_figures, map_figures = latency_figures(search), latency_figures(maps)
    return {
        "data": prepared,
        "search_p50_ms": search_figures["p50_ms"],
        "search_p95_ms": search_figures["p95_ms"],
        "map_p50_ms": map_figures["p50_ms"],
        "map_p95_ms": map_figures["p95_ms"],
        "search_requests": len(search),
        "map_requests": len(maps),
        "requests": len(result.samples),
    }
