"""GET /api/v1/venues and /api/v1/venues/{id} (API.md, "Places")."""

from __future__ import annotations

import io
from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from sportsplatform.accounts.models import Organisation
from sportsplatform.core.geo import wgs84_to_gcj02
from sportsplatform.venues.models import OpeningException, VenueDocument, VenuePhoto
from tests.support.queries import assert_same_query_count

from .factories import make_court, make_venue

pytestmark = pytest.mark.django_db

ALL_DAY = {d: [("00:00", "23:59:59")] for d in range(7)}
CLOSED = {}
LIST_KEYS = {"id", "name", "type", "sports", "region_code", "address", "lat", "lng", "rating", "open_now", "occupancy"}


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def names(response):
    return [row["name"] for row in results(response)]


# --- the journey of the "Done when" ------------------------------------------------


def test_phone_user_finds_badminton_in_wuhou_opens_it_and_navigates_with_gcj02(client):
    venue = make_venue(name="武侯羽毛球馆", sports=("badminton",), lat="30.64", lng="104.04", phone="028-85550000")
    make_court(venue, name="1号场", price="35.00")
    make_court(venue, name="2号场", price="40.00", is_bookable=False)
    make_venue(name="锦江羽毛球馆", region="510104", sports=("badminton",))
    make_venue(name="武侯游泳馆", sports=("swimming",))

    by_filter = client.get("/api/v1/venues?sport=badminton&region=510107")
    by_words = client.get("/api/v1/venues", {"q": "羽毛球", "region": "510107"})

    assert names(by_filter) == ["武侯羽毛球馆"]
    assert names(by_words) == ["武侯羽毛球馆"]
    row = results(by_filter)[0]
    assert row.keys() >= LIST_KEYS
    assert row["sports"] == ["badminton"]
    assert row["sport_names"] == ["羽毛球"]
    assert row["region_code"] == "510107"
    assert row["occupancy"] is None

    detail = client.get(f"/api/v1/venues/{row['id']}")

    assert detail.status_code == 200
    body = detail.json()
    today = [d for d in body["opening_hours"]["days"] if d["is_today"]]
    assert len(today) == 1
    assert today[0]["date"] == timezone.localdate().isoformat()
    assert today[0]["intervals"] == [{"opens": "08:00", "closes": "22:00"}]
    assert [(c["name"], c["price_per_hour"], c["is_bookable"]) for c in body["courts"]] == [
        ("1号场", "35.00", True),
        ("2号场", "40.00", False),
    ]
    assert body["phone"] == "028-85550000"
    # WGS-84 (30.64, 104.04) → GCJ-02 (30.637521, 104.042444), AMap's axis order is lng,lat.
    assert body["navigation"]["gcj02"] == pytest.approx({"lat": 30.637521, "lng": 104.042444}, abs=5e-6)
    assert "to=104.042444,30.637521," in body["navigation"]["amap"]


def test_known_gcj02_conversion():
    gcj = wgs84_to_gcj02(30.64, 104.04)

    assert round(gcj.lat, 5) == 30.63752
    assert round(gcj.lng, 5) == 104.04244


# --- list --------------------------------------------------------------------------------------


def test_list_pagination_shape_and_page_size(client):
    for i in range(3):
        make_venue(name=f"馆{i}")

    first = client.get("/api/v1/venues?page_size=2").json()
    second = client.get("/api/v1/venues?page_size=2&page=2").json()

    assert first.keys() == {"count", "next", "previous", "results"}
    assert first["count"] == 3
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert parse_qs(urlparse(first["next"]).query)["page"] == ["2"]
    assert len(second["results"]) == 1
    assert second["next"] is None


def test_list_page_past_the_end_is_404_in_the_error_format(client):
    make_venue()

    response = client.get("/api/v1/venues?page=9")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_list_near_orders_by_distance_and_gives_metres(client):
    make_venue(name="远", lat="30.70", lng="104.04")
    make_venue(name="近", lat="30.641", lng="104.04")
    make_venue(name="中", lat="30.66", lng="104.04")

    rows = results(client.get("/api/v1/venues?near=30.64,104.04"))

    assert [r["name"] for r in rows] == ["近", "中", "远"]
    assert 100 < rows[0]["distance_m"] < 120
    assert rows[0]["distance_m"] < rows[1]["distance_m"] < rows[2]["distance_m"]


def test_list_near_with_radius_leaves_out_far_venues(client):
    make_venue(name="近", lat="30.641", lng="104.04")
    make_venue(name="远", lat="30.70", lng="104.04")

    assert names(client.get("/api/v1/venues?near=30.64,104.04&radius=2000")) == ["近"]


def test_list_without_near_has_null_distance(client):
    make_venue()

    assert results(client.get("/api/v1/venues"))[0]["distance_m"] is None


def test_list_filters_type_ownership_and_bookable(client):
    pool = make_venue(name="游泳馆", type="natatorium", ownership="private")
    make_court(pool, name="泳道1", sport="swimming", kind="lane")
    make_venue(name="体育馆", type="gymnasium")

    assert names(client.get("/api/v1/venues?type=natatorium")) == ["游泳馆"]
    assert names(client.get("/api/v1/venues?ownership=public")) == ["体育馆"]
    assert names(client.get("/api/v1/venues?bookable=true")) == ["游泳馆"]
    assert names(client.get("/api/v1/venues?bookable=false")) == ["体育馆"]


def test_list_open_now_filter_and_flag(client):
    make_venue(name="全天", hours=ALL_DAY)
    make_venue(name="停业", hours=CLOSED)

    open_rows = results(client.get("/api/v1/venues?open_now=true"))
    closed_rows = results(client.get("/api/v1/venues?open_now=false"))

    assert [(r["name"], r["open_now"]) for r in open_rows] == [("全天", True)]
    assert [(r["name"], r["open_now"]) for r in closed_rows] == [("停业", False)]
    assert closed_rows[0]["today_hours"]["closed"] is True


def test_list_region_of_a_city_includes_its_counties(client):
    make_venue(name="武侯", region="510107")
    make_venue(name="绵阳", region="510703")

    assert names(client.get("/api/v1/venues?region=510100")) == ["武侯"]


def test_list_rating_is_the_star_rating_or_null(client):
    make_venue(name="星级", star_rating=4)
    make_venue(name="无星")

    rows = {r["name"]: r["rating"] for r in results(client.get("/api/v1/venues"))}

    assert rows == {"星级": 4, "无星": None}


def test_list_hides_unpublished(client):
    make_venue(name="草稿", is_published=False)

    assert names(client.get("/api/v1/venues")) == []


def test_list_is_cacheable_for_a_minute(client):
    response = client.get("/api/v1/venues")

    assert "public" in response["Cache-Control"]
    assert "max-age=60" in response["Cache-Control"]


def test_list_sport_names_follow_accept_language(client):
    make_venue(sports=("badminton",))

    row = results(client.get("/api/v1/venues", headers={"Accept-Language": "en"}))[0]

    assert row["sport_names"] == ["Badminton"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("near=abc", "near"),
        ("near=30.64", "near"),
        ("near=95,104", "near"),
        ("near=30.64,200", "near"),
        ("sport=quidditch", "sport"),
        ("region=5101", "region"),
        ("region=999999", "region"),
        ("type=castle", "type"),
        ("ownership=shared", "ownership"),
        ("radius=500", "radius"),
        ("near=30.64,104.04&radius=0", "radius"),
        ("bookable=maybe", "bookable"),
    ],
)
def test_list_bad_input_is_400_with_field_errors(client, query, field):
    response = client.get(f"/api/v1/venues?{query}")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]


def test_list_errors_speak_chinese_by_default(client):
    response = client.get("/api/v1/venues?sport=quidditch", headers={"Accept-Language": "zh-hans"})

    assert response.status_code == 400
    assert response.json()["error"]["message"]


def test_list_costs_the_same_queries_for_1_and_20_venues(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    operator = Organisation.objects.create(name="运营公司", kind="operator", region_id="510107")

    def make_venues(n):
        for _ in range(n):
            venue = make_venue(sports=("badminton", "basketball"), operator=operator, star_rating=3)
            make_court(venue)
            add_photo(venue)
            OpeningException.objects.create(venue=venue, date=timezone.localdate(), is_closed=True, reason="检修")

    assert_same_query_count(client, "/api/v1/venues?page_size=50&near=30.6,104.0&sport=badminton", make_venues)


# --- detail ------------------------------------------------------------------------------------


def png_bytes(width=8, height=6) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def add_photo(venue, caption="正门") -> VenuePhoto:
    return VenuePhoto.objects.create(
        venue=venue, image=SimpleUploadedFile("door.png", png_bytes(), content_type="image/png"), caption=caption
    )


def add_document(venue, *, title, is_public, valid_until=None) -> VenueDocument:
    return VenueDocument.objects.create(
        venue=venue,
        kind="inspection",
        title=title,
        file=SimpleUploadedFile("report.pdf", b"%PDF-1.4", content_type="application/pdf"),
        content_type="application/pdf",
        size=8,
        issued_on=date(2024, 1, 1),
        valid_until=valid_until,
        is_public=is_public,
    )


def test_detail_shows_only_public_documents_with_expiry(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    venue = make_venue()
    add_document(venue, title="公开的检测报告", is_public=True, valid_until=date(2025, 1, 1))
    add_document(venue, title="内部图纸", is_public=False)

    documents = client.get(f"/api/v1/venues/{venue.pk}").json()["documents"]

    assert [(d["title"], d["expired"]) for d in documents] == [("公开的检测报告", True)]
    assert documents[0]["url"].startswith("http://testserver/venues/documents/")


def test_detail_photos_have_urls_sizes_and_a_thumbnail(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    venue = make_venue()
    add_photo(venue, caption="正门")

    body = client.get(f"/api/v1/venues/{venue.pk}").json()

    [photo] = body["photos"]
    assert photo["caption"] == "正门"
    assert (photo["width"], photo["height"]) == (8, 6)
    assert photo["url"].startswith("http://testserver/media/venues/")
    assert photo["thumbnail_url"]  # the image itself until a thumbnail is made
    assert body["thumbnail"] == photo["thumbnail_url"]


def test_detail_opening_hours_apply_exceptions_and_flag_today(client):
    venue = make_venue(hours={0: [("09:00", "12:00"), ("14:00", "21:00")]})
    tomorrow = timezone.localdate() + timedelta(days=1)
    OpeningException.objects.create(venue=venue, date=tomorrow, is_closed=True, reason="设备检修")

    hours = client.get(f"/api/v1/venues/{venue.pk}").json()["opening_hours"]

    assert hours["weekly"][0]["intervals"] == [
        {"opens": "09:00", "closes": "12:00"},
        {"opens": "14:00", "closes": "21:00"},
    ]
    assert all(day["intervals"] == [] for day in hours["weekly"][1:])
    assert len(hours["days"]) == 7
    assert [d["is_today"] for d in hours["days"]] == [True, False, False, False, False, False, False]
    assert hours["days"][1] == {
        "date": tomorrow.isoformat(),
        "weekday": tomorrow.weekday(),
        "is_today": False,
        "closed": True,
        "intervals": [],
        "is_exception": True,
        "reason": "设备检修",
    }


def test_detail_has_operator_amenities_and_areas(client):
    operator = Organisation.objects.create(name="武侯体育公司", kind="operator", region_id="510107")
    venue = make_venue(
        operator=operator, amenities=["parking", "showers"], floor_area="1200.5", year_built=2015, description="好"
    )

    body = client.get(f"/api/v1/venues/{venue.pk}").json()

    assert body["operator"] == {"id": operator.pk, "name": "武侯体育公司"}
    assert [a["code"] for a in body["amenities"]] == ["parking", "showers"]
    assert body["floor_area"] == 1200.5
    assert body["year_built"] == 2015
    assert body["city_name"] == "成都市"


def test_detail_of_unpublished_venue_is_404(client):
    venue = make_venue(is_published=False)

    response = client.get(f"/api/v1/venues/{venue.pk}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_detail_of_missing_venue_is_404(client):
    assert client.get("/api/v1/venues/987654").status_code == 404


def test_detail_is_cacheable_for_a_minute(client):
    venue = make_venue()

    assert "max-age=60" in client.get(f"/api/v1/venues/{venue.pk}")["Cache-Control"]
