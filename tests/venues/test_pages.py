"""The public venue pages: search (venues:list), detail (venues:detail), opening (venues:opening)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from sportsplatform.core.geo import wgs84_to_gcj02
from sportsplatform.portal.navigation import visible_entries
from sportsplatform.venues.models import OpeningException, VenueDocument, VenuePhoto
from tests.support.queries import assert_same_query_count

from .factories import make_court, make_venue

pytestmark = pytest.mark.django_db

LIST = "/venues/"
OPENING = "/venues/open/"
ALWAYS_OPEN = {d: [("00:00", "23:59:59")] for d in range(7)}
NEVER_OPEN: dict = {}


def card_names(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'class="venue-card-title"><a href="/venues/\d+/">([^<]+)</a>', html)


def detail_url(venue) -> str:
    return reverse("venues:detail", args=[venue.pk])


# --- search ------------------------------------------------------------------------------


def test_list_shows_each_venue_with_type_county_sports_and_today_hours(client):
    make_venue(name="武侯羽毛球馆", sports=("badminton",), star_rating=4, hours=ALWAYS_OPEN)

    response = client.get(LIST)

    assert response.status_code == 200
    html = response.content.decode()
    assert card_names(response) == ["武侯羽毛球馆"]
    assert "武侯区" in html
    assert "羽毛球" in html
    assert "00:00–23:59" in html
    assert 'aria-label="4-star venue"' in html or "4 星" in html


def test_list_filters_badminton_in_wuhou_through_the_region_cascade(client):
    make_venue(name="武侯羽毛球馆", sports=("badminton",))
    make_venue(name="锦江羽毛球馆", region="510104", sports=("badminton",))
    make_venue(name="武侯游泳馆", sports=("swimming",))

    response = client.get(LIST, {"province": "510000", "city": "510100", "county": "510107", "sport": "badminton"})

    assert card_names(response) == ["武侯羽毛球馆"]
    html = response.content.decode()
    assert '<option value="510107" selected>' in html  # the county select keeps the choice
    assert "notice-warning" not in html


def test_list_city_filter_includes_its_counties(client):
    make_venue(name="武侯馆", region="510107")
    make_venue(name="锦江馆", region="510104")
    make_venue(name="涪城馆", region="510703")

    response = client.get(LIST, {"province": "510000", "city": "510100"})

    assert sorted(card_names(response)) == ["武侯馆", "锦江馆"]


def test_list_region_code_alone_fills_the_three_selects(client):
    make_venue(name="武侯馆", region="510107")
    make_venue(name="锦江馆", region="510104")

    response = client.get(LIST, {"region": "510107"})

    html = response.content.decode()
    assert card_names(response) == ["武侯馆"]
    for code in ("510000", "510100", "510107"):
        assert f'<option value="{code}" selected>' in html


def test_list_text_search_matches_name_and_sport(client):
    make_venue(name="城北体育馆", sports=("badminton",))
    make_venue(name="城南游泳馆", sports=("swimming",))

    assert card_names(client.get(LIST, {"q": "羽毛球"})) == ["城北体育馆"]
    assert card_names(client.get(LIST, {"q": "城南"})) == ["城南游泳馆"]


def test_list_type_open_now_and_bookable_filters(client):
    open_hall = make_venue(name="开放馆", type="gymnasium", hours=ALWAYS_OPEN)
    make_court(open_hall)
    make_venue(name="闭馆", type="gymnasium", hours=NEVER_OPEN)
    make_venue(name="开放无场地", type="natatorium", hours=ALWAYS_OPEN)

    assert sorted(card_names(client.get(LIST, {"open_now": "on"}))) == ["开放无场地", "开放馆"]
    assert card_names(client.get(LIST, {"bookable": "on"})) == ["开放馆"]
    assert sorted(card_names(client.get(LIST, {"type": "gymnasium"}))) == ["开放馆", "闭馆"]


def test_list_orders_by_star_rating_without_a_location(client):
    make_venue(name="三星", star_rating=3)
    make_venue(name="未评")
    make_venue(name="五星", star_rating=5)

    assert card_names(client.get(LIST)) == ["五星", "三星", "未评"]


def test_list_orders_by_distance_and_shows_it_when_near_is_given(client):
    make_venue(name="远", lat="30.700000", lng="104.100000", star_rating=5)
    make_venue(name="近", lat="30.641000", lng="104.041000")
    make_venue(name="中", lat="30.660000", lng="104.060000", star_rating=4)

    response = client.get(LIST, {"near": "30.64,104.04"})

    assert card_names(response) == ["近", "中", "远"]
    html = response.content.decode()
    assert "150 米" in html  # 近 is 147 m away, shown to the nearest 10 m
    assert 'data-near="30.64000,104.04000"' in html


@pytest.mark.parametrize(
    "params",
    [
        {"province": "zz"},
        {"province": "510000", "city": "500100"},  # a city that is not in the province
        {"county": "510107"},  # a county without its city
        {"near": "abc"},
        {"near": "91,200"},
        {"near": "nan,nan"},
        {"sport": "quidditch"},
        {"type": "castle"},
        {"region": "999999"},
        {"region": "x" * 500},
        {"q": "x" * 500},
    ],
)
def test_list_ignores_a_bad_filter_with_a_notice(client, params):
    make_venue(name="武侯馆")

    response = client.get(LIST, params)

    assert response.status_code == 200
    assert card_names(response) == ["武侯馆"]
    assert "notice-warning" in response.content.decode()


def test_list_bad_page_number_shows_a_page(client):
    make_venue(name="武侯馆")

    for page in ("x", "-1", "999", "1e9"):
        response = client.get(LIST, {"page": page})
        assert response.status_code == 200
        assert card_names(response) == ["武侯馆"]


def test_list_paginates_and_keeps_the_filters_in_page_links(client):
    for n in range(14):
        make_venue(name=f"羽毛球馆{n:02d}", sports=("badminton",))

    first = client.get(LIST, {"sport": "badminton"})
    second = client.get(LIST, {"sport": "badminton", "page": "2"})

    assert len(card_names(first)) == 12
    assert len(card_names(second)) == 2
    assert "?sport=badminton&amp;page=2" in first.content.decode()
    assert "14" in first.content.decode()  # the result count


def test_list_empty_state(client):
    make_venue(name="武侯馆")

    response = client.get(LIST, {"q": "没有这个场馆"})

    assert card_names(response) == []
    assert 'class="empty"' in response.content.decode()


def test_list_answers_htmx_with_the_results_only(client):
    make_venue(name="武侯馆")

    response = client.get(LIST, headers={"HX-Request": "true", "HX-Target": "venue-results"})

    html = response.content.decode()
    assert "<html" not in html
    assert 'id="venue-results"' in html
    assert 'id="venue-count"' in html and 'hx-swap-oob="innerHTML"' in html
    assert card_names(response) == ["武侯馆"]
    assert "HX-Request" in response.headers["Vary"]


def test_list_history_restore_gets_the_whole_page(client):
    response = client.get(
        LIST, headers={"HX-Request": "true", "HX-Target": "venue-results", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_list_hides_unpublished_venues(client):
    make_venue(name="草稿", is_published=False)
    make_venue(name="已发布")

    assert card_names(client.get(LIST)) == ["已发布"]


def _listed_venue_with_everything(n: int) -> None:
    for _ in range(n):
        venue = make_venue(sports=("badminton", "basketball"), star_rating=3)
        make_court(venue)
        VenuePhoto.objects.create(venue=venue, image=f"venues/{venue.pk}/a.jpg", width=800, height=500)
        OpeningException.objects.create(venue=venue, date=timezone.localdate(), is_closed=True, reason="检修")


def test_list_query_count_does_not_grow_with_the_rows(client):
    assert_same_query_count(client, LIST + "?province=510000&city=510100&county=510107", _listed_venue_with_everything)


def test_list_query_count_with_a_location_does_not_grow(client):
    assert_same_query_count(client, LIST + "?near=30.6,104.0&open_now=on&bookable=on", _always_open_bookable)


def _always_open_bookable(n: int) -> None:
    for _ in range(n):
        make_court(make_venue(hours=ALWAYS_OPEN, sports=("badminton",)))


def test_list_shows_the_cover_thumbnail_or_a_placeholder(client):
    with_photo = make_venue(name="有照片")
    VenuePhoto.objects.create(
        venue=with_photo, image="venues/1/big.jpg", thumbnail="venues/1/small.jpg", width=800, height=500
    )
    make_venue(name="无照片")

    html = client.get(LIST).content.decode()

    assert "/media/venues/1/small.jpg" in html
    assert "/media/venues/1/big.jpg" not in html
    assert "venue-placeholder" in html


# --- detail ------------------------------------------------------------------------------


def _document(venue, *, title: str, public: bool, valid_until: date | None = None) -> VenueDocument:
    return VenueDocument.objects.create(
        venue=venue,
        kind="inspection",
        title=title,
        file=f"venues/{venue.pk}/{title}.pdf",
        content_type="application/pdf",
        size=1024,
        issued_on=date(2024, 1, 1),
        valid_until=valid_until,
        is_public=public,
    )


def test_detail_shows_hours_with_today_courts_and_prices(client):
    venue = make_venue(name="武侯羽毛球馆", sports=("badminton",), phone="028-8512 3456", amenities=["parking"])
    make_court(venue, name="1号场", price="35.00", capacity=4)

    response = client.get(detail_url(venue))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "武侯羽毛球馆" in html
    assert html.count('aria-current="date"') == 1  # today's row of the weekly table
    assert "08:00–22:00" in html
    assert "1号场" in html
    assert "¥35.00/" in html
    assert 'href="tel:02885123456"' in html
    assert "#amenity-parking" in html


def test_detail_lists_the_next_weeks_closures(client):
    venue = make_venue()
    day = timezone.localdate() + timedelta(days=2)
    OpeningException.objects.create(venue=venue, date=day, is_closed=True, reason="设备检修")
    OpeningException.objects.create(venue=venue, date=day + timedelta(days=30), is_closed=True, reason="远期闭馆")

    html = client.get(detail_url(venue)).content.decode()

    assert "设备检修" in html
    assert "远期闭馆" not in html


def test_detail_shows_public_documents_only_and_flags_expired_ones(client):
    venue = make_venue()
    _document(venue, title="消防检测报告", public=True, valid_until=date(2024, 6, 1))
    _document(venue, title="内部施工图", public=False)

    html = client.get(detail_url(venue)).content.decode()

    assert "消防检测报告" in html
    assert "/venues/documents/" in html
    assert "内部施工图" not in html
    assert "badge-error" in html  # expired


def test_detail_of_an_unpublished_venue_is_not_found(client):
    venue = make_venue(is_published=False)

    assert client.get(detail_url(venue)).status_code == 404
    assert client.get("/venues/999999/").status_code == 404
    assert client.get("/venues/abc/").status_code == 404


def test_detail_navigation_links_use_gcj02_coordinates(client):
    venue = make_venue(name="武侯羽毛球馆", lat="30.640000", lng="104.040000")
    gcj = wgs84_to_gcj02(30.64, 104.04)

    html = client.get(detail_url(venue)).content.decode()

    amap = re.search(r'href="(https://uri\.amap\.com/navigation\?[^"]+)"', html).group(1)
    assert f"to={gcj.lng:.6f},{gcj.lat:.6f}" in amap
    assert "104.040000,30.640000" not in amap
    assert "api.map.baidu.com" in html and "apis.map.qq.com" in html
    assert html.count('target="_blank" rel="noopener"') >= 3


def test_detail_map_carries_the_wgs84_position_for_leaflet(client, settings):
    settings.MAP_TILE_URL = "https://tiles.example.test/{z}/{x}/{y}.png"
    venue = make_venue(lat="30.640000", lng="104.040000")

    html = client.get(detail_url(venue)).content.decode()

    assert 'data-lat="30.640000"' in html and 'data-lng="104.040000"' in html
    assert 'data-tile-url="https://tiles.example.test/{z}/{x}/{y}.png"' in html
    assert "vendor/leaflet/leaflet.js" in html


def test_detail_links_to_the_fitness_map_when_it_exists(client):
    venue = make_venue()
    html = client.get(detail_url(venue)).content.decode()
    try:
        map_url = reverse("map:index")
    except NoReverseMatch:
        assert "focus=venue" not in html
    else:
        assert f'href="{map_url}?focus=venue%3A{venue.pk}"' in html


def test_detail_query_count_does_not_grow_with_courts_and_photos(client):
    venue = make_venue(sports=("badminton",))

    def add(n):
        start = venue.courts.count()
        for i in range(start, start + n):
            make_court(venue, name=f"{i}号场")
            VenuePhoto.objects.create(venue=venue, image=f"venues/{venue.pk}/{i}.jpg", width=8, height=5)

    assert_same_query_count(client, detail_url(venue), add)


# --- opening (场馆开放) ----------------------------------------------------------------------


def test_opening_lists_open_and_closed_venues_with_today_hours(client):
    make_venue(name="开放馆", hours=ALWAYS_OPEN, capacity=300, star_rating=4)
    make_venue(name="闭馆", hours=NEVER_OPEN)

    html = client.get(OPENING).content.decode()

    assert "开放馆" in html and "闭馆" in html
    assert "badge-success" in html and "badge-muted" in html
    assert "00:00–23:59" in html
    assert "300" in html


def test_opening_filters_by_name_region_and_type(client):
    make_venue(name="武侯体育馆", type="gymnasium")
    make_venue(name="武侯游泳馆", type="natatorium")
    make_venue(name="锦江体育馆", region="510104", type="gymnasium")

    html = client.get(OPENING, {"q": "武侯", "type": "gymnasium"}).content.decode()
    assert "武侯体育馆" in html and "武侯游泳馆" not in html and "锦江体育馆" not in html

    html = client.get(OPENING, {"province": "510000", "city": "510100", "county": "510104"}).content.decode()
    assert "锦江体育馆" in html and "武侯体育馆" not in html


def test_opening_tolerates_bad_filters(client):
    make_venue(name="武侯体育馆")

    response = client.get(OPENING, {"province": "nope", "type": "x", "page": "zz"})

    assert response.status_code == 200
    assert "武侯体育馆" in response.content.decode()
    assert "notice-warning" in response.content.decode()


def test_opening_query_count_does_not_grow_with_the_rows(client):
    assert_same_query_count(client, OPENING, _listed_venue_with_everything)


def test_opening_is_in_the_public_navigation():
    entries = {e.key: e.url for e in visible_entries()}

    assert entries["venues"] == LIST
    assert entries["venue_opening"] == OPENING


def test_detail_price_is_yuan_per_hour_with_two_decimals(client):
    venue = make_venue()
    make_court(venue, price="35")

    assert "¥35.00/" in client.get(detail_url(venue)).content.decode()


def test_detail_decimal_areas_are_shown_without_trailing_zero(client):
    venue = make_venue(floor_area=Decimal("5400.0"))

    html = client.get(detail_url(venue)).content.decode()

    assert "5400 m²" in html or "5400 平方米" in html


def test_public_document_downloads_only_published_ones(client, settings, tmp_path):
    from sportsplatform.venues.models import VenueDocument

    settings.MEDIA_ROOT = tmp_path
    venue = make_venue()
    _document(venue, title="消防检测报告", public=True, valid_until=date(2024, 6, 1))
    _document(venue, title="内部施工图", public=False)
    public = VenueDocument.objects.get(title="消防检测报告")
    private = VenueDocument.objects.get(title="内部施工图")
    for document in (public, private):
        path = tmp_path / document.file.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4 test")

    response = client.get(f"/venues/documents/{public.pk}/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert client.get(f"/venues/documents/{private.pk}/").status_code == 404
    venue.is_published = False
    venue.save()
    assert client.get(f"/venues/documents/{public.pk}/").status_code == 404
