from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from sportsplatform.venues.models import OpeningException, Venue
from sportsplatform.venues.queries import Near, hours_on, open_now_q, opening_state, search_venues

from .factories import make_court, make_venue

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
# A Wednesday.
WED_10 = datetime(2026, 11, 18, 10, 0, tzinfo=SH)
WED_23 = datetime(2026, 11, 18, 23, 0, tzinfo=SH)


def names(qs):
    return [v.name for v in qs]


def test_search_by_sport_and_county_finds_badminton_in_wuhou():
    make_venue(name="武侯羽毛球馆", sports=("badminton",))
    make_venue(name="锦江羽毛球馆", region="510104", sports=("badminton",))
    make_venue(name="武侯游泳馆", sports=("swimming",))

    assert names(search_venues(sport="badminton", region="510107")) == ["武侯羽毛球馆"]


def test_search_region_filter_includes_counties_of_a_city():
    make_venue(name="A", region="510107")
    make_venue(name="B", region="510104")
    make_venue(name="C", region="510703")

    assert sorted(names(search_venues(region="510100"))) == ["A", "B"]
    assert sorted(names(search_venues(region="510000"))) == ["A", "B", "C"]


def test_search_text_matches_name_address_county_and_sport():
    make_venue(name="城北体育馆", address="天府大道北段", sports=("badminton",))

    assert names(search_venues(q="羽毛球")) == ["城北体育馆"]
    assert names(search_venues(q="武侯")) == ["城北体育馆"]
    assert names(search_venues(q="天府 城北")) == ["城北体育馆"]
    assert names(search_venues(q="游泳")) == []


def test_search_bookable_needs_a_bookable_court():
    with_court = make_venue(name="有场地")
    make_court(with_court)
    no_court = make_venue(name="无场地")
    make_court(no_court, is_bookable=False)

    assert names(search_venues(bookable=True)) == ["有场地"]
    assert names(search_venues(bookable=False)) == ["无场地"]


def test_search_hides_unpublished():
    make_venue(name="草稿", is_published=False)
    assert names(search_venues()) == []


def test_search_near_orders_by_distance_and_radius_limits():
    make_venue(name="远", lat="30.700000", lng="104.100000")
    make_venue(name="近", lat="30.641000", lng="104.041000")
    make_venue(name="中", lat="30.660000", lng="104.060000")

    here = Near(lat=30.64, lng=104.04)
    assert names(search_venues(near=here)) == ["近", "中", "远"]
    assert names(search_venues(near=Near(lat=30.64, lng=104.04, radius_m=3000))) == ["近", "中"]


def test_open_now_follows_weekly_pattern():
    make_venue(name="白天", hours={2: [("08:00", "12:00"), ("14:00", "22:00")]})
    make_venue(name="周末", hours={5: [("08:00", "22:00")], 6: [("08:00", "22:00")]})

    assert names(search_venues(open_now=True, at=WED_10)) == ["白天"]
    assert names(search_venues(open_now=True, at=WED_23)) == []
    lunch = datetime(2026, 11, 18, 13, 0, tzinfo=SH)
    assert names(search_venues(open_now=True, at=lunch)) == []


def test_open_now_honours_a_closure_and_special_hours():
    closed = make_venue(name="闭馆")
    OpeningException.objects.create(venue=closed, date=date(2026, 11, 18), is_closed=True, reason="设备检修")
    late = make_venue(name="延时", hours={})
    OpeningException.objects.create(
        venue=late, date=date(2026, 11, 18), is_closed=False, opens=time(9), closes=time(23, 30)
    )

    assert names(search_venues(open_now=True, at=WED_10)) == ["延时"]
    assert names(search_venues(open_now=True, at=WED_23)) == ["延时"]
    assert Venue.objects.filter(open_now_q(WED_10)).count() == 1


def test_opening_state_reports_today_and_next_opening():
    venue = make_venue(hours={2: [("08:00", "12:00"), ("14:00", "22:00")]})
    venue = Venue.objects.prefetch_related("opening_hours", "opening_exceptions").get(pk=venue.pk)

    at_lunch = opening_state(venue, datetime(2026, 11, 18, 13, 0, tzinfo=SH))
    assert not at_lunch.open_now
    assert at_lunch.opens_at == time(14)
    at_ten = opening_state(venue, WED_10, week=True)
    assert at_ten.open_now and at_ten.closes_at == time(12)
    assert len(at_ten.week) == 7
    assert hours_on(venue, date(2026, 11, 19)).is_closed_all_day  # Thursday: no intervals


def test_search_text_follows_sport_changes():
    venue = make_venue(name="综合馆")
    assert names(search_venues(q="网球")) == []
    venue.sports.set([*venue.sports.all()])
    from sportsplatform.venues.models import Sport

    venue.sports.add(Sport.objects.get(code="tennis"))
    venue.refresh_search_text()
    assert names(search_venues(q="网球")) == ["综合馆"]
