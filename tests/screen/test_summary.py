"""The figures of the data screen (screen.domain.summary) on small, known data."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from sportsplatform.facilities.models import EquipmentCondition
from sportsplatform.orders.models import OrderKind, OrderStatus
from sportsplatform.regions.models import Region
from sportsplatform.screen.domain.extra_figures import register_screen_figure, unregister_screen_figure
from sportsplatform.screen.domain.population import population_by_code
from sportsplatform.screen.domain.summary import TREND_DAYS, compute_summary, region_summary
from sportsplatform.venues.models import Ownership, VenueType
from tests.facilities.factories import make_equipment, make_facility
from tests.support import accounts
from tests.venues.factories import make_venue

from .factories import local, make_booking, make_occupancy, make_rollup

pytestmark = pytest.mark.django_db


@pytest.fixture
def regions():
    return accounts.ensure_regions()


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def at(today):
    """10:00 today: every venue of the factory (08:00–22:00) is open."""
    return local(today, 10)


@pytest.fixture
def buyer(db):
    return accounts.make_public_user(phone="13900000001")


def summary_of(code: str, at):
    return compute_summary(region=Region.objects.get(pk=code), at=at)


# --- venues, facilities, equipment ----------------------------------------------------------


def test_summary_counts_published_venues_by_ownership_type_and_open_now(regions, at):
    make_venue(region="510107", type=VenueType.GYMNASIUM, ownership=Ownership.PUBLIC)
    make_venue(region="510107", type=VenueType.NATATORIUM, ownership=Ownership.PUBLIC, hours={})  # closed
    make_venue(region="510104", type=VenueType.GYM, ownership=Ownership.PRIVATE)
    make_venue(region="510104", type=VenueType.GYM, ownership=Ownership.PRIVATE, is_published=False)
    make_venue(region="510703", type=VenueType.STADIUM, ownership=Ownership.PUBLIC)  # 绵阳

    chengdu = summary_of("510100", at)

    assert chengdu["venues"] == {"total": 3, "public": 2, "private": 1, "open_now": 2}
    assert {t["type"]: t["count"] for t in chengdu["by_type"]} == {"gymnasium": 1, "natatorium": 1, "gym": 1}
    labels = {t["type"]: t["label"] for t in chengdu["by_type"]}
    assert labels == {"gymnasium": "体育馆", "natatorium": "游泳馆", "gym": "健身房"}
    by_county = {c["code"]: c for c in chengdu["children"]}
    assert by_county["510107"]["venues"] == 2 and by_county["510107"]["open_now"] == 1
    assert by_county["510104"]["private"] == 1
    province = summary_of("510000", at)
    assert province["venues"]["total"] == 4
    assert {c["code"]: c["venues"] for c in province["children"] if c["venues"]} == {"510100": 3, "510700": 1}


def test_facilities_and_equipment_leave_out_unpublished_and_removed(regions, at):
    path = make_facility(region="510107")
    make_equipment(path, kind="太空漫步机", count=12)
    make_equipment(path, kind="单杠", count=3, condition=EquipmentCondition.BROKEN)
    make_equipment(path, kind="腰背按摩器", count=5, condition=EquipmentCondition.REMOVED)
    hidden = make_facility(region="510107", is_published=False)
    make_equipment(hidden, count=40)
    elsewhere = make_facility(region="510703")
    make_equipment(elsewhere, count=7)

    chengdu = summary_of("510100", at)

    assert chengdu["facilities"] == 1
    assert chengdu["fitness_equipment"] == 15
    assert summary_of("510000", at)["fitness_equipment"] == 22


# --- visitors -------------------------------------------------------------------------------


def test_visitors_today_sum_todays_occupancy_and_ignore_an_older_day(regions, at, today):
    a = make_venue(region="510107", capacity=100)
    b = make_venue(region="510104")
    stale = make_venue(region="510104")
    mianyang = make_venue(region="510703")
    make_occupancy(a, today_in=120, today_out=40)
    make_occupancy(b, today_in=30, today_out=30)
    make_occupancy(stale, today_in=999, today_out=0, day=today - timedelta(days=1))
    make_occupancy(mianyang, today_in=50)

    chengdu = summary_of("510100", at)

    assert chengdu["visitors"]["today"] == 150
    assert chengdu["visitors"]["inside"] == 80
    assert chengdu["visitors"]["updated_at"] is not None
    assert {c["code"]: c["visitors_today"] for c in chengdu["children"]}["510107"] == 120
    assert summary_of("510000", at)["visitors"]["today"] == 200


def test_busiest_lists_most_entries_today_with_level_within_the_region(regions, at):
    big = make_venue(name="大馆", region="510107", capacity=100)
    small = make_venue(name="小馆", region="510104", capacity=1000)
    quiet = make_venue(name="没人来", region="510104")
    far = make_venue(name="绵阳馆", region="510703")
    make_occupancy(big, today_in=500, today_out=420)  # 80 inside of 100: busy
    make_occupancy(small, today_in=90, today_out=0)
    make_occupancy(quiet, today_in=0)
    make_occupancy(far, today_in=10_000)

    busiest = summary_of("510100", at)["busiest"]

    assert [v["name"] for v in busiest] == ["大馆", "小馆"]
    assert busiest[0] | {"level_label": ""} == {
        "id": big.id,
        "name": "大馆",
        "type": big.type,
        "region_code": "510107",
        "region_name": "武侯区",
        "visitors_today": 500,
        "inside": 80,
        "capacity": 100,
        "lat": 30.64,
        "lng": 104.04,
        "level": "busy",
        "level_label": "",
    }
    assert busiest[1]["level"] == "comfortable"


# --- bookings and revenue -------------------------------------------------------------------


def test_bookings_and_revenue_today_count_paid_bookings_minus_refunds(regions, at, today, buyer):
    venue = make_venue(region="510107")
    other_county = make_venue(region="510104")
    mianyang = make_venue(region="510703")
    nine = local(today, 9)
    make_booking(venue, user=buyer, amount="100.00", paid_at=nine)
    make_booking(venue, user=buyer, amount="50.00", paid_at=nine, status=OrderStatus.USED)
    make_booking(other_county, user=buyer, amount="80.00", paid_at=nine, refunded="30.00")  # part refunded
    make_booking(venue, user=buyer, amount="60.00", paid_at=nine, status=OrderStatus.REFUNDED, refunded="60.00")
    make_booking(venue, user=buyer, amount="40.00", paid_at=nine, status=OrderStatus.CANCELLED, refunded="30.00")
    # Not today's, not paid, not a booking, not in Chengdu:
    make_booking(venue, user=buyer, amount="70.00", paid_at=local(today - timedelta(days=1), 20))
    make_booking(venue, user=buyer, amount="25.00", paid_at=None, status=OrderStatus.PENDING_PAYMENT)
    make_booking(venue, user=buyer, amount="90.00", paid_at=nine, kind=OrderKind.TOPUP)
    make_booking(mianyang, user=buyer, amount="300.00", paid_at=nine)

    chengdu = summary_of("510100", at)

    # Still booked: the paid, the used and the partly refunded one.
    assert chengdu["bookings"]["today"] == 3
    # 100 + 50 + (80 − 30) + (60 − 60) + (40 − 30): a kept cancellation fee is revenue.
    assert chengdu["bookings"]["revenue_today"] == "210.00"
    by_county = {c["code"]: c for c in chengdu["children"]}
    assert by_county["510107"]["bookings_today"] == 2
    assert by_county["510107"]["revenue_today"] == "160.00"
    assert by_county["510104"]["revenue_today"] == "50.00"
    wuhou = summary_of("510107", at)
    assert wuhou["bookings"] == {"today": 2, "revenue_today": "160.00"}
    assert summary_of("510000", at)["bookings"] == {"today": 4, "revenue_today": "510.00"}


# --- trends ---------------------------------------------------------------------------------


def test_trend_covers_thirty_days_from_day_rollups_and_payments(regions, at, today, buyer):
    venue = make_venue(region="510107")
    mianyang = make_venue(region="510703")
    make_occupancy(venue, today_in=40)  # today's point is the live count
    make_rollup(venue, day=today, entries=38)
    make_rollup(venue, day=today - timedelta(days=2), entries=300)
    make_rollup(venue, day=today - timedelta(days=TREND_DAYS - 1), entries=7)
    make_rollup(venue, day=today - timedelta(days=TREND_DAYS), entries=1_000)  # a day too old
    make_rollup(mianyang, day=today - timedelta(days=2), entries=5_000)
    make_rollup(venue, day=today, hour=9, entries=25)  # hour buckets are not days
    make_booking(venue, user=buyer, amount="45.50", paid_at=local(today - timedelta(days=2), 23, 30))
    make_booking(venue, user=buyer, amount="20.00", paid_at=local(today - timedelta(days=2), 8), refunded="5.00")

    trend = summary_of("510100", at)["trend"]

    assert len(trend) == TREND_DAYS
    assert trend[-1] == {"date": today.isoformat(), "visitors": 40, "bookings": 0, "revenue": "0.00"}
    assert trend[-3] == {
        "date": (today - timedelta(days=2)).isoformat(),
        "visitors": 300,
        "bookings": 2,
        "revenue": "60.50",
    }
    assert trend[0]["date"] == (today - timedelta(days=TREND_DAYS - 1)).isoformat()
    assert trend[0]["visitors"] == 7
    assert sum(day["visitors"] for day in trend) == 347


def test_hourly_today_sums_hour_buckets(regions, at, today):
    a = make_venue(region="510107")
    b = make_venue(region="510104")
    make_rollup(a, day=today, hour=9, entries=25, exits=5)
    make_rollup(b, day=today, hour=9, entries=10, exits=10)
    make_rollup(a, day=today - timedelta(days=1), hour=9, entries=999)

    hourly = summary_of("510100", at)["hourly_today"]

    assert len(hourly) == 24
    assert hourly[9] == {"hour": 9, "entries": 35, "exits": 15}
    assert sum(h["entries"] for h in hourly) == 35


# --- sports area per person -----------------------------------------------------------------


def test_area_per_person_divides_site_area_by_census_population(regions, at):
    population = population_by_code()
    assert population["510100"] == 20_937_757
    assert sum(v for k, v in population.items() if k != "510000") == population["510000"] == 83_674_866
    make_venue(region="510107", site_area=Decimal("1500000.0"))
    make_venue(region="510104", site_area=Decimal("593775.7"))
    make_venue(region="510104", site_area=None)
    make_venue(region="510703", site_area=Decimal("486824.3"))

    province = summary_of("510000", at)
    chengdu = summary_of("510100", at)
    wuhou = summary_of("510107", at)

    by_city = {c["code"]: c for c in province["children"]}
    assert by_city["510100"]["area_per_person_m2"] == 0.1  # 2,093,775.7 m² / 20,937,757
    assert by_city["510700"]["area_per_person_m2"] == 0.1  # 486,824.3 m² / 4,868,243
    assert by_city["510100"]["population"] == 20_937_757
    assert province["sports_area"]["per_person_m2"] == round(2_580_600.0 / 83_674_866, 4)
    assert chengdu["sports_area"]["per_person_m2"] == 0.1
    assert chengdu["sports_area"]["site_area_m2"] == 2_093_775.7
    # Counties have no population on file: no figure rather than a wrong one.
    assert wuhou["sports_area"]["per_person_m2"] is None
    assert all(c["area_per_person_m2"] is None for c in chengdu["children"])
    assert "第七次全国人口普查" in province["sports_area"]["population_source"]


# --- shape ----------------------------------------------------------------------------------


def test_map_and_children_follow_the_level(regions, at):
    province = summary_of("510000", at)
    chengdu = summary_of("510100", at)
    wuhou = summary_of("510107", at)

    # The regions of the data migration, or (after a transactional test flushed them) the test's own.
    assert {"510100", "510700"} <= {c["code"] for c in province["children"]}
    assert {c["level"] for c in province["children"]} == {"prefecture"}
    assert {"510104", "510107"} <= {c["code"] for c in chengdu["children"]}
    assert all(c["code"].startswith("5101") and c["level"] == "county" for c in chengdu["children"])
    assert wuhou["children"] == []
    assert province["map"]["code"] == "510000" and province["map"]["only"] is None
    assert chengdu["map"]["code"] == "510100"
    assert wuhou["map"] == {"code": "510100", "url": chengdu["map"]["url"], "only": "510107"}
    assert chengdu["map"]["url"].startswith("/screen/boundaries/510100.")


def test_extra_figures_show_only_for_installed_apps(regions, at):
    def count_venues(*, region_codes, today):
        from sportsplatform.venues.models import Venue

        return Venue.objects.filter(region_id__in=region_codes).count()

    make_venue(region="510107")
    register_screen_figure(
        key="future_figure", app="sportsplatform.notinstalled", label="未安装", unit="个", compute=count_venues
    )
    register_screen_figure(
        key="test_venues", app="sportsplatform.venues", label="场馆", unit="个", compute=count_venues
    )
    try:
        figures = summary_of("510100", at)["extra_figures"]
    finally:
        unregister_screen_figure("future_figure")
        unregister_screen_figure("test_venues")

    # The installed apps' own figures (events, training) are there too; this test's are these.
    mine = [f for f in figures if f["key"] in ("future_figure", "test_venues")]
    assert mine == [{"key": "test_venues", "label": "场馆", "unit": "个", "value": 1}]


def test_summary_is_cached_per_region_for_a_few_seconds(regions, settings):
    cache.clear()
    venue = make_venue(region="510107")
    wuhou = Region.objects.get(pk="510107")
    first = region_summary(region=wuhou)
    make_occupancy(venue, today_in=12)

    assert region_summary(region=wuhou) == first  # cached
    assert region_summary(region=wuhou, use_cache=False)["visitors"]["today"] == 12
    cache.clear()
    assert region_summary(region=wuhou)["visitors"]["today"] == 12
