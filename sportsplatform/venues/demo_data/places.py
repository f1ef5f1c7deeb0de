"""Where demo things go: the county-level divisions with their prefecture, weighted choice of a
county, addresses and landline numbers that fit the place."""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass

from . import geo, words


@dataclass(frozen=True)
class DemoRegion:
    code: str
    name: str
    prefecture_code: str  # 500000 for Chongqing's districts and counties
    prefecture_name: str
    lat: float
    lng: float

    @property
    def is_chongqing(self) -> bool:
        return self.code.startswith("50")

    @property
    def is_urban(self) -> bool:
        return self.name.endswith("区")

    @property
    def city_label(self) -> str:
        """How an address names the prefecture: 成都市, 凉山州, 重庆市."""
        name = self.prefecture_name
        return name[:2] + "州" if name.endswith("自治州") else name

    def area(self) -> geo.CountyArea:
        area = geo.county_area(self.code, (self.lng, self.lat))
        if area is None:  # demo_regions() only returns counties with a polygon
            raise LookupError(f"no boundary for {self.code}")
        return area


def demo_regions() -> list[DemoRegion]:
    """Today's county-level divisions of Sichuan and Chongqing that have a boundary, by code."""
    from sportsplatform.regions.models import Region, RegionLevel

    known = geo.known_county_codes()
    counties = (
        Region.objects.current()
        .filter(level=RegionLevel.COUNTY, code__regex=r"^5[01]")
        .select_related("parent")
        .order_by("code")
    )
    out = []
    for county in counties:
        if county.code not in known or county.lat is None or county.parent is None:
            continue
        out.append(
            DemoRegion(
                code=county.code,
                name=county.name,
                prefecture_code=county.parent.code,
                prefecture_name=county.parent.name,
                lat=float(county.lat),
                lng=float(county.lng),
            )
        )
    return out


class CountyPicker:
    """Weighted random choice of a county: ~15% Chongqing, the rest over Sichuan by prefecture
    weight (Chengdu first), and within a prefecture towards urban and central districts.
    `flatten` < 1 evens the weights out (public venues are spread more evenly than gyms)."""

    def __init__(self, regions: list[DemoRegion], *, flatten: float = 1.0):
        def local(r: DemoRegion) -> float:
            if r.code in words.CENTRAL_DISTRICTS:
                return 6.0
            return 3.0 if r.is_urban else 2.0 if r.name.endswith("市") else 1.0

        by_prefecture: dict[str, list[DemoRegion]] = {}
        for region in regions:
            by_prefecture.setdefault(region.prefecture_code, []).append(region)
        sichuan_total = sum(words.PREFECTURE_WEIGHTS.get(p, 1) for p in by_prefecture if p.startswith("51"))
        weights = []
        for region in regions:
            siblings = by_prefecture[region.prefecture_code]
            share = local(region) / sum(local(s) for s in siblings)
            if region.is_chongqing:
                weight = words.CHONGQING_SHARE * share
            else:
                weight = (1 - words.CHONGQING_SHARE) * words.PREFECTURE_WEIGHTS.get(region.prefecture_code, 1)
                weight *= share / sichuan_total
            weights.append(weight**flatten)
        self.regions = regions
        self.cumulative = list(itertools.accumulate(weights))

    def pick(self, rng: random.Random) -> DemoRegion:
        x = rng.random() * self.cumulative[-1]
        return self.regions[min(bisect.bisect_right(self.cumulative, x), len(self.regions) - 1)]


def short_name(region: DemoRegion) -> str:
    """武侯区 → 武侯, 马边彝族自治县 → 马边; a two-character name keeps its suffix (金川县)."""
    name = region.name
    if name.endswith("自治县"):  # every autonomous county in Sichuan and Chongqing: two characters + people(s)
        return name[:2]
    for suffix in ("区", "县", "市"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def street(region: DemoRegion, rng: random.Random) -> str:
    if region.prefecture_code == "510100" and region.code in words.CENTRAL_DISTRICTS:
        return rng.choice(words.CHENGDU_STREETS)
    if region.is_chongqing and region.code in words.CENTRAL_DISTRICTS:
        return rng.choice(words.CHONGQING_STREETS)
    return rng.choice(words.TOWN_STREETS)


def address(region: DemoRegion, rng: random.Random, *, street_name: str | None = None) -> str:
    """e.g. 成都市武侯区人民南路四段12号, 凉山州西昌市建设路88号."""
    number = rng.choice([rng.randint(1, 60), rng.randint(1, 300), rng.randint(100, 999)])
    return f"{region.city_label}{region.name}{street_name or street(region, rng)}{number}号"


def landline(region: DemoRegion, rng: random.Random) -> str:
    """A landline with the prefecture's area code: 028-85561234, 0816-2223344, 023-63851111."""
    code, digits, leading = words.AREA_CODES.get(
        "500000" if region.is_chongqing else region.prefecture_code, ("028", 8, "8")
    )
    local = rng.choice(leading) + "".join(rng.choice("0123456789") for _ in range(digits - 1))
    return f"{code}-{local}"


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or a numbered variant of it when the county already has one of that name:
    超燃健身(春熙路店) → 超燃健身(春熙路2店); 东湖社区健身路径 → 东湖社区健身路径(2)."""
    if name not in taken:
        taken.add(name)
        return name
    for n in itertools.count(2):
        candidate = f"{name[:-2]}{n}店)" if name.endswith("店)") else f"{name}({n})"
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise AssertionError("unreachable")
