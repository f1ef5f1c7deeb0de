"""/screen/ and its boundary files: who gets in, which region they see, and the map data."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from sportsplatform.regions.domain.sync import read_divisions
from sportsplatform.screen.domain.boundaries import boundary_codes, boundary_path, boundary_url
from tests.support import accounts
from tests.support.queries import assert_same_query_count
from tests.venues.factories import make_venue

from .factories import make_occupancy

pytestmark = pytest.mark.django_db

SCREEN = "/screen/"


@pytest.fixture
def regions():
    return accounts.ensure_regions()


def sign_in(client, user, *, method: str | None = None) -> None:
    cookie = accounts.session_cookie_for(user, method=method)
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie["value"]


def test_anonymous_visitors_are_sent_to_the_staff_sign_in(client):
    response = client.get(SCREEN, {"region": "510100"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/staff/login/?next=%2Fscreen%2F%3Fregion%3D510100"


def test_an_official_signed_in_by_sms_code_alone_must_sign_in_with_a_password(client, regions):
    official = accounts.make_official(region_code="510100")
    sign_in(client, official, method="sms")

    response = client.get(SCREEN)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/staff/login/")


def test_operators_and_public_users_are_refused(client, regions):
    for user in (accounts.make_operator(region_code="510107"), accounts.make_public_user(phone="13900000011")):
        sign_in(client, user, method="password")
        assert client.get(SCREEN).status_code == 403


def test_city_official_sees_their_city_and_only_its_regions_to_choose(client, regions):
    official = accounts.make_official(region_code="510100")
    make_venue(name="武侯全民健身中心", region="510107", capacity=50)
    make_venue(name="绵阳体育馆", region="510703")
    make_occupancy(make_venue(name="锦江游泳馆", region="510104"), today_in=321)
    sign_in(client, official)

    response = client.get(SCREEN)

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>成都市 · " in page
    assert "锦江游泳馆" in page and "321" in page
    summary = response.context["summary"]
    assert summary["region"]["code"] == "510100"
    assert summary["venues"]["total"] == 2
    choices = [c["code"] for c in response.context["region_choices"]]
    assert choices[0] == "510100" and all(code.startswith("5101") for code in choices)
    assert "绵阳" not in page


@pytest.mark.parametrize("code", ["510000", "510700", "510703", "999999", "abc", "5101000"])
def test_city_official_asking_for_another_region_gets_404(client, regions, code):
    sign_in(client, accounts.make_official(region_code="510100"))

    assert client.get(SCREEN, {"region": code}).status_code == 404


def test_province_official_drills_down_to_a_county_with_the_way_back(client, regions):
    sign_in(client, accounts.make_official(region_code="510000"))

    response = client.get(SCREEN, {"region": "510107"})

    assert response.status_code == 200
    crumbs = response.context["summary"]["breadcrumb"]
    assert [c["code"] for c in crumbs] == ["510000", "510100"]
    assert 'href="?region=510100"' in response.content.decode()


def test_screen_page_costs_the_same_queries_for_one_venue_as_for_twenty(client, regions):
    sign_in(client, accounts.make_official(region_code="510100"))

    def make_rows(n):
        for i in range(n):
            make_occupancy(make_venue(region="510107", capacity=100), today_in=10 + i)

    assert_same_query_count(client, f"{SCREEN}?region=510100", make_rows)


# --- boundaries ---------------------------------------------------------------------------------


def test_boundary_files_cover_sichuan_and_name_divisions_like_the_region_table():
    divisions = {d["code"]: d for d in read_divisions()["divisions"] if d["code"].startswith("51")}
    prefectures = sorted(c for c, d in divisions.items() if d["level"] == "prefecture" and not d["valid_to"])

    assert boundary_codes() == ["510000", *prefectures]
    province = json.loads(boundary_path("510000").read_text())
    assert len(province["features"]) == 21
    assert {f["properties"]["code"]: f["properties"]["name"] for f in province["features"]} == {
        c: divisions[c]["name"] for c in prefectures
    }
    counties = 0
    for code in prefectures:
        features = json.loads(boundary_path(code).read_text())["features"]
        assert all(divisions[f["properties"]["code"]]["parent"] == code for f in features)
        assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in features)
        counties += len(features)
    assert counties == 183
    assert boundary_path("510000").stat().st_size < 500_000


def test_boundary_is_served_under_its_content_hash_for_a_year(client):
    url = boundary_url("510100")

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert "max-age=31536000" in response["Cache-Control"] and "immutable" in response["Cache-Control"]
    assert len(json.loads(b"".join(response.streaming_content))["features"]) == 20
    stale = url.replace(url.rsplit(".", 2)[1], "0" * 12)
    assert client.get(stale).status_code == 404
    assert client.get("/screen/boundaries/500000.000000000000.json").status_code == 404


def test_back_office_sidebar_links_the_screen_for_officials_only(client, regions):
    official = accounts.make_official(region_code="510100")
    operator = accounts.make_operator(region_code="510107")

    sign_in(client, official)
    assert 'href="/screen/"' in client.get("/admin/").content.decode()
    sign_in(client, operator)
    page = client.get("/admin/")
    assert page.status_code == 200
    assert 'href="/screen/"' not in page.content.decode()
