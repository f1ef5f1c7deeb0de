"""The figures of the data screen for one region: what `GET /api/v1/dashboard/summary` returns and
what /screen/ draws. One function, `region_summary`, used by both.

What is counted (docs/screen.md says the same for the officials):
- venues: published venues of the register inside the region (public / private, open now by their
  opening hours and dated exceptions — venues.queries.open_now_q);
- facilities: published fitness facilities; fitness equipment: the pieces (Equipment.count) of
  their inventories that are not removed;
- visitors today: entries counted by the venues' gates today (telemetry VenueOccupancy of today's
  local date); "inside": people in the venues now;
- bookings today: venue booking orders paid today (local day) that are still paid or used;
  revenue today: what was paid today for venue bookings minus what has been refunded of it
  (Order.amount − Order.refunded_amount over every booking paid today, so a cancellation fee
  that was kept counts and a full refund counts 0);
- trend: the last 30 days, today included: entries per day from the daily rollups (TrafficRollup,
  granularity "1d"; today's point is the visitors-today figure), bookings and revenue by the local
  day of payment, counted as above;
- sports area per person: the published venues' site area divided by the 2020 census population
  (data/population_2020.json) — only the venues on the platform, so it approximates, and runs
  below, the official statistic (人均体育场地面积) which counts every sports ground;
- events this month, instructors: only when the app that records them is installed
  (domain/extra_figures.py).

Cost. Every figure is one aggregate query (GROUP BY county code or day, never a loop over venues),
and the figures are kept in the cache per region in four parts that change at different speeds:
- live (visitors, busiest venues, today's hours): LIVE_SECONDS;
- sales (bookings and revenue today, which the live stream does not announce): SALES_SECONDS;
- register (venue and facility counts, open now, equipment, area, extra figures): REGISTER_SECONDS;
- history (the trend's days before today, which only late events still change): HISTORY_SECONDS.
Texts (type and level labels) are added when the answer is assembled, so one cached part serves
every language. A wall of screens polling every few seconds costs a few cache reads per request and
one live computation per region every LIVE_SECONDS."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from sportsplatform.facilities.models import Equipment, EquipmentCondition, Facility
from sportsplatform.orders.models import Order, OrderKind, OrderStatus
from sportsplatform.regions.models import Region, RegionLevel
from sportsplatform.telemetry.domain.occupancy import occupancy_level
from sportsplatform.telemetry.models import Granularity, TrafficRollup, VenueOccupancy
from sportsplatform.venues.models import Ownership, Venue, VenueType
from sportsplatform.venues.queries import open_now_q

from .boundaries import boundary_url, map_file_for
from .extra_figures import active_figures
from .population import population_by_code, population_source

LIVE_SECONDS = getattr(settings, "SCREEN_LIVE_CACHE_SECONDS", 2)
SALES_SECONDS = getattr(settings, "SCREEN_SALES_CACHE_SECONDS", 10)
REGISTER_SECONDS = getattr(settings, "SCREEN_REGISTER_CACHE_SECONDS", 60)
HISTORY_SECONDS = getattr(settings, "SCREEN_HISTORY_CACHE_SECONDS", 600)
SUMMARY_CACHE_SECONDS = LIVE_SECONDS  # how stale the live figures may be
TREND_DAYS = 30
BUSIEST_LIMIT = 10
CACHE_PREFIX = "screen:v3:"

MONEY = DecimalField(max_digits=14, decimal_places=2)
CENT = Decimal("0.01")
ZERO = Decimal("0")
KEPT = ExpressionWrapper(F("amount") - F("refunded_amount"), output_field=MONEY)
STILL_BOOKED = Q(status__in=[OrderStatus.PAID, OrderStatus.USED])
COUNTED_PER_CHILD = (
    "venues", "public", "private", "open_now", "facilities", "fitness_equipment", "visitors_today", "inside",
    "bookings_today",
)  # fmt: skip


@dataclass(frozen=True)
class RegionPlan:
    """The region, every division code inside it (what venues are filed under), the divisions its
    map shows (code, name, level) and the child each inside code counts towards."""

    region: dict
    codes: tuple[str, ...]
    children: tuple[dict, ...]
    child_of: dict[str, str]


def plan_region(region: Region, *, today: date | None = None) -> RegionPlan:
    today = today or timezone.localdate()
    rows = list(Region.objects.within(region.code).order_by("code"))
    codes = tuple(r.code for r in rows)

    def current(r: Region) -> bool:
        return r.valid_to is None or r.valid_to > today

    if region.level == RegionLevel.PROVINCE:
        children = [r for r in rows if r.level == RegionLevel.PREFECTURE and current(r)]
        child_codes = {r.code for r in children}
        child_of = {c: c[:4] + "00" for c in codes if c[:4] + "00" in child_codes}
    elif region.level == RegionLevel.PREFECTURE:
        children = [r for r in rows if r.level == RegionLevel.COUNTY and r.parent_id == region.code and current(r)]
        child_codes = {r.code for r in children}
        successor = {r.code: r.successor_id for r in rows}
        child_of = {}
        for code in codes:
            target, hops = code, 0
            # An abolished county's venues count towards the division that took it over.
            while target and target not in child_codes and hops < 5:
                target, hops = successor.get(target), hops + 1
            if target in child_codes:
                child_of[code] = target
    else:
        children, child_of = [], {}
    return RegionPlan(
        region=_region_ref(region),
        codes=codes,
        children=tuple(_region_ref(r) for r in children),
        child_of=child_of,
    )


def _region_ref(region: Region) -> dict:
    return {"code": region.code, "name": region.name, "level": region.level}


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _money(value) -> str:
    return str((value or ZERO).quantize(CENT))


def _ratio(area: float, population: int | None) -> float | None:
    return round(area / population, 4) if population else None


def _add(target: dict, child: str | None, **values) -> None:
    if child:
        figures = target.setdefault(child, {})
        for key, value in values.items():
            figures[key] = figures.get(key, 0) + value


# --- the four parts -----------------------------------------------------------------------------


def register_figures(plan: RegionPlan, *, now: datetime) -> dict:
    """Venues by ownership and type, open now, facilities, equipment, site area, extra figures."""
    codes = plan.codes
    venues = Venue.objects.filter(is_published=True, region_id__in=codes)
    per_child: dict[str, dict] = {}
    by_type: dict[str, int] = defaultdict(int)
    totals = {"total": 0, "public": 0, "private": 0, "open_now": 0}
    area = 0.0
    for row in venues.values("region_id", "ownership", "type").annotate(n=Count("id"), area=Sum("site_area")):
        n, site = row["n"], float(row["area"] or 0)
        ownership = "public" if row["ownership"] == Ownership.PUBLIC else "private"
        totals["total"] += n
        totals[ownership] += n
        by_type[row["type"]] += n
        area += site
        _add(per_child, plan.child_of.get(row["region_id"]), venues=n, **{ownership: n}, site_area=site)
    for row in venues.filter(open_now_q(now)).values("region_id").annotate(n=Count("id")):
        totals["open_now"] += row["n"]
        _add(per_child, plan.child_of.get(row["region_id"]), open_now=row["n"])
    facilities = 0
    for row in (
        Facility.objects.filter(is_published=True, region_id__in=codes).values("region_id").annotate(n=Count("id"))
    ):
        facilities += row["n"]
        _add(per_child, plan.child_of.get(row["region_id"]), facilities=row["n"])
    equipment = 0
    for row in (
        Equipment.objects.filter(facility__is_published=True, facility__region_id__in=codes)
        .exclude(condition=EquipmentCondition.REMOVED)
        .values("facility__region_id")
        .annotate(n=Sum("count"))
    ):
        equipment += row["n"] or 0
        _add(per_child, plan.child_of.get(row["facility__region_id"]), fitness_equipment=row["n"] or 0)
    extra = {f.key: int(f.compute(region_codes=list(codes), today=now.date())) for f in active_figures()}
    return {
        "venues": totals,
        "by_type": dict(by_type),
        "facilities": facilities,
        "fitness_equipment": equipment,
        "site_area": area,
        "extra": extra,
        "per_child": per_child,
    }


def history_figures(plan: RegionPlan, *, now: datetime) -> dict:
    """Entries, bookings and revenue per day for the trend's days before today."""
    codes = plan.codes
    today = now.date()
    first, end = _day_start(today - timedelta(days=TREND_DAYS - 1)), _day_start(today)
    entries: dict[str, int] = defaultdict(int)
    for row in (
        TrafficRollup.objects.filter(
            granularity=Granularity.DAY,
            bucket_start__gte=first,
            bucket_start__lt=end,
            venue__is_published=True,
            venue__region_id__in=codes,
        )
        .values("bucket_start")
        .annotate(entries=Sum("entries"))
    ):
        entries[timezone.localtime(row["bucket_start"]).date().isoformat()] += row["entries"] or 0
    orders: dict[str, tuple[int, Decimal]] = {}
    for row in (
        _booking_orders(codes)
        .filter(paid_at__gte=first, paid_at__lt=end)
        .annotate(day=TruncDate("paid_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("id", filter=STILL_BOOKED), kept=Sum(KEPT))
    ):
        orders[row["day"].isoformat()] = (row["n"], row["kept"] or ZERO)
    return {"entries": dict(entries), "orders": orders}


def live_figures(plan: RegionPlan, *, now: datetime) -> dict:
    """Visitors today and inside now, the busiest venues, today's hours."""
    codes = plan.codes
    today = now.date()
    start, end = _day_start(today), _day_start(today + timedelta(days=1))
    per_child: dict[str, dict] = {}
    occupancy = VenueOccupancy.objects.filter(day=today, venue__is_published=True, venue__region_id__in=codes)
    visitors = {"today": 0, "inside": 0, "updated_at": None}
    for row in occupancy.values("venue__region_id").annotate(
        entries=Sum("today_in"), inside=Sum("current"), updated=Max("updated_at")
    ):
        visitors["today"] += row["entries"] or 0
        visitors["inside"] += row["inside"] or 0
        if row["updated"] and (visitors["updated_at"] is None or row["updated"] > visitors["updated_at"]):
            visitors["updated_at"] = row["updated"]
        _add(
            per_child,
            plan.child_of.get(row["venue__region_id"]),
            visitors_today=row["entries"] or 0,
            inside=row["inside"] or 0,
        )
    busiest = list(
        occupancy.filter(today_in__gt=0)
        .order_by("-today_in", "venue_id")
        .values(
            "venue_id", "venue__name", "venue__type", "venue__region_id", "venue__region__name", "venue__capacity",
            "venue__lat", "venue__lng", "today_in", "current",
        )[:BUSIEST_LIMIT]
    )  # fmt: skip
    hours: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in (
        TrafficRollup.objects.filter(
            granularity=Granularity.HOUR,
            bucket_start__gte=start,
            bucket_start__lt=end,
            venue__is_published=True,
            venue__region_id__in=codes,
        )
        .values("bucket_start")
        .annotate(entries=Sum("entries"), exits=Sum("exits"))
    ):
        hour = hours[timezone.localtime(row["bucket_start"]).hour]
        hour[0] += row["entries"] or 0
        hour[1] += row["exits"] or 0
    return {
        "at": now,
        "visitors": visitors,
        "busiest": busiest,
        "hours": dict(hours),
        "per_child": per_child,
    }


def sales_figures(plan: RegionPlan, *, now: datetime) -> dict:
    """Venue bookings paid today still paid or used, and the revenue kept from today's payments."""
    today = now.date()
    start, end = _day_start(today), _day_start(today + timedelta(days=1))
    per_child: dict[str, dict] = {}
    bookings = {"today": 0, "revenue": ZERO}
    for row in (
        _booking_orders(plan.codes)
        .filter(paid_at__gte=start, paid_at__lt=end)
        .values("venue__region_id")
        .annotate(n=Count("id", filter=STILL_BOOKED), kept=Sum(KEPT))
    ):
        kept = row["kept"] or ZERO
        bookings["today"] += row["n"]
        bookings["revenue"] += kept
        _add(per_child, plan.child_of.get(row["venue__region_id"]), bookings_today=row["n"], revenue_today=kept)
    return {"bookings": bookings, "per_child": per_child}


def _booking_orders(codes):
    return Order.objects.filter(
        kind=OrderKind.BOOKING, venue__is_published=True, venue__region_id__in=codes, paid_at__isnull=False
    )


# --- assembling the answer ---------------------------------------------------------------------


# Each cached part: the function computing it and how long it is kept.
PARTS = {
    "register": (register_figures, REGISTER_SECONDS),
    "history": (history_figures, HISTORY_SECONDS),
    "live": (live_figures, LIVE_SECONDS),
    "sales": (sales_figures, SALES_SECONDS),
}


def region_summary(*, region: Region, at: datetime | None = None, use_cache: bool = True) -> dict:
    """The screen's figures for `region` (authorised by the caller: domain.access.resolve_region),
    JSON-ready. From the cache (see the module docstring) unless `at` is given or `use_cache` is off."""
    now = timezone.localtime(at)
    today = now.date()
    if at is not None or not use_cache:
        plan = plan_region(region, today=today)
        return assemble(plan, now=now, **{name: compute(plan, now=now) for name, (compute, _) in PARTS.items()})
    keys = {part: _cache_key(part, region.code, today) for part in ("plan", *PARTS)}
    found = cache.get_many(list(keys.values()))
    plan = found.get(keys["plan"])
    if plan is None:
        plan = plan_region(region, today=today)
        cache.set(keys["plan"], plan, HISTORY_SECONDS)
    parts = {}
    for name, (compute, seconds) in PARTS.items():
        parts[name] = found.get(keys[name])
        if parts[name] is None:
            parts[name] = compute(plan, now=now)
            cache.set(keys[name], parts[name], seconds)
    return assemble(plan, now=now, **parts)


def _cache_key(part: str, code: str, day: date) -> str:
    return f"{CACHE_PREFIX}{part}:{code}:{day.isoformat()}"


def forget_summaries(code: str, *, day: date | None = None) -> None:
    """Drop the cached figures of a region (tests; after a bulk import)."""
    day = day or timezone.localdate()
    cache.delete_many([_cache_key(part, code, day) for part in ("plan", *PARTS)])


def assemble(plan: RegionPlan, *, register: dict, history: dict, live: dict, sales: dict, now: datetime) -> dict:
    today = now.date()
    region = plan.region
    population = population_by_code()
    busiest = []
    for row in live["busiest"]:
        level = occupancy_level(row["current"], row["venue__capacity"])
        busiest.append(
            {
                "id": row["venue_id"],
                "name": row["venue__name"],
                "type": row["venue__type"],
                "region_code": row["venue__region_id"],
                "region_name": row["venue__region__name"],
                "visitors_today": row["today_in"],
                "inside": row["current"],
                "capacity": row["venue__capacity"],
                "lat": float(row["venue__lat"]),
                "lng": float(row["venue__lng"]),
                "level": level.value if level else None,
                "level_label": str(level.label) if level else "",
            }
        )
    trend = []
    for offset in range(TREND_DAYS - 1, -1, -1):
        day = today - timedelta(days=offset)
        if day == today:
            visitors = live["visitors"]["today"]
            bookings, revenue = sales["bookings"]["today"], sales["bookings"]["revenue"]
        else:
            key = day.isoformat()
            visitors = history["entries"].get(key, 0)
            bookings, revenue = history["orders"].get(key, (0, ZERO))
        trend.append({"date": day.isoformat(), "visitors": visitors, "bookings": bookings, "revenue": _money(revenue)})
    children = []
    for child in plan.children:
        figures = {
            **register["per_child"].get(child["code"], {}),
            **live["per_child"].get(child["code"], {}),
            **sales["per_child"].get(child["code"], {}),
        }
        child_population = population.get(child["code"])
        site_area = figures.get("site_area", 0.0)
        children.append(
            {
                **child,
                **{key: figures.get(key, 0) for key in COUNTED_PER_CHILD},
                "revenue_today": _money(figures.get("revenue_today")),
                "site_area_m2": round(site_area, 1),
                "population": child_population,
                "area_per_person_m2": _ratio(site_area, child_population),
            }
        )
    region_population = population.get(region["code"])
    updated_at = live["visitors"]["updated_at"]
    map_code = map_file_for(region["code"], region["level"])
    extra = register["extra"]
    return {
        "region": dict(region),
        "date": today.isoformat(),
        "generated_at": timezone.localtime(live["at"]).isoformat(),
        "venues": dict(register["venues"]),
        "facilities": register["facilities"],
        "fitness_equipment": register["fitness_equipment"],
        "visitors": {
            "today": live["visitors"]["today"],
            "inside": live["visitors"]["inside"],
            "updated_at": timezone.localtime(updated_at).isoformat() if updated_at else None,
        },
        "bookings": {"today": sales["bookings"]["today"], "revenue_today": _money(sales["bookings"]["revenue"])},
        "sports_area": {
            "site_area_m2": round(register["site_area"], 1),
            "population": region_population,
            "per_person_m2": _ratio(register["site_area"], region_population),
            "population_source": population_source(),
        },
        "extra_figures": [
            {"key": f.key, "label": str(f.label), "unit": str(f.unit), "value": extra[f.key]}
            for f in active_figures()
            if f.key in extra
        ],
        "by_type": [
            {"type": t.value, "label": str(t.label), "count": register["by_type"][t.value]}
            for t in VenueType
            if register["by_type"].get(t.value)
        ],
        "busiest": busiest,
        "trend": trend,
        "hourly_today": [
            {"hour": hour, "entries": live["hours"].get(hour, [0, 0])[0], "exits": live["hours"].get(hour, [0, 0])[1]}
            for hour in range(24)
        ],
        "children": children,
        "map": {
            "code": map_code,
            "url": boundary_url(map_code),
            "only": region["code"] if region["level"] == RegionLevel.COUNTY else None,
        },
    }


def compute_summary(*, region: Region, at: datetime | None = None) -> dict:
    """The figures computed now, bypassing the cache (tests, measurements)."""
    return region_summary(region=region, at=at, use_cache=False)
