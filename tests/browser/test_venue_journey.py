"""Journey: a new user on a phone finds 羽毛球 venues in 武侯区, opens one, sees today's hours and
courts and gets an AMap link in GCJ-02; on a desktop the venue's map shows its marker."""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, reverse
from playwright.sync_api import expect

from sportsplatform.core.geo import wgs84_to_gcj02
from sportsplatform.venues.models import Sport
from tests.support.browser import BROWSER
from tests.venues.factories import make_court, make_venue

from .axe import assert_accessible
from .helpers import t

pytestmark = BROWSER

SPORTS = [("badminton", "羽毛球", "Badminton"), ("swimming", "游泳", "Swimming")]


@pytest.fixture
def venues(sichuan_regions, transactional_db):
    # live_server's database is flushed between tests, the sports list of the data migration too.
    for order, (code, name, name_en) in enumerate(SPORTS):
        Sport.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": order})
    wuhou = make_venue(
        name="武侯羽毛球馆",
        sports=("badminton",),
        star_rating=4,
        phone="028-85123456",
        lat="30.640000",
        lng="104.040000",
    )
    make_court(wuhou, name="1号场", price="35.00")
    make_court(wuhou, name="2号场", price="40.00")
    make_venue(name="锦江羽毛球馆", region="510104", sports=("badminton",))
    make_venue(name="武侯游泳馆", sports=("swimming",))
    return {"wuhou": wuhou}


def test_phone_user_finds_badminton_in_wuhou_and_gets_directions(new_page, venues):
    page = new_page("phone")

    page.goto("/")
    assert_accessible(page)
    page.get_by_role("button", name=t("Menu")).click()
    page.get_by_role("navigation", name=t("Main")).get_by_role("link", name=t("Venues"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/venues/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Find a venue"))
    assert_accessible(page)

    page.get_by_text(t("Filters"), exact=True).click()
    page.get_by_label(t("Province"), exact=True).select_option("510000")
    city = page.get_by_label(t("City / prefecture"), exact=True)
    expect(city).to_be_enabled()  # filled from /api/v1/regions?parent=510000
    city.select_option("510100")
    county = page.get_by_label(t("County / district"), exact=True)
    expect(county).to_be_enabled()
    county.select_option("510107")
    page.get_by_label(t("Sport"), exact=True).select_option("badminton")

    # htmx swaps the results in place and puts the filters in the address bar.
    expect(page).to_have_url(re.compile(r"county=510107.*sport=badminton"))
    results = page.locator("#venue-results")
    expect(results.locator(".venue-card")).to_have_count(1)
    expect(results.get_by_role("link", name="武侯羽毛球馆")).to_be_visible()
    assert_accessible(page, label="filtered")

    results.get_by_role("link", name="武侯羽毛球馆").click()
    expect(page).to_have_url(re.compile(rf"/venues/{venues['wuhou'].pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("武侯羽毛球馆")
    today = page.locator("tr[aria-current='date']")
    expect(today).to_be_visible()
    expect(today).to_contain_text("08:00–22:00")
    courts = page.locator("table.venue-courts")
    expect(courts).to_contain_text("1号场")
    expect(courts).to_contain_text("¥35.00/")

    gcj = wgs84_to_gcj02(30.64, 104.04)
    amap = page.locator("a[data-nav-app='amap']")
    expect(amap).to_have_attribute("href", re.compile(rf"to={gcj.lng:.6f},{gcj.lat:.6f}"))
    expect(amap).to_have_attribute("target", "_blank")
    assert_accessible(page)


def test_desktop_venue_map_shows_the_venue_marker(new_page, venues):
    page = new_page("desktop")

    page.goto(f"/venues/{venues['wuhou'].pk}/")
    marker = page.locator("#venue-map .leaflet-marker-icon")
    expect(marker).to_have_count(1)
    expect(marker).to_be_visible()
    expect(marker).to_have_attribute("alt", "武侯羽毛球馆")
    assert_accessible(page)

    try:
        reverse("map:index")
    except NoReverseMatch:
        return
    # The fitness map exists: the venue's "show on the map" link leads there, focused on it.
    page.get_by_role("link", name=t("Show on the fitness map")).click()
    expect(page).to_have_url(re.compile(rf"/map/\?focus=venue%3A{venues['wuhou'].pk}$"))
    assert_accessible(page)


def test_venue_opening_page_lists_open_state_on_a_phone(new_page, venues):
    page = new_page("phone")

    page.goto("/venues/open/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Venue opening"))
    expect(page.locator("table.venue-opening-table tbody tr")).to_have_count(3)
    assert_accessible(page)
