"""Demo venues: ~200 public venues and ~700 private gyms and halls across Sichuan's counties (and
~15% in Chongqing), with courts and prices, weekly hours, holiday exceptions, star ratings and
generated photos. The seed step of `manage.py seed_demo` (order 20) and the `search` benchmark
(10,000 venues, no photos) both use the generator below.

Two halves: `generate_venues` is pure and deterministic (same regions, seed and day → the same
list of VenueSpec, on every machine); `load_venues` writes specs with bulk_create and skips every
venue that already exists (keyed by name and county), so seeding twice adds nothing."""

from __future__ import annotations

import random
import time as clock
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from .demo_data import geo, places, words
from .demo_data.places import DemoRegion

DEMO_SEED = 20260520  # the generator's own seed: the data does not depend on other seed steps
SEED_PUBLIC = 200
SEED_PRIVATE = 700
BATCH_SIZE = 500


# --- specs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourtSpec:
    name: str
    kind: str
    sport: str
    price: Decimal
    capacity: int = 4
    bookable: bool = True


@dataclass(frozen=True)
class ExceptionSpec:
    date: date
    reason: str
    opens: time | None = None  # None, None: closed all day
    closes: time | None = None


@dataclass
class VenueSpec:
    name: str
    type: str
    ownership: str
    region: DemoRegion
    address: str
    lng: float
    lat: float
    phone: str
    sports: list[str]
    amenities: list[str]
    floor_area: Decimal | None
    site_area: Decimal | None
    year_built: int
    star_rating: int | None
    capacity: int | None
    description: str
    courts: list[CourtSpec] = field(default_factory=list)
    hours: dict[int, list[tuple[time, time]]] = field(default_factory=dict)
    exceptions: list[ExceptionSpec] = field(default_factory=list)
    photo_captions: list[str] = field(default_factory=list)
    operator: str = ""  # the operating organisation's name, when it is one of the demo's

    @property
    def key(self) -> tuple[str, str]:
        return (self.name, self.region.code)


# --- what each kind of venue has ---------------------------------------------------------------

# (category, venue type, ownership, share within its ownership)
PUBLIC_MIX = [
    ("fitness_centre", "fitness_centre", 25),
    ("gymnasium", "gymnasium", 22),
    ("stadium", "stadium", 12),
    ("natatorium", "natatorium", 14),
    ("sports_park", "sports_park", 12),
    ("school", "school", 15),
]
PRIVATE_MIX = [
    ("gym", "gym", 38),
    ("yoga", "gym", 6),
    ("dance", "gym", 3),
    ("badminton_hall", "gymnasium", 20),
    ("basketball_hall", "gymnasium", 9),
    ("table_tennis_club", "other", 8),
    ("tennis_centre", "other", 5),
    ("swimming_club", "natatorium", 4),
    ("climbing_gym", "other", 3),
    ("billiards_club", "other", 4),
]

CAPTIONS = {
    "stadium": ["体育场全景", "田径跑道", "看台"],
    "gymnasium": ["比赛大厅", "羽毛球场地", "场馆外景"],
    "natatorium": ["标准泳池", "儿童戏水池", "场馆外景"],
    "fitness_centre": ["综合训练馆", "羽毛球场地", "健身区"],
    "sports_park": ["公园全景", "篮球场", "健身步道"],
    "school": ["学校运动场", "篮球场", "校园体育馆"],
    "gym": ["器械区", "团课教室", "前台"],
    "other": ["场地全景", "训练区", "休息区"],
}

HOLIDAYS = [  # (date, name): closures and shorter hours around them
    *[(date(y, 1, 1), "元旦") for y in (2026, 2027, 2028)],
    (date(2026, 2, 16), "除夕"), (date(2026, 2, 17), "春节"),
    (date(2027, 2, 5), "除夕"), (date(2027, 2, 6), "春节"),
    (date(2028, 1, 25), "除夕"), (date(2028, 1, 26), "春节"),
    (date(2026, 4, 5), "清明节"), (date(2027, 4, 5), "清明节"), (date(2028, 4, 4), "清明节"),
    *[(date(y, 5, 1), "劳动节") for y in (2026, 2027, 2028)],
    (date(2026, 6, 19), "端午节"), (date(2027, 6, 9), "端午节"), (date(2028, 5, 28), "端午节"),
    (date(2026, 9, 25), "中秋节"), (date(2027, 9, 15), "中秋节"), (date(2028, 10, 3), "中秋节"),
    *[(date(y, 10, 1), "国庆节") for y in (2026, 2027, 2028)],
    *[(date(y, 8, 8), "全民健身日") for y in (2026, 2027, 2028)],
]  # fmt: skip

# The demo operators of backoffice/demo.py and the venues they run (name, county, category).
FLAGSHIPS = [
    ("成都市武侯区全民健身中心管理有限公司", "510107", "武侯区全民健身中心", "fitness_centre"),
    ("成都市武侯区全民健身中心管理有限公司", "510107", "武侯区体育馆", "gymnasium"),
    ("成都市武侯区全民健身中心管理有限公司", "510107", "武侯区游泳馆", "natatorium"),
    ("成都市体育中心管理有限公司", "510105", "成都市体育中心", "stadium"),
    ("凤凰山体育公园运营管理有限公司", "510106", "凤凰山体育公园", "sports_park"),
    ("东安湖体育公园运营管理有限公司", "510112", "东安湖体育公园", "sports_park"),
    ("锦江区社区运动中心运营有限公司", "510104", "锦江区东湖社区运动中心", "fitness_centre"),
    ("绵阳市体育馆运营管理有限公司", "510703", "绵阳市体育馆", "gymnasium"),
    ("乐山市全民健身中心管理有限公司", "511102", "乐山市全民健身中心", "fitness_centre"),
    ("重庆奥林匹克体育中心管理有限公司", "500107", "重庆奥林匹克体育中心", "stadium"),
    ("重庆市渝中区大田湾体育场管理中心", "500103", "大田湾体育场", "stadium"),
]

TYPE_OF = {category: vtype for category, vtype, _ in PUBLIC_MIX + PRIVATE_MIX}


def _t(text: str) -> time:
    return time.fromisoformat(text)


def _price(rng: random.Random, low: int, high: int, step: int = 5) -> Decimal:
    return Decimal(rng.randrange(low, high + 1, step)).quantize(Decimal("0.01"))


def _area(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low, high, 10)).quantize(Decimal("0.1"))


# --- names ------------------------------------------------------------------------------------


def _venue_name(category: str, region: DemoRegion, rng: random.Random) -> str:
    county, short = region.name, places.short_name(region)
    place, club, school = rng.choice(words.PLACES), rng.choice(words.CLUB_WORDS), rng.choice(words.SCHOOL_NAMES)
    if region.code in words.CENTRAL_DISTRICTS:
        landmark = rng.choice([*words.CITY_LANDMARKS, places.street(region, rng)])
    else:
        landmark = rng.choice([*words.TOWN_LANDMARKS, short, places.street(region, rng)])
    patterns: dict[str, list[str]] = {
        "fitness_centre": [f"{county}全民健身中心", f"{county}全民健身活动中心", f"{short}{place}全民健身中心",
                           f"{place}社区运动中心"],
        "gymnasium": [f"{county}体育馆", f"{short}体育馆", f"{county}综合体育馆", f"{place}体育馆"],
        "stadium": [f"{county}体育场", f"{county}体育中心", f"{short}体育中心体育场"],
        "natatorium": [f"{county}游泳馆", f"{place}游泳馆", f"{short}体育中心游泳馆"],
        "sports_park": [f"{place}体育公园", f"{short}{place}体育公园", f"{county}体育公园"],
        "school": [f"{short}{school}体育场馆", f"{short}{school}运动场"],
        "gym": [f"{rng.choice(words.GYM_BRANDS)}({landmark}店)"],
        "yoga": [f"{rng.choice(words.YOGA_BRANDS)}({landmark}店)"],
        "dance": [f"{rng.choice(words.DANCE_BRANDS)}({landmark}店)"],
        "badminton_hall": [f"{place}羽毛球馆", f"{club}羽毛球馆", f"{short}{place}羽毛球俱乐部"],
        "basketball_hall": [f"{place}篮球公园", f"{club}篮球馆", f"{short}室内篮球馆"],
        "table_tennis_club": [f"{place}乒乓球俱乐部", f"{club}乒乓球馆"],
        "tennis_centre": [f"{place}网球中心", f"{club}网球俱乐部"],
        "swimming_club": [f"{rng.choice(words.GYM_BRANDS)[:-2]}游泳健身会所({landmark}店)",
                          f"{place}恒温游泳馆"],
        "climbing_gym": [f"{club}攀岩馆", f"{place}攀岩运动中心"],
        "billiards_club": [f"{club}台球俱乐部({landmark}店)"],
    }  # fmt: skip
    return rng.choice(patterns[category])


# --- courts, sports, hours --------------------------------------------------------------------


def _numbered(n: int, sport: str, kind: str, label: str, prices: tuple[int, int], rng: random.Random, **kw):
    price = _price(rng, *prices)
    return [
        CourtSpec(f"{label}{i}号{'台' if kind == 'table' else '场'}", kind, sport, price, **kw) for i in range(1, n + 1)
    ]


def _courts(category: str, ownership: str, rng: random.Random) -> list[CourtSpec]:
    public = ownership == "public"
    badminton = (30, 50) if public else (40, 80)
    c: list[CourtSpec] = []
    if category in ("gymnasium", "fitness_centre"):
        c += _numbered(rng.randint(6, 12), "badminton", "court", "羽毛球", badminton, rng, capacity=4)
        c += _numbered(rng.randint(4, 10), "table_tennis", "table", "乒乓球", (15, 30), rng, capacity=4)
        if rng.random() < 0.7:
            c += [CourtSpec(f"篮球{i}号半场", "court", "basketball", _price(rng, 100, 200, 10), capacity=10)
                  for i in range(1, rng.choice([2, 4]) + 1)]  # fmt: skip
        if category == "gymnasium" and rng.random() < 0.5:
            c.append(CourtSpec("篮球全场", "court", "basketball", _price(rng, 300, 600, 50), capacity=20))
    elif category == "stadium":
        c.append(CourtSpec("主体育场足球场", "field", "football", _price(rng, 800, 2000, 100), capacity=30))
        c += [CourtSpec(f"{i}号五人制足球场", "field", "football", _price(rng, 200, 400, 20), capacity=12)
              for i in range(1, rng.randint(2, 4) + 1)]  # fmt: skip
        c.append(CourtSpec("田径跑道", "area", "athletics", Decimal("0.00"), capacity=200, bookable=False))
    elif category in ("natatorium", "swimming_club"):
        # Swimmers buy session tickets (a later feature); lanes are rented by clubs, not online.
        price = _price(rng, 200, 400, 20)
        c += [CourtSpec(f"{i}号泳道", "lane", "swimming", price, capacity=12, bookable=False)
              for i in range(1, rng.choice([6, 8, 10]) + 1)]  # fmt: skip
    elif category == "sports_park":
        c += [CourtSpec(f"{i}号篮球场", "court", "basketball", _price(rng, 60, 150, 10), capacity=10)
              for i in range(1, rng.randint(2, 6) + 1)]  # fmt: skip
        c += _numbered(rng.randint(2, 4), "tennis", "court", "网球", (80, 150), rng, capacity=4)
        c += [CourtSpec(f"{i}号五人制足球场", "field", "football", _price(rng, 200, 400, 20), capacity=12)
              for i in range(1, rng.randint(1, 3) + 1)]  # fmt: skip
    elif category == "school":
        c.append(CourtSpec("七人制足球场", "field", "football", _price(rng, 300, 600, 50), capacity=16))
        c += [CourtSpec(f"{i}号篮球场", "court", "basketball", _price(rng, 100, 200, 10), capacity=10)
              for i in range(1, rng.randint(2, 4) + 1)]  # fmt: skip
    elif category == "badminton_hall":
        c += _numbered(rng.randint(6, 16), "badminton", "court", "", badminton, rng, capacity=4)
    elif category == "basketball_hall":
        c += [CourtSpec(f"{i}号半场", "court", "basketball", _price(rng, 100, 300, 10), capacity=10)
              for i in range(1, rng.randint(2, 6) + 1)]  # fmt: skip
        if rng.random() < 0.6:
            c.append(CourtSpec("全场", "court", "basketball", _price(rng, 300, 500, 20), capacity=20))
    elif category == "table_tennis_club":
        c += _numbered(rng.randint(6, 20), "table_tennis", "table", "", (15, 40), rng, capacity=4)
    elif category == "tennis_centre":
        c += _numbered(rng.randint(2, 6), "tennis", "court", "", (80, 200), rng, capacity=4)
    elif category == "billiards_club":
        c += _numbered(rng.randint(8, 20), "billiards", "table", "", (20, 60), rng, capacity=4)
    elif category in ("gym", "yoga", "dance") and rng.random() < 0.35:
        sport = {"gym": "fitness", "yoga": "yoga", "dance": "dance"}[category]
        c.append(CourtSpec("团课教室", "room", sport, _price(rng, 100, 200, 10), capacity=20))
        if rng.random() < 0.5:
            c.append(CourtSpec("私教室", "room", sport, _price(rng, 80, 150, 10), capacity=2))
    return c


EXTRA_SPORTS = {
    "stadium": ["athletics", "football"],
    "fitness_centre": ["fitness"],
    "natatorium": ["swimming"],
    "swimming_club": ["swimming", "fitness"],
    "sports_park": ["athletics"],
    "school": ["athletics"],
    "gym": ["fitness"],
    "yoga": ["yoga"],
    "dance": ["dance"],
    "climbing_gym": ["climbing"],
}


def _sports(category: str, courts: list[CourtSpec], rng: random.Random) -> list[str]:
    sports = list(dict.fromkeys([*EXTRA_SPORTS.get(category, []), *(c.sport for c in courts)]))
    if category == "gym" and rng.random() < 0.4:
        sports += rng.sample(["yoga", "martial_arts", "dance"], 1)
    if category == "fitness_centre" and rng.random() < 0.4:
        sports.append("swimming")
    return sports


def _hours(category: str, ownership: str, rng: random.Random) -> dict[int, list[tuple[time, time]]]:
    def every_day(opens: str, closes: str) -> dict[int, list[tuple[time, time]]]:
        return {d: [(_t(opens), _t(closes))] for d in range(7)}

    if category == "school":  # open to the public after lessons on weekdays, all day at weekends
        hours = {d: [(_t("17:30"), _t("21:30"))] for d in range(5)}
        hours.update({d: [(_t("08:00"), _t("21:00"))] for d in (5, 6)})
        return hours
    if category == "sports_park":
        return every_day("06:00", "22:00")
    if ownership == "private":
        if category in ("gym", "swimming_club"):
            return every_day(*rng.choice([("06:00", "23:00"), ("07:00", "22:30"), ("06:30", "23:00")]))
        if category in ("yoga", "dance"):
            return every_day(*rng.choice([("09:00", "21:30"), ("10:00", "22:00")]))
        hours = {d: [(_t("09:00"), _t(rng.choice(["22:00", "23:00"])))] for d in range(5)}
        hours.update({d: [(_t("08:00"), _t("23:00"))] for d in (5, 6)})
        return hours
    opens = rng.choice(["06:30", "08:00", "08:00", "09:00"])
    closes = rng.choice(["21:30", "22:00", "21:00"])
    if category == "natatorium":
        opens = rng.choice(["09:00", "10:00"])
    hours = every_day(opens, closes)
    if rng.random() < 0.3:  # closed on Monday mornings for cleaning and maintenance
        hours[0] = [(_t("14:00"), _t(closes))]
    elif rng.random() < 0.1:  # a midday break
        for d in range(5):
            hours[d] = [(_t(opens), _t("12:00")), (_t("14:00"), _t(closes))]
    return hours


def _exceptions(ownership: str, category: str, rng: random.Random, today: date) -> list[ExceptionSpec]:
    """Holiday closures and shorter hours in the coming four months, 全民健身日 free opening, and
    now and then a maintenance closure in the next weeks."""
    out = []
    window = (today - timedelta(days=7), today + timedelta(days=120))
    for day, name in HOLIDAYS:
        if not window[0] <= day <= window[1]:
            continue
        if name == "除夕":
            out.append(ExceptionSpec(day, "除夕闭馆"))
        elif name == "春节":
            if ownership == "private" or rng.random() < 0.5:
                out.append(ExceptionSpec(day, "春节闭馆"))
            else:
                out.append(ExceptionSpec(day, "春节期间调整开放时间", _t("10:00"), _t("17:00")))
        elif name == "全民健身日":
            if ownership == "public":
                out.append(ExceptionSpec(day, "全民健身日免费开放", _t("06:00"), _t("22:00")))
        elif rng.random() < 0.3:
            out.append(ExceptionSpec(day, f"{name}调整开放时间", _t("09:00"), _t("18:00")))
    if category != "sports_park" and rng.random() < 0.12:
        day = today + timedelta(days=rng.randint(2, 21))
        out.append(ExceptionSpec(day, rng.choice(["设备检修闭馆", "场地维护闭馆", "承办赛事暂停对外开放"])))
    return sorted(out, key=lambda e: e.date)


AMENITY_ODDS = {
    "public": {"parking": 0.85, "showers": 0.6, "lockers": 0.7, "accessible": 0.75, "equipment_rental": 0.4,
               "drinking_water": 0.85, "first_aid": 0.7, "wifi": 0.5},
    "private": {"parking": 0.5, "showers": 0.85, "lockers": 0.95, "accessible": 0.3, "equipment_rental": 0.5,
                "drinking_water": 0.9, "first_aid": 0.4, "wifi": 0.85},
}  # fmt: skip

SIZES = {  # category: (floor area range m², site area range m² or None, capacity range)
    "stadium": ((8000, 40000), (30000, 120000), (2000, 30000)),
    "gymnasium": ((3000, 20000), None, (300, 3000)),
    "natatorium": ((2000, 8000), None, (150, 600)),
    "fitness_centre": ((3000, 15000), (5000, 30000), (300, 1500)),
    "sports_park": ((1000, 5000), (20000, 300000), (1000, 8000)),
    "school": ((1000, 5000), (10000, 40000), (200, 1200)),
    "gym": ((300, 2000), None, (40, 200)),
    "yoga": ((120, 400), None, (15, 40)),
    "dance": ((150, 500), None, (20, 60)),
    "badminton_hall": ((1200, 4000), None, (60, 200)),
    "basketball_hall": ((1500, 5000), None, (80, 300)),
    "table_tennis_club": ((300, 1200), None, (30, 100)),
    "tennis_centre": ((1500, 6000), (3000, 10000), (30, 100)),
    "swimming_club": ((1000, 3000), None, (60, 200)),
    "climbing_gym": ((400, 1500), None, (30, 100)),
    "billiards_club": ((300, 1000), None, (40, 120)),
}


def _describe(spec: VenueSpec, sport_names: dict[str, str]) -> str:
    sports = "、".join(sport_names.get(s, s) for s in spec.sports[:4])
    area = f"，建筑面积约{int(spec.floor_area)}平方米" if spec.floor_area else ""
    if spec.ownership == "public":
        head = f"{spec.name}位于{spec.region.city_label}{spec.region.name}，{spec.year_built}年建成{area}。"
        tail = "场馆按照公共体育场馆免费或低收费开放要求面向群众开放，可开展" + sports + "等项目。"
        if spec.star_rating:
            tail += f"经评定为{spec.star_rating}星级场馆。"
        return head + tail
    return f"{spec.name}{area}，提供{sports}等项目，配备专业教练，支持线上预约。"


# --- the generator ----------------------------------------------------------------------------

SPORT_NAMES = {  # for descriptions; the Sport table holds the same names (venues migration 0002)
    "badminton": "羽毛球", "basketball": "篮球", "football": "足球", "swimming": "游泳", "table_tennis": "乒乓球",
    "tennis": "网球", "fitness": "健身", "volleyball": "排球", "athletics": "田径", "yoga": "瑜伽",
    "climbing": "攀岩", "skating": "滑冰", "martial_arts": "武术", "billiards": "台球", "golf": "高尔夫",
    "dance": "舞蹈",
}  # fmt: skip


def _spec(
    *, category: str, ownership: str, region: DemoRegion, name: str, rng: random.Random, today: date, operator: str = ""
) -> VenueSpec:
    area = region.area()
    # Gyms and halls gather in town; public venues spread a little wider.
    lng, lat = geo.point_in_county(area, rng, spread=0.12 if ownership == "private" else 0.18, max_sigma_deg=0.05)
    courts = _courts(category, ownership, rng)
    floor, site, cap = SIZES[category]
    public = ownership == "public"
    star = None
    if public and (operator or rng.random() < 0.4):
        star = 5 if operator else rng.choices([1, 2, 3, 4, 5], weights=[5, 15, 35, 30, 15])[0]
    odds = AMENITY_ODDS[ownership]
    # Exceptions get their own generator, so that the day (which holidays fall in the window)
    # never shifts the names and places of later venues: seeding tomorrow finds the same ones.
    day_rng = random.Random(rng.random())  # noqa: S311 - demo data
    spec = VenueSpec(
        name=name,
        type=TYPE_OF[category],
        ownership=ownership,
        region=region,
        address=places.address(region, rng),
        lng=lng,
        lat=lat,
        phone=places.landline(region, rng),
        sports=_sports(category, courts, rng),
        amenities=[a for a, p in odds.items() if rng.random() < p],
        floor_area=_area(rng, *floor),
        site_area=_area(rng, *site) if site else None,
        year_built=rng.randint(1985, 2024) if public else rng.randint(2014, 2025),
        star_rating=star,
        capacity=rng.randrange(cap[0], cap[1] + 1, 10),
        description="",
        courts=courts,
        hours=_hours(category, ownership, rng),
        exceptions=_exceptions(ownership, category, day_rng, today),
        operator=operator,
    )
    captions = CAPTIONS[spec.type]
    spec.photo_captions = captions[: rng.choice([1, 2, 2, 3] if public else [1, 1, 2, 3])]
    spec.description = _describe(spec, SPORT_NAMES)
    return spec


def generate_venues(
    *,
    regions: list[DemoRegion],
    public: int = SEED_PUBLIC,
    private: int = SEED_PRIVATE,
    seed: int = DEMO_SEED,
    today: date,
    flagships: bool = True,
) -> list[VenueSpec]:
    """`public` + `private` venues over `regions` (demo_regions()); the flagship venues of the
    demo operators count towards `public`. Deterministic in its arguments."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    by_code = {r.code: r for r in regions}
    taken: dict[str, set[str]] = {r.code: set() for r in regions}
    specs: list[VenueSpec] = []
    if flagships:
        for operator, code, name, category in FLAGSHIPS:
            if code in by_code and len(specs) < public:
                taken[code].add(name)
                specs.append(
                    _spec(category=category, ownership="public", region=by_code[code], name=name, rng=rng,
                          today=today, operator=operator)
                )  # fmt: skip
    public_picker = places.CountyPicker(regions, flatten=0.6)
    private_picker = places.CountyPicker(regions)
    public_categories, public_weights = zip(*[(c, w) for c, _, w in PUBLIC_MIX], strict=True)
    private_categories, private_weights = zip(*[(c, w) for c, _, w in PRIVATE_MIX], strict=True)
    plan = [("public", public_picker, public_categories, public_weights)] * (public - len(specs))
    plan += [("private", private_picker, private_categories, private_weights)] * private
    for ownership, picker, categories, weights in plan:
        region = picker.pick(rng)
        category = rng.choices(categories, weights=weights)[0]
        name = places.unique_name(_venue_name(category, region, rng), taken[region.code])
        specs.append(_spec(category=category, ownership=ownership, region=region, name=name, rng=rng, today=today))
    return specs


# --- the loader -------------------------------------------------------------------------------


@dataclass
class LoadResult:
    venues: int = 0
    courts: int = 0
    hours: int = 0
    exceptions: int = 0
    photos: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def load_venues(
    specs: list[VenueSpec],
    *,
    photos: bool = True,
    batch_size: int = BATCH_SIZE,
    log: Callable[[str], None] = lambda message: None,
) -> LoadResult:
    """Write the specs not yet in the database (by name and county) with their sports, courts,
    hours, exceptions and (with `photos`) generated photos. Bulk inserts: no save(), so
    search_text is built here as Venue.build_search_text would."""
    from sportsplatform.accounts.models import Organisation
    from sportsplatform.regions.models import Region

    from .models import Court, OpeningException, OpeningHours, Sport, Venue

    result = LoadResult()
    started = clock.perf_counter()
    codes = {s.region.code for s in specs}
    existing = set(Venue.objects.filter(region_id__in=codes).values_list("name", "region_id"))
    new = [s for s in specs if s.key not in existing]
    if not new:
        return result
    regions = Region.objects.in_bulk(codes)
    sports = {s.code: s for s in Sport.objects.all()}
    operators = {o.name: o for o in Organisation.objects.filter(name__in={s.operator for s in new if s.operator})}

    venues = []
    for s in new:
        venue = Venue(
            name=s.name, type=s.type, ownership=s.ownership, region=regions[s.region.code], address=s.address,
            lat=Decimal(f"{s.lat:.6f}"), lng=Decimal(f"{s.lng:.6f}"), phone=s.phone, amenities=s.amenities,
            floor_area=s.floor_area, site_area=s.site_area, year_built=s.year_built, star_rating=s.star_rating,
            capacity=s.capacity, description=s.description, operator=operators.get(s.operator),
        )  # fmt: skip
        ordered = sorted((sports[c] for c in s.sports if c in sports), key=lambda sport: (sport.order, sport.code))
        venue.search_text = venue.build_search_text(sport_names=[sport.name for sport in ordered])
        venues.append(venue)
    Venue.objects.bulk_create(venues, batch_size=batch_size)
    result.venues = len(venues)

    through = Venue.sports.through
    through.objects.bulk_create(
        [through(venue_id=v.pk, sport_id=sports[c].pk) for v, s in zip(venues, new, strict=True) for c in s.sports
         if c in sports],
        batch_size=batch_size * 4,
    )  # fmt: skip
    courts = [
        Court(venue_id=v.pk, name=c.name, kind=c.kind, sport=sports[c.sport], capacity=c.capacity,
              price_per_hour=c.price, is_bookable=c.bookable, order=i)
        for v, s in zip(venues, new, strict=True)
        for i, c in enumerate(s.courts)
    ]  # fmt: skip
    Court.objects.bulk_create(courts, batch_size=batch_size * 4)
    hours = [
        OpeningHours(venue_id=v.pk, weekday=day, opens=o, closes=c)
        for v, s in zip(venues, new, strict=True)
        for day, intervals in s.hours.items()
        for o, c in intervals
    ]
    OpeningHours.objects.bulk_create(hours, batch_size=batch_size * 4)
    exceptions = [
        OpeningException(venue_id=v.pk, date=e.date, is_closed=e.opens is None, opens=e.opens, closes=e.closes,
                         reason=e.reason)
        for v, s in zip(venues, new, strict=True)
        for e in s.exceptions
    ]  # fmt: skip
    OpeningException.objects.bulk_create(exceptions, batch_size=batch_size * 4)
    result.courts, result.hours, result.exceptions = len(courts), len(hours), len(exceptions)
    result.seconds["rows"] = round(clock.perf_counter() - started, 2)
    log(f"    {len(venues)} venues, {len(courts)} courts, {len(hours)} opening hours, {len(exceptions)} exceptions")

    if photos:
        started = clock.perf_counter()
        result.photos = add_generated_photos(list(zip(venues, new, strict=True)), batch_size=batch_size)
        result.seconds["photos"] = round(clock.perf_counter() - started, 2)
        log(f"    {result.photos} generated photos in {result.seconds['photos']:.1f}s")
    return result


def add_generated_photos(pairs, *, batch_size: int = BATCH_SIZE) -> int:
    """JPEGs and thumbnails for each (venue, spec), written to the default storage (MEDIA_ROOT)
    as venues/<id>/demo-<n>.jpg and demo-<n>-thumb.jpg, with their VenuePhoto rows."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from .demo_data.photos import render_photo
    from .models import VenuePhoto

    rows = []
    for venue, spec in pairs:
        for n, caption in enumerate(spec.photo_captions, start=1):
            photo = render_photo(venue_type=spec.type, title=spec.name, caption=caption, variant=venue.pk + n)
            names = []
            for suffix, data in (("", photo.image), ("-thumb", photo.thumbnail)):
                name = f"venues/{venue.pk}/demo-{n}{suffix}.jpg"
                if default_storage.exists(name):  # left over from an earlier database
                    default_storage.delete(name)
                names.append(default_storage.save(name, ContentFile(data)))
            rows.append(
                VenuePhoto(venue_id=venue.pk, image=names[0], thumbnail=names[1], width=photo.width,
                           height=photo.height, caption=caption, order=n)
            )  # fmt: skip
    VenuePhoto.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


# --- the seed step ----------------------------------------------------------------------------


def seed_venues(ctx) -> None:
    """seed_demo step 20: ~900 venues with courts, hours and photos (see the module docstring).
    Settings DEMO_SEED_SCALE (default 1.0) scales the counts and DEMO_SEED_PHOTOS (default True)
    turns the photos off: tests that run seed_demo use a small scale."""
    from django.conf import settings
    from django.utils import timezone

    started = clock.perf_counter()
    regions = places.demo_regions()
    if not regions:
        ctx.log("    no county divisions: skipped (the regions data migration has not run)")
        return
    scale = getattr(settings, "DEMO_SEED_SCALE", 1.0)
    specs = generate_venues(
        regions=regions,
        public=max(len(FLAGSHIPS), round(SEED_PUBLIC * scale)),
        private=round(SEED_PRIVATE * scale),
        today=timezone.localdate(),
    )
    result = load_venues(specs, photos=getattr(settings, "DEMO_SEED_PHOTOS", True), log=ctx.log)
    if not result.venues:
        ctx.log(f"    {len(specs)} demo venues already present")
    ctx.log(f"    venues step took {clock.perf_counter() - started:.1f}s")
