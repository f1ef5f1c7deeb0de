"""Journeys on the fitness map (健身地图), with no tile server (the offline network's case): the
places still show as markers and lines, the filters hide a layer, `?focus=` opens a place, and a
venue found by search can be followed onto the map."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from sportsplatform.facilities.models import FacilityKind, TrailKind
from tests.facilities.factories import make_facility, make_trail
from tests.support.browser import BROWSER
from tests.venues.factories import make_venue

from .axe import assert_accessible
from .helpers import t

pytestmark = [*BROWSER, pytest.mark.usefixtures("no_tiles")]

VENUE_PIN = ".leaflet-marker-icon.map-pin--venue"
FACILITY_PIN = ".leaflet-marker-icon.map-pin--facility"
TRAIL_LINE = "path.map-trail"


@pytest.fixture
def no_tiles():
    with override_settings(MAP_TILE_URL=""):
        yield


@pytest.fixture
def places(sichuan_regions):
    """A venue, a fitness path and a hiking trail in Wuhou, far enough apart not to cluster once
    the map has closed in on them."""
    venue = make_venue(name="四川省体育馆", lat="30.629000", lng="104.065000")
    facility = make_facility(name="浣花溪健身路径", kind=FacilityKind.FITNESS_PATH, lat="30.658000", lng="104.030000")
    trail = make_trail(
        name="锦江健走步道",
        trail_kind=TrailKind.HIKING,
        path=[[104.083, 30.640], [104.090, 30.635], [104.097, 30.628], [104.105, 30.624]],
    )
    return {"venue": venue, "facility": facility, "trail": trail}


def popup_settled(page):
    """The open popup once Leaflet's fade-in is over (axe would judge the half-faded colours)."""
    page.wait_for_function(
        "() => { const p = document.querySelector('.leaflet-popup'); return p && getComputedStyle(p).opacity === '1'; }"
    )


def open_filters(page):
    toggle = page.get_by_role("button", name=t("Filters"))
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")


def test_map_shows_places_without_tiles_and_filters_hide_a_layer(new_page, screen, places):
    page = new_page(screen)
    page.goto("/map/")

    expect(page.get_by_role("region", name=t("Map of venues and fitness facilities"))).to_be_visible()
    # No tile server: no tile images, yet the markers and the trail's line are drawn.
    expect(page.locator(VENUE_PIN)).to_have_count(1)
    expect(page.locator(FACILITY_PIN)).to_have_count(1)
    expect(page.locator(TRAIL_LINE)).to_have_count(1)
    assert page.locator(".leaflet-tile").count() == 0
    expect(page.locator("[data-map-status]")).not_to_be_empty()
    assert_accessible(page)

    # Untick the trails: the line (and its start marker) goes; venues stay.
    open_filters(page)
    page.get_by_role("checkbox", name=t("Fitness trails"), exact=True).uncheck()
    expect(page.locator(TRAIL_LINE)).to_have_count(0)
    expect(page.locator(".map-pin--trail")).to_have_count(0)
    expect(page.locator(VENUE_PIN)).to_have_count(1)
    assert_accessible(page, label="filters open")

    # And the venues' group: their marker goes too.
    page.get_by_role("checkbox", name=t("Venues"), exact=True).uncheck()
    expect(page.locator(VENUE_PIN)).to_have_count(0)
    expect(page.locator(FACILITY_PIN)).to_have_count(1)


def test_map_focus_opens_the_venue_popup_with_navigation_links(new_page, screen, places):
    venue = places["venue"]
    page = new_page(screen)
    page.goto(f"/map/?focus=venue:{venue.pk}")

    popup = page.locator(".leaflet-popup")
    expect(popup).to_be_visible()
    expect(popup.get_by_role("heading", name="四川省体育馆")).to_be_visible()
    amap = popup.get_by_role("link", name=re.compile(re.escape(t("AMap"))))
    expect(amap).to_have_attribute("href", re.compile(r"^https://uri\.amap\.com/navigation\?to=104\.06"))
    expect(popup.get_by_role("link", name=t("Details"))).to_have_attribute("href", f"/venues/{venue.pk}/")
    expect(popup.get_by_role("button", name=t("Close"))).to_be_visible()
    popup_settled(page)
    assert_accessible(page, label="popup open")


def test_map_trail_popup_opens_from_the_keyboard(new_page, places):
    trail = places["trail"]
    page = new_page("desktop")
    page.goto(f"/map/?focus=facility:{trail.pk}")

    popup = page.locator(".leaflet-popup")
    expect(popup.get_by_role("heading", name="锦江健走步道")).to_be_visible()
    popup_settled(page)
    assert_accessible(page, label="trail popup")
    popup.get_by_role("button", name=t("Close")).click()
    expect(popup).to_have_count(0)

    start = page.get_by_role("button", name="锦江健走步道")
    start.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup").get_by_role("heading", name="锦江健走步道")).to_be_visible()


def test_search_then_venue_detail_then_map_shows_the_venue_marker(new_page, screen, places):
    venue = places["venue"]
    page = new_page(screen)

    page.goto("/venues/")
    assert_accessible(page)
    search = page.get_by_role("search").get_by_role("searchbox")
    search.fill("四川省体育馆")
    search.press("Enter")
    # The results are swapped in by htmx (with the query pushed to the address): wait for the swap
    # to finish, or the click can land on the list it replaces.
    expect(page).to_have_url(re.compile(r"[?&]q="))
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    result = page.get_by_role("link", name="四川省体育馆")
    expect(result).to_be_visible()
    result.click()

    expect(page).to_have_url(re.compile(rf"/venues/{venue.pk}/$"))
    assert_accessible(page)
    page.get_by_role("link", name=t("Show on the fitness map")).click()

    expect(page).to_have_url(re.compile(rf"/map/\?focus=venue%3A{venue.pk}$"))
    expect(page.locator(VENUE_PIN)).to_have_count(1)
    expect(page.locator(".leaflet-popup").get_by_role("heading", name="四川省体育馆")).to_be_visible()
    popup_settled(page)
    assert_accessible(page)


def test_facility_list_cascade_then_trail_detail_then_map(new_page, screen, places):
    trail = places["trail"]
    page = new_page(screen)
    page.goto("/facilities/")
    assert_accessible(page)

    # The region cascade: choosing a city offers its counties; the results follow.
    county = page.get_by_label(t("County or district"))
    expect(county).to_be_disabled()
    page.get_by_label(t("City or prefecture")).select_option("510100")
    expect(page.get_by_label(t("County or district"))).to_be_enabled()
    page.get_by_label(t("County or district")).select_option("510107")
    expect(page).to_have_url(re.compile(r"county=510107"))
    page.get_by_label(t("Trail kind")).select_option("hiking")
    cards = page.locator(".facility-card")
    expect(cards).to_have_count(1)
    assert_accessible(page, label="filtered")

    cards.get_by_role("link", name="锦江健走步道").click()
    expect(page).to_have_url(re.compile(rf"/facilities/{trail.pk}/$"))
    expect(page.locator(f".facility-trail-map {TRAIL_LINE}")).to_have_count(1)
    assert_accessible(page)

    page.get_by_role("link", name=t("Show on the fitness map")).click()
    expect(page.locator(".leaflet-popup").get_by_role("heading", name="锦江健走步道")).to_be_visible()
    expect(page.locator(TRAIL_LINE)).to_have_count(1)
    popup_settled(page)
    assert_accessible(page)


def test_map_near_me_centres_on_the_user(new_page, places):
    page = new_page("phone", geolocation={"latitude": 30.6295, "longitude": 104.0655}, permissions=["geolocation"])
    page.goto("/map/")
    expect(page.locator(VENUE_PIN)).to_have_count(1)

    page.get_by_role("button", name=t("Near me")).click()

    expect(page.locator(".map-you")).to_have_count(1)
    expect(page.locator("[data-map-location-status]")).to_have_text(t("Showing places near you."))
    expect(page.locator(VENUE_PIN)).to_be_in_viewport()
    assert_accessible(page)


def test_map_near_me_explains_a_refusal(new_page, places):
    page = new_page("phone")
    # The browser's answer when the user taps "Block" on the permission prompt.
    page.add_init_script(
        "navigator.geolocation.getCurrentPosition = (ok, fail) => fail({code: 1, PERMISSION_DENIED: 1});"
    )
    page.goto("/map/")

    page.get_by_role("button", name=t("Near me")).click()

    expect(page.locator("[data-map-location-status]")).to_have_text(
        t("Location access was denied. Allow it in your browser settings, or move the map yourself.")
    )
    assert_accessible(page)


def test_map_shows_server_clusters_for_a_crowded_box_and_splits_them_on_zoom(new_page, screen, places, monkeypatch):
    from sportsplatform.maps import queries

    # Three places in view, threshold two: the province view comes back as grid clusters.
    monkeypatch.setattr(queries, "CLUSTER_THRESHOLD", 2)
    page = new_page(screen)
    page.goto("/map/")

    cluster = page.locator(".leaflet-marker-icon.map-cluster").first
    expect(cluster).to_be_visible()
    expect(page.locator(VENUE_PIN)).to_have_count(0)
    assert_accessible(page)

    status = page.locator("[data-map-status]")
    expect(status).to_have_text(t("%(count)s places in this area, grouped. Zoom in to see each one.") % {"count": 3})

    # Raise the threshold again and choose a cluster: the map zooms to its cell and loads the
    # places themselves (Leaflet may still group near ones on screen; the status counts places).
    monkeypatch.setattr(queries, "CLUSTER_THRESHOLD", 2_000)
    # By keyboard, as a screen-reader user would (and no overlapping icon can take the click).
    cluster.focus()
    page.keyboard.press("Enter")
    places_shown = re.escape(t("%(count)s places in this area.")).replace(re.escape("%(count)s"), r"\d+")
    one_shown = re.escape(t("1 place in this area."))
    expect(status).to_have_text(re.compile(f"^({places_shown}|{one_shown})$"))
