"""Public facility pages: the list (filters, cascade, pagination, empty state, nearest first) and a
facility (fields, equipment, trail map, navigation links, 404 for unpublished)."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from sportsplatform.core.geo import wgs84_to_gcj02
from sportsplatform.facilities.models import EquipmentCondition, FacilityKind, TrailKind
from tests.support.queries import assert_same_query_count

from .factories import make_equipment, make_facility, make_trail

pytestmark = pytest.mark.django_db
LIST = "/facilities/"


def card_names(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'class="facility-card-title"><a href="/facilities/\d+/">([^<]+)</a>', html)


def test_facility_urls_are_named():
    assert reverse("facilities:list") == LIST
    assert reverse("facilities:detail", args=[7]) == "/facilities/7/"


def test_list_shows_published_facilities_with_kind_county_and_equipment_count(client):
    path = make_facility(name="望江健身路径", kind=FacilityKind.FITNESS_PATH, area=Decimal("800"))
    make_equipment(path, kind="太空漫步机", count=4)
    make_equipment(path, kind="腰背按摩器", count=2)
    make_equipment(path, kind="旧单杠", count=3, condition=EquipmentCondition.REMOVED)
    make_facility(name="草稿健身点", is_published=False)

    response = client.get(LIST)

    assert response.status_code == 200
    assert card_names(response) == ["望江健身路径"]
    html = response.content.decode()
    assert "武侯区" in html
    assert "800 平方米" in html
    assert "6 pieces" in html or "6 件" in html  # removed equipment is not on site


def test_list_trail_card_shows_length_in_km(client):
    make_trail(name="锦江健走步道")  # about 1.1 km

    html = client.get(LIST).content.decode()

    assert re.search(r"1\.1\s*(km|公里)", html)


def test_list_filters_by_kind(client):
    make_facility(name="体育公园", kind=FacilityKind.SPORTS_PARK)
    make_facility(name="健身路径", kind=FacilityKind.FITNESS_PATH)

    assert card_names(client.get(LIST, {"kind": "sports_park"})) == ["体育公园"]


def test_list_trail_kind_narrows_to_trails_of_that_kind(client):
    make_trail(name="登山步道", trail_kind=TrailKind.HIKING)
    make_trail(name="骑行道", trail_kind=TrailKind.CYCLING)
    make_facility(name="健身路径")

    assert card_names(client.get(LIST, {"trail_kind": "hiking"})) == ["登山步道"]
    assert sorted(card_names(client.get(LIST, {"kind": "trail"}))) == ["登山步道", "骑行道"]


def test_list_filters_by_city_then_county(client):
    make_facility(name="武侯点", region="510107")
    make_facility(name="锦江点", region="510104")
    make_facility(name="绵阳点", region="510703")

    assert sorted(card_names(client.get(LIST, {"city": "510100"}))) == ["武侯点", "锦江点"]
    assert card_names(client.get(LIST, {"city": "510100", "county": "510104"})) == ["锦江点"]


def test_list_county_select_offers_the_counties_of_the_chosen_city(client):
    html = client.get(LIST, {"city": "510100"}).content.decode()
    county = re.search(r'<div class="field" id="facility-county">(.*?)</div>', html, re.S).group(1)

    assert 'value="510107"' in county  # 武侯区
    assert 'value="510703"' not in county  # 涪城区 is in Mianyang
    assert "disabled" not in county


def test_list_county_select_is_disabled_until_a_city_is_chosen(client):
    html = client.get(LIST).content.decode()
    county = re.search(r'<div class="field" id="facility-county">(.*?)</div>', html, re.S).group(1)

    assert "disabled" in county


def test_list_county_of_another_city_is_ignored(client):
    make_facility(name="武侯点", region="510107")
    make_facility(name="绵阳点", region="510703")

    # 涪城区 is not in Chengdu: the city filter still applies, the stale county does not.
    assert card_names(client.get(LIST, {"city": "510100", "county": "510703"})) == ["武侯点"]


def test_list_text_search_matches_name_and_address(client):
    make_facility(name="浣花溪健身路径", address="青华路")
    make_facility(name="望江楼健身路径", address="望江路")

    assert card_names(client.get(LIST, {"q": "浣花"})) == ["浣花溪健身路径"]
    assert card_names(client.get(LIST, {"q": "望江路"})) == ["望江楼健身路径"]


def test_list_near_orders_by_distance_and_shows_it(client):
    make_facility(name="远", lat="30.700000", lng="104.100000")
    make_facility(name="近", lat="30.641000", lng="104.041000")

    response = client.get(LIST, {"near": "30.640000,104.040000"})

    assert card_names(response) == ["近", "远"]
    assert "facility-distance" in response.content.decode()


def test_list_bad_near_value_is_ignored(client):
    make_facility(name="甲")

    response = client.get(LIST, {"near": "north,of here"})

    assert response.status_code == 200
    assert card_names(response) == ["甲"]


def test_list_empty_state_when_nothing_matches(client):
    make_facility(name="健身路径")

    html = client.get(LIST, {"q": "不存在的地方"}).content.decode()

    assert 'class="empty"' in html
    assert 'class="facility-cards"' not in html


def test_list_paginates_twenty_per_page(client):
    for n in range(23):
        make_facility(name=f"健身点{n:02d}")

    first = client.get(LIST)
    second = client.get(LIST, {"page": 2})

    assert len(card_names(first)) == 20
    assert len(card_names(second)) == 3
    assert 'rel="next"' in first.content.decode()


def test_list_costs_the_same_queries_for_one_and_twenty_facilities(client):
    def make_rows(n):
        for _ in range(n):
            facility = make_facility()
            make_equipment(facility, count=2)

    assert_same_query_count(client, LIST, make_rows)


# --- detail ------------------------------------------------------------------------------------


def test_detail_shows_fields_and_equipment_inventory(client):
    facility = make_facility(
        name="望江楼公园健身路径",
        area=Decimal("800"),
        year_built=2018,
        phone="028-88886666",
        opening_hours="全天开放",
        managing_body="成都市体育局",
        description="文明使用器材。",
    )
    make_equipment(
        facility,
        kind="太空漫步机",
        count=4,
        installed_on=date(2019, 5, 1),
        last_inspected_on=date(2026, 3, 1),
    )
    make_equipment(facility, kind="双人坐蹬器", count=1, condition=EquipmentCondition.BROKEN)

    response = client.get(f"/facilities/{facility.pk}/")

    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "望江楼公园健身路径",
        "800 平方米",
        "2018",
        "028-88886666",
        "全天开放",
        "成都市体育局",
        "文明使用器材",
    ):
        assert text in html
    assert "太空漫步机" in html and "2019-05-01" in html and "2026-03-01" in html
    assert "badge-error" in html  # the broken one
    assert "badge-success" in html


def test_detail_of_unpublished_facility_is_404(client):
    facility = make_facility(is_published=False)

    assert client.get(f"/facilities/{facility.pk}/").status_code == 404


def test_detail_of_unknown_facility_is_404(client):
    assert client.get("/facilities/987654/").status_code == 404


def test_detail_navigation_links_carry_gcj02_coordinates(client):
    facility = make_facility(name="浣花溪健身路径", lat="30.658000", lng="104.030000")
    gcj = wgs84_to_gcj02(30.658, 104.03)

    html = client.get(f"/facilities/{facility.pk}/").content.decode()

    assert f"uri.amap.com/navigation?to={gcj.lng:.6f},{gcj.lat:.6f}," in html
    assert f"destination=latlng:{gcj.lat:.6f},{gcj.lng:.6f}|" in html
    assert f"tocoord={gcj.lat:.6f},{gcj.lng:.6f}" in html
    # GCJ-02 is offset from WGS-84 by a few hundred metres in China: the links are not WGS-84.
    assert "to=104.030000,30.658000" not in html


def test_detail_of_trail_draws_its_line_and_length_and_navigates_to_its_start(client):
    trail = make_trail(name="锦江健走步道", path=[[104.04, 30.64], [104.04, 30.645], [104.04, 30.65]])
    start = wgs84_to_gcj02(30.64, 104.04)

    html = client.get(f"/facilities/{trail.pk}/").content.decode()

    config = json.loads(
        re.search(r'<script id="trail-map-config" type="application/json">(.*?)</script>', html).group(1)
    )
    assert config["line"] == [[30.64, 104.04], [30.645, 104.04], [30.65, 104.04]]  # Leaflet's [lat, lng]
    assert config["trailKind"] == "walking"
    assert "data-trail-map" in html
    assert re.search(r"1\.1\s*(km|公里)", html)
    assert f"to={start.lng:.6f},{start.lat:.6f}," in html


def test_detail_links_to_the_map_focused_on_the_facility(client):
    facility = make_facility()

    html = client.get(f"/facilities/{facility.pk}/").content.decode()

    assert f'href="/map/?focus=facility%3A{facility.pk}"' in html


def test_detail_costs_the_same_queries_for_one_and_twenty_equipment_lines(client):
    facility = make_facility()

    def make_rows(n):
        for i in range(n):
            make_equipment(facility, kind=f"器材{i}")

    assert_same_query_count(client, f"/facilities/{facility.pk}/", make_rows)
