"""Demo fitness facilities: sports parks and national fitness centres, fitness paths (outdoor
equipment sites) with their equipment inventories, and trails — hiking trails up the hills,
walking circuits in parks, cycling paths along rivers — as lines inside their county.
The seed step of `manage.py seed_demo` (order 30) and the `search` benchmark use the generator.

Like venues/demo.py: `generate_facilities` is pure and deterministic, `load_facilities` writes
with bulk_create and skips what exists (by name and county)."""

from __future__ import annotations

import random
import time as clock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sportsplatform.venues.demo_data import geo, places, words
from sportsplatform.venues.demo_data.places import DemoRegion

DEMO_SEED = 20260521
SEED_COUNTS = {"sports_park": 70, "fitness_centre": 80, "fitness_path": 400, "trail": 80}
BATCH_SIZE = 500

FITNESS_PATH_EQUIPMENT = [
    "太空漫步机", "双位蹬力器", "腰背按摩器", "单杠", "双杠", "乒乓球台", "扭腰器", "坐拉训练器", "上肢牵引器",
    "肋木架", "太极揉推器", "伸腰伸背器", "椭圆机", "健骑机", "压腿杠", "仰卧起坐板", "平步机", "天梯",
    "臂力训练器", "转体训练器", "划船器", "骑马机",
]  # fmt: skip
CENTRE_EQUIPMENT = [
    "跑步机", "动感单车", "椭圆机", "综合训练器", "哑铃套装", "杠铃套装", "乒乓球台", "羽毛球网柱", "体质监测设备",
    "划船机", "史密斯训练架", "瑜伽垫",
]  # fmt: skip
PARK_EQUIPMENT = ["篮球架", "足球门", "乒乓球台", "羽毛球网柱", "网球网柱", "门球门", "太空漫步机", "双杠", "单杠"]
TRAIL_EQUIPMENT = ["里程标识牌", "智慧打卡桩", "休息座椅", "饮水点", "急救箱", "导览牌"]

# (trail kind, length range m, step m, turn sd °, loop, spread, max sigma °)
TRAIL_SHAPES = {
    "hiking": ((3000, 15000), 150, 25.0, False, 0.35, 0.15),
    "walking": ((1000, 5000), 60, 8.0, True, 0.12, 0.04),
    "cycling": ((5000, 15000), 200, 6.0, False, 0.2, 0.08),
}
TRAIL_KIND_MIX = {"hiking": 35, "walking": 35, "cycling": 30}


@dataclass(frozen=True)
class EquipmentSpec:
    kind: str
    count: int
    installed_on: date
    condition: str
    last_inspected_on: date | None


@dataclass
class FacilitySpec:
    kind: str
    trail_kind: str
    name: str
    region: DemoRegion
    address: str
    lng: float
    lat: float
    path: list[list[float]] | None
    area: Decimal | None
    year_built: int
    phone: str
    opening_hours: str
    description: str
    managing_body: str
    managing_organisation: str  # name of an organisation that manages it, if the demo has it
    equipment: list[EquipmentSpec] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.region.code)


def _equipment(
    names: list[str], rng: random.Random, *, lines: tuple[int, int], year_built: int, today: date
) -> list[EquipmentSpec]:
    out = []
    for kind in rng.sample(names, min(len(names), rng.randint(*lines))):
        installed = date(
            rng.randint(year_built, max(year_built, today.year - 1)), rng.randint(1, 12), rng.randint(1, 28)
        )
        condition = rng.choices(["good", "worn", "broken", "removed"], weights=[80, 13, 5, 2])[0]
        inspected = None
        if rng.random() < 0.85:  # most sites are inspected at least yearly; some never were
            inspected = max(installed, today - timedelta(days=rng.randint(7, 400)))
        out.append(EquipmentSpec(kind, rng.choice([1, 1, 2, 2, 3, 4]), installed, condition, inspected))
    return out


def _spec(kind: str, region: DemoRegion, rng: random.Random, taken: set[str], today: date) -> FacilitySpec:
    short = places.short_name(region)
    place, community = rng.choice(words.PLACES), rng.choice(words.COMMUNITIES)
    rivers = words.RIVERS.get("500000" if region.is_chongqing else region.prefecture_code, words.RIVERS_DEFAULT)
    river, mountain = rng.choice(rivers), rng.choice(words.MOUNTAINS)
    area_geo = region.area()
    trail_kind, path, area, equipment_names, lines = "", None, None, PARK_EQUIPMENT, (4, 8)
    year_built = rng.randint(2005, 2025)
    phone = places.landline(region, rng)
    opening_hours = "全天开放"
    managing_body = f"{region.name}文化体育和旅游局"

    if kind == "sports_park":
        name = rng.choice([f"{place}体育公园", f"{short}{place}运动公园", f"{river}滨河体育公园"])
        lng, lat = geo.point_in_county(area_geo, rng, spread=0.2, max_sigma_deg=0.06)
        area = Decimal(rng.randrange(20_000, 300_000, 100))
        opening_hours = "06:00–22:00"
        description = (
            f"{name}占地约{int(area) // 10000 or 1}公顷，设有篮球场、足球场、健身步道和健身器材，免费向市民开放。"
        )
    elif kind == "fitness_centre":
        town = rng.choice([f"{community}街道", f"{community}镇", f"{place}街道"])
        name = rng.choice(
            [f"{short}{town}全民健身中心", f"{community}社区全民健身中心", f"{short}{place}全民健身活动中心"]
        )
        lng, lat = geo.point_in_county(area_geo, rng, spread=0.25, max_sigma_deg=0.08)
        area = Decimal(rng.randrange(800, 6000, 10))
        opening_hours = rng.choice(
            ["周二至周日 09:00–21:00", "每天 08:00–21:30", "周一至周五 14:00–21:00，周末 09:00–21:00"]
        )
        managing_body = f"{town}办事处" if town.endswith("街道") else f"{town}人民政府"
        equipment_names, lines = CENTRE_EQUIPMENT, (5, 10)
        description = f"{name}建筑面积约{int(area)}平方米，设有健身房、乒乓球室、体质监测站，免费或低收费开放。"
    elif kind == "fitness_path":
        name = rng.choice([f"{community}社区健身路径", f"{place}公园健身路径", f"{community}村农民健身工程",
                           f"{places.street(region, rng)}健身广场"])  # fmt: skip
        lng, lat = geo.point_in_county(area_geo, rng, spread=0.35, max_sigma_deg=0.12)
        area = Decimal(rng.randrange(100, 1500, 10))
        phone = phone if rng.random() < 0.3 else ""
        managing_body = f"{community}社区居民委员会" if "村" not in name else f"{community}村村民委员会"
        equipment_names, lines = FITNESS_PATH_EQUIPMENT, (6, 14)
        description = f"{name}配有{rng.randint(8, 20)}件室外健身器材，免费开放，请按器材说明正确使用。"
    else:
        trail_kind = rng.choices(list(TRAIL_KIND_MIX), weights=list(TRAIL_KIND_MIX.values()))[0]
        if trail_kind == "hiking" and region.code in words.CENTRAL_DISTRICTS:
            trail_kind = "walking"  # no hills to climb in the city centre
        (low, high), step, turn_sd, loop, spread, max_sigma = TRAIL_SHAPES[trail_kind]
        start = geo.point_in_county(area_geo, rng, spread=spread, max_sigma_deg=max_sigma)
        path = geo.walk_in_county(
            area_geo, rng, start=start, length_m=rng.randint(low, high), step_m=step, turn_sd_deg=turn_sd, loop=loop
        )
        lng, lat = path[0]
        name = {
            "hiking": rng.choice([f"{mountain}登山步道", f"{mountain}健身步道", f"{short}{mountain}森林步道"]),
            "walking": rng.choice([f"{place}公园健走步道", f"{place}湖环湖步道", f"{short}{place}健身步道"]),
            "cycling": rng.choice([f"{river}滨河骑行道", f"{river}绿道", f"{short}{river}骑行绿道"]),
        }[trail_kind]
        phone = ""
        if trail_kind == "hiking":
            opening_hours = "全天开放（夜间不建议登山）"
        equipment_names, lines = TRAIL_EQUIPMENT, (2, 5)
        description = {
            "hiking": "沿山脊而上的登山步道，沿途设有观景平台和休息点，部分路段较陡，请量力而行。",
            "walking": "环绕公园的健走步道，塑胶路面，沿途设有里程标识和智慧打卡桩。",
            "cycling": f"沿{river}而建的骑行道，路面平整，沿途有驿站和停车点。",
        }[trail_kind]
    name = places.unique_name(name, taken)
    # Inspection dates depend on the day: their own generator keeps the rest independent of it.
    equipment_rng = random.Random(rng.random())  # noqa: S311 - demo data
    return FacilitySpec(
        kind=kind,
        trail_kind=trail_kind,
        name=name,
        region=region,
        address=places.address(region, rng),
        lng=lng,
        lat=lat,
        path=path,
        area=area,
        year_built=year_built,
        phone=phone,
        opening_hours=opening_hours,
        description=description,
        managing_body=managing_body,
        managing_organisation=f"{region.name}体育局",  # linked when the demo has that bureau
        equipment=_equipment(equipment_names, equipment_rng, lines=lines, year_built=year_built, today=today),
    )


def generate_facilities(
    *, regions: list[DemoRegion], counts: dict[str, int] | None = None, seed: int = DEMO_SEED, today: date
) -> list[FacilitySpec]:
    """Facilities of each kind in `counts` (default SEED_COUNTS) over `regions`; parks and
    centres spread more evenly than venues, fitness paths reach the villages. Deterministic in
    its arguments (`today` only moves inspection dates, never names or places)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    counts = SEED_COUNTS if counts is None else counts
    picker = places.CountyPicker(regions, flatten=0.5)
    taken: dict[str, set[str]] = {r.code: set() for r in regions}
    specs = []
    for kind, n in counts.items():
        for _ in range(n):
            region = picker.pick(rng)
            specs.append(_spec(kind, region, rng, taken[region.code], today))
    return specs


@dataclass
class LoadResult:
    facilities: int = 0
    equipment: int = 0
    seconds: float = 0.0


def load_facilities(
    specs: list[FacilitySpec], *, batch_size: int = BATCH_SIZE, log: Callable[[str], None] = lambda message: None
) -> LoadResult:
    """Write the specs not yet in the database (by name and county) and their equipment.
    bulk_create skips Facility.save(), so search_text and length_m are computed here alike."""
    from sportsplatform.accounts.models import Organisation
    from sportsplatform.core.geo import line_length_m
    from sportsplatform.regions.models import Region

    from .models import Equipment, Facility

    started = clock.perf_counter()
    result = LoadResult()
    codes = {s.region.code for s in specs}
    existing = set(Facility.objects.filter(region_id__in=codes).values_list("name", "region_id"))
    new = [s for s in specs if s.key not in existing]
    if not new:
        return result
    regions = Region.objects.in_bulk(codes)
    organisations = {o.name: o for o in Organisation.objects.filter(name__in={s.managing_organisation for s in new})}
    facilities = []
    for s in new:
        organisation = organisations.get(s.managing_organisation)
        facility = Facility(
            kind=s.kind, trail_kind=s.trail_kind, name=s.name, region=regions[s.region.code], address=s.address,
            lat=Decimal(f"{s.lat:.6f}"), lng=Decimal(f"{s.lng:.6f}"), path=s.path,
            length_m=line_length_m(s.path) if s.path and len(s.path) > 1 else None, area=s.area,
            year_built=s.year_built, phone=s.phone, opening_hours=s.opening_hours, description=s.description,
            managing_organisation=organisation, managing_body="" if organisation else s.managing_body,
        )  # fmt: skip
        parts = [facility.name, facility.address, s.region.name, facility.managing_body]
        facility.search_text = " ".join(p.strip().lower() for p in parts if p and p.strip())
        facilities.append(facility)
    Facility.objects.bulk_create(facilities, batch_size=batch_size)
    equipment = [
        Equipment(facility_id=f.pk, kind=e.kind, count=e.count, installed_on=e.installed_on, condition=e.condition,
                  last_inspected_on=e.last_inspected_on)
        for f, s in zip(facilities, new, strict=True)
        for e in s.equipment
    ]  # fmt: skip
    Equipment.objects.bulk_create(equipment, batch_size=batch_size * 4)
    result.facilities, result.equipment = len(facilities), len(equipment)
    result.seconds = round(clock.perf_counter() - started, 2)
    log(f"    {len(facilities)} facilities ({_by_kind(new)}), {len(equipment)} equipment lines")
    return result


def _by_kind(specs: list[FacilitySpec]) -> str:
    counts: dict[str, int] = {}
    for s in specs:
        label = f"{s.trail_kind} trail" if s.trail_kind else s.kind
        counts[label] = counts.get(label, 0) + 1
    return ", ".join(f"{n} {label}" for label, n in counts.items())


def seed_facilities(ctx) -> None:
    """seed_demo step 30: ~70 parks, ~80 centres, ~400 fitness paths and ~80 trails (times the
    DEMO_SEED_SCALE setting, default 1.0)."""
    from django.conf import settings
    from django.utils import timezone

    started = clock.perf_counter()
    regions = places.demo_regions()
    if not regions:
        ctx.log("    no county divisions: skipped (the regions data migration has not run)")
        return
    scale = getattr(settings, "DEMO_SEED_SCALE", 1.0)
    counts = {kind: max(1, round(n * scale)) for kind, n in SEED_COUNTS.items()}
    specs = generate_facilities(regions=regions, counts=counts, today=timezone.localdate())
    result = load_facilities(specs, log=ctx.log)
    if not result.facilities:
        ctx.log(f"    {len(specs)} demo facilities already present")
    ctx.log(f"    facilities step took {clock.perf_counter() - started:.1f}s")
