"""The data screen in Chromium: the 1920×1080 big screen with the map of Sichuan and real figures,
drill-down to a city and back, a city official's screen (their city only, live within 5 s of a gate
event), and the phone layout at 375 px. Screenshots go to var/screenshots/ (look at them)."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from sportsplatform.facilities.models import FacilityKind
from sportsplatform.orders.models import OrderStatus
from sportsplatform.regions.domain.sync import read_divisions, sync_regions
from sportsplatform.screen.domain.summary import forget_summaries
from sportsplatform.telemetry.domain import auth, live
from sportsplatform.telemetry.domain.devices import register_device
from sportsplatform.telemetry.models import DeviceKind
from sportsplatform.venues.models import Ownership, VenueType
from tests.browser.axe import assert_accessible
from tests.browser.helpers import t
from tests.facilities.factories import make_equipment, make_facility
from tests.support import accounts
from tests.support.browser import BROWSER
from tests.venues.factories import make_venue

from .factories import local, make_booking, make_occupancy, make_rollup

pytestmark = BROWSER

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
BIG = {"viewport": {"width": 1920, "height": 1080}}

PUBLIC, PRIVATE = Ownership.PUBLIC, Ownership.PRIVATE
# (name, county, type, ownership, lat, lng, site area m², entries today, inside now, capacity)
VENUES = [
    ("成都市体育中心", "510104", VenueType.STADIUM, PUBLIC, 30.664, 104.073, 86_000, 3_120, 640, 4_000),
    ("武侯区全民健身中心", "510107", VenueType.FITNESS_CENTRE, PUBLIC, 30.625, 104.035, 24_000, 1_860, 410, 500),
    ("锦江区游泳馆", "510104", VenueType.NATATORIUM, PUBLIC, 30.640, 104.100, 6_500, 940, 180, 300),
    ("浆洗街羽毛球馆", "510107", VenueType.GYMNASIUM, PRIVATE, 30.641, 104.046, 2_400, 520, 96, 120),
    ("玉林健身工作室", "510107", VenueType.GYM, PRIVATE, 30.627, 104.058, 600, 210, 35, 60),
    ("绵阳市体育馆", "510703", VenueType.GYMNASIUM, PUBLIC, 31.468, 104.741, 32_000, 1_430, 260, 2_000),
    ("涪城区全民健身中心", "510703", VenueType.FITNESS_CENTRE, PUBLIC, 31.455, 104.760, 18_000, 880, 150, 600),
]  # fmt: skip


@pytest.fixture(autouse=True)
def short_streams(settings):
    """The page's live stream (telemetry SSE) ends after 3 s and reconnects, as it does every
    TELEMETRY_STREAM_SECONDS in production, so no stream outlives its test for long."""
    settings.TELEMETRY_STREAM_SECONDS = 3
    return settings


@pytest.fixture
def seeded(db):
    """All of Sichuan's divisions (the map's 21 prefectures) and a small, known world in Chengdu
    and Mianyang: venues with today's gate counts, a month of daily rollups, today's hours,
    paid and refunded bookings, fitness paths with equipment."""
    sync_regions(data=read_divisions())
    accounts.ensure_regions()
    auth.forget_everything()
    live.forget_venue_facts()
    buyer = accounts.make_public_user(phone="13900000021")
    today = timezone.localdate()
    now = timezone.localtime()
    venues = {}
    for name, county, kind, ownership, lat, lng, area, entries, inside, capacity in VENUES:
        venue = make_venue(
            name=name, region=county, type=kind, ownership=ownership, lat=lat, lng=lng, site_area=area,
            capacity=capacity,
        )  # fmt: skip
        venues[name] = venue
        make_occupancy(venue, today_in=entries, today_out=entries - inside)
        for back in range(1, 30):
            day = today - timedelta(days=back)
            make_rollup(venue, day=day, entries=int(entries * (1.2 if day.weekday() >= 5 else 0.9) + 7 * back % 50))
        for hour in range(8, min(now.hour, 21) + 1):
            make_rollup(venue, day=today, hour=hour, entries=entries // 14, exits=(entries - inside) // 14)
        path = make_facility(name=f"{name}健身路径", region=county, kind=FacilityKind.FITNESS_PATH, lat=lat, lng=lng)
        make_equipment(path, kind="太空漫步机", count=6)
        make_equipment(path, kind="双人坐拉训练器", count=4)
    paid_at = local(today, 0, 5)
    for name, amount in [("武侯区全民健身中心", "60.00"), ("浆洗街羽毛球馆", "80.00"), ("锦江区游泳馆", "30.00")]:
        make_booking(venues[name], user=buyer, amount=amount, paid_at=paid_at)
    refunded = {"status": OrderStatus.REFUNDED, "refunded": "80.00"}
    make_booking(venues["浆洗街羽毛球馆"], user=buyer, amount="80.00", paid_at=paid_at, **refunded)
    make_booking(venues["绵阳市体育馆"], user=buyer, amount="120.00", paid_at=paid_at)
    for back in range(1, 30):
        earlier = local(today - timedelta(days=back), 10)
        make_booking(venues["成都市体育中心"], user=buyer, amount="50.00", paid_at=earlier)
    for code in ("510000", "510100", "510107", "510700"):
        forget_summaries(code)
    return venues


def figure(page, key: str):
    return page.locator(f'[data-figure="{key}"]').first


def wait_for_map(page) -> None:
    page.wait_for_selector("body[data-map-ready='true']")
    page.wait_for_timeout(700)  # the map's first animation


def map_point(page, lng: float, lat: float) -> tuple[float, float]:
    return tuple(
        page.evaluate(
            """([lng, lat]) => {
                const el = document.querySelector('[data-chart="map"]');
                const [x, y] = echarts.getInstanceByDom(el).convertToPixel({geoIndex: 0}, [lng, lat]);
                const box = el.getBoundingClientRect();
                return [box.left + x, box.top + y];
            }""",
            [lng, lat],
        )
    )


def map_state(page) -> dict:
    return page.evaluate(
        """() => {
            const option = echarts.getInstanceByDom(document.querySelector('[data-chart="map"]')).getOption();
            return {map: option.geo[0].map, areas: option.series[0].data.map((d) => d.name),
                    markers: option.series[1].data.map((d) => d.name)};
        }"""
    )


def test_province_screen_shows_the_map_and_figures_and_drills_down_to_a_city(new_page, seeded, province_official):
    page = new_page("desktop", user=province_official, **BIG)

    page.goto("/screen/")
    wait_for_map(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("四川省")
    expect(figure(page, "visitors.today")).to_have_text(f"{sum(v[7] for v in VENUES):,}")
    expect(figure(page, "visitors.inside")).to_have_text(f"{sum(v[8] for v in VENUES):,}")
    expect(figure(page, "venues.total")).to_have_text("7")
    expect(figure(page, "bookings.today")).to_have_text("4")
    expect(figure(page, "bookings.revenue_today")).to_have_text("290.00")
    expect(figure(page, "fitness_equipment")).to_have_text("70")
    expect(page.locator("[data-busiest] tr").first).to_contain_text("成都市体育中心")
    state = map_state(page)
    assert state["map"] == "510000"
    assert len(state["areas"]) == 21 and "成都市" in state["areas"] and "甘孜藏族自治州" in state["areas"]
    assert set(state["markers"]) == {v[0] for v in VENUES}
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "screen-1920.png")
    assert_accessible(page)

    # Drill down: a click on Chengdu (its north, away from the venue markers) opens its counties.
    x, y = map_point(page, 103.95, 30.98)
    page.mouse.click(x, y)
    page.wait_for_url("**/screen/?region=510100")
    wait_for_map(page)
    expect(figure(page, "venues.total")).to_have_text("5")
    state = map_state(page)
    assert state["map"] == "510100" and "武侯区" in state["areas"] and "涪城区" not in state["areas"]
    assert_accessible(page)

    page.get_by_role("button", name=t("Back")).click()
    page.wait_for_url("**/screen/?region=510000")
    expect(page.get_by_role("heading", level=1)).to_contain_text("四川省")


def test_city_official_sees_only_their_city_and_figures_move_with_a_gate_event(
    new_page, seeded, city_official, short_streams
):
    page = new_page("desktop", user=city_official, **BIG)
    gate_venue = seeded["武侯区全民健身中心"]
    _device, issued = register_device(venue=gate_venue, kind=DeviceKind.GATE, code="G1", actor=None)

    page.goto("/screen/")
    wait_for_map(page)

    expect(page.get_by_role("heading", level=1)).to_contain_text("成都市")
    chengdu = [v for v in VENUES if v[1].startswith("5101")]
    visitors = sum(v[7] for v in chengdu)
    expect(figure(page, "visitors.today")).to_have_text(f"{visitors:,}")
    expect(figure(page, "venues.total")).to_have_text(str(len(chengdu)))
    expect(page.locator("[data-busiest]")).not_to_contain_text("绵阳")
    options = page.get_by_label(t("Region")).locator("option").all_inner_texts()
    assert options[0] == "成都市" and not any("绵阳" in o or "四川" in o for o in options)
    state = map_state(page)
    assert state["map"] == "510100" and "涪城区" not in state["areas"]
    assert set(state["markers"]) == {v[0] for v in chengdu}
    expect(page.locator("[data-back]")).to_be_hidden()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "screen-city-1920.png")
    assert_accessible(page)
    expect(page.locator("[data-live-status]")).to_have_attribute("data-state", "live")

    # 25 people pass the gate: the screen shows it within 5 s.
    body = json.dumps({"events": [{"gate": "G1", "direction": "in", "count": 25, "at": timezone.now().isoformat()}]})
    headers = auth.http_headers(key_id=issued.key_id, secret=issued.secret, body=body.encode())
    sent = time.monotonic()
    response = Client().post(
        "/api/v1/telemetry/gates",
        data=body,
        content_type="application/json",
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()},
    )
    assert response.status_code == 202, response.content
    expect(figure(page, "visitors.today")).to_have_text(f"{visitors + 25:,}", timeout=5_000)
    assert time.monotonic() - sent < 5
    page.goto("about:blank")
    time.sleep(short_streams.TELEMETRY_STREAM_SECONDS + 0.5)  # the server side of the last stream ends


def test_phone_layout_shows_the_same_figures_in_one_column(new_page, seeded, city_official):
    page = new_page("phone", user=city_official)

    page.goto("/screen/")
    wait_for_map(page)

    expect(figure(page, "visitors.today")).to_be_visible()
    expect(figure(page, "visitors.today")).to_have_text(f"{sum(v[7] for v in VENUES if v[1].startswith('5101')):,}")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    kpi = page.locator(".scr-kpi-main").bounding_box()
    assert kpi["width"] > 300  # the main figure spans the phone's width
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "screen-375.png", full_page=True)
    assert_accessible(page)
