"""The fitness map page (map:index) and its navigation links (map:links)."""

from __future__ import annotations

import json
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from sportsplatform.core.geo import wgs84_to_bd09, wgs84_to_gcj02
from tests.facilities.factories import make_facility, make_trail
from tests.venues.factories import make_venue

pytestmark = pytest.mark.django_db
MAP = "/map/"
TIANDITU = (
    "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default"
    "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=KEY"
)


def map_config(response) -> dict:
    html = response.content.decode()
    match = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the page carries no map-config"
    return json.loads(match.group(1))


def checked_types(response) -> set[str]:
    html = response.content.decode()
    return set(re.findall(r'name="types" value="([^"]+)"[^>]*checked', html))


def test_map_urls_are_named():
    assert reverse("map:index") == MAP
    assert reverse("map:links", args=["venue", 3]) == "/map/links/venue/3/"


@override_settings(MAP_TILE_URL="")
def test_map_page_renders_without_a_tile_url(client):
    response = client.get(MAP)

    assert response.status_code == 200
    config = map_config(response)
    assert config["tiles"]["urls"] == []
    assert config["featuresUrl"] == "/api/v1/map/features"
    assert config["linksUrl"] == "/map/links/{layer}/{id}/"
    html = response.content.decode()
    assert 'role="region"' in html and 'id="map"' in html
    assert "vendor/leaflet/leaflet.js" in html
    assert "vendor/leaflet.markercluster/leaflet.markercluster.js" in html
    assert "js/map.js" in html
    assert "unpkg" not in html and "cdn" not in html.lower()


@override_settings(MAP_TILE_URL=TIANDITU, MAP_TILE_SUBDOMAINS="01234567", MAP_TILE_ATTRIBUTION="天地图")
def test_map_page_passes_the_configured_tiles(client):
    config = map_config(client.get(MAP))

    assert config["tiles"] == {"urls": [TIANDITU], "subdomains": "01234567", "attribution": "天地图"}


@override_settings(MAP_TILE_URL="https://a.example/{z}/{x}/{y}.png https://b.example/{z}/{x}/{y}.png")
def test_map_page_stacks_several_tile_urls(client):
    config = map_config(client.get(MAP))

    assert config["tiles"]["urls"] == ["https://a.example/{z}/{x}/{y}.png", "https://b.example/{z}/{x}/{y}.png"]


def test_map_filters_are_a_form_with_every_type_ticked_by_default(client):
    response = client.get(MAP)

    html = response.content.decode()
    assert re.search(r'<form id="map-filters"[^>]*method="get"', html)
    assert {"venue:gymnasium", "facility:sports_park", "facility:fitness_path", "trail:hiking", "trail:cycling"} <= (
        checked_types(response)
    )
    assert "facility:trail" not in html  # trails have their own group, by trail kind


def test_map_filters_keep_the_submitted_types(client):
    response = client.get(MAP, {"types": ["venue:stadium", "trail:hiking"]})

    assert checked_types(response) == {"venue:stadium", "trail:hiking"}


def test_map_labels_for_the_script_come_translated(client):
    config = map_config(client.get(MAP, headers={"accept-language": "zh-hans"}))

    assert {"zoomIn", "zoomOut", "closePopup", "openNow", "navigate", "amap", "baidu", "tencent"} <= set(
        config["labels"]
    )
    assert config["typeLabels"]["venue:gymnasium"]


def test_map_focus_on_a_venue_centres_on_it(client):
    venue = make_venue(name="四川省体育馆", lat="30.629000", lng="104.065000")

    config = map_config(client.get(MAP, {"focus": f"venue:{venue.pk}"}))

    assert config["focus"] == {"layer": "venue", "id": venue.pk, "name": "四川省体育馆", "lat": 30.629, "lng": 104.065}


def test_map_focus_on_a_trail_frames_its_line(client):
    trail = make_trail(path=[[104.04, 30.64], [104.05, 30.66]])

    focus = map_config(client.get(MAP, {"focus": f"facility:{trail.pk}"}))["focus"]

    assert focus["layer"] == "facility"
    assert focus["bounds"] == [[30.64, 104.04], [30.66, 104.05]]


@pytest.mark.parametrize("value", ["venue:999999", "facility:abc", "court:1", "venue:", "<script>"])
def test_map_focus_that_names_nothing_published_is_ignored(client, value):
    make_venue(is_published=False)

    response = client.get(MAP, {"focus": value})

    assert response.status_code == 200
    assert map_config(response)["focus"] is None


def test_map_focus_on_an_unpublished_venue_is_ignored(client):
    venue = make_venue(is_published=False)

    assert map_config(client.get(MAP, {"focus": f"venue:{venue.pk}"}))["focus"] is None


# --- links ---------------------------------------------------------------------------------


def test_links_for_a_venue_are_in_gcj02(client):
    venue = make_venue(name="四川省体育馆", lat="30.629000", lng="104.065000")
    gcj = wgs84_to_gcj02(30.629, 104.065)

    response = client.get(f"/map/links/venue/{venue.pk}/")

    assert response.status_code == 200
    data = response.json()
    assert data["gcj02"] == {"lat": round(gcj.lat, 6), "lng": round(gcj.lng, 6)}
    assert data["amap"].startswith(f"https://uri.amap.com/navigation?to={gcj.lng:.6f},{gcj.lat:.6f},")
    assert f"destination=latlng:{gcj.lat:.6f},{gcj.lng:.6f}|" in data["baidu"]
    assert "coord_type=gcj02" in data["baidu"]
    assert f"tocoord={gcj.lat:.6f},{gcj.lng:.6f}" in data["tencent"]
    # Neither WGS-84 nor BD-09 leaks into the links.
    bd = wgs84_to_bd09(30.629, 104.065)
    assert "104.065000,30.629000" not in data["amap"]
    assert f"{bd.lat:.6f}" not in data["baidu"]
    assert "public" in response["Cache-Control"]


def test_links_for_a_trail_lead_to_its_start(client):
    trail = make_trail(name="龙泉山登山步道", path=[[104.3, 30.56], [104.31, 30.57]])
    start = wgs84_to_gcj02(30.56, 104.3)

    data = client.get(f"/map/links/facility/{trail.pk}/").json()

    assert data["name"] == "龙泉山登山步道"
    assert f"to={start.lng:.6f},{start.lat:.6f}," in data["amap"]


def test_links_for_unpublished_places_are_404(client):
    venue = make_venue(is_published=False)
    facility = make_facility(is_published=False)

    assert client.get(f"/map/links/venue/{venue.pk}/").status_code == 404
    assert client.get(f"/map/links/facility/{facility.pk}/").status_code == 404


def test_links_for_an_unknown_layer_are_404(client):
    venue = make_venue()

    assert client.get(f"/map/links/court/{venue.pk}/").status_code == 404
