"""Journey (issue 7, venue recommendation): an organiser on a phone describes an event (sport, dates,
participants) in the venue finder, sees the venues that fit ranked with a score and the reasons (a
venue without the sport is not offered), sends an enquiry to the best one, and finds it on their
enquiries page awaiting an answer; the venue's operator answers it in the back office, and the
organiser reads the answer.

JOURNEY_SCREENSHOTS=<dir> also saves 375 px and 1440 px screenshots of the finder, the enquiry form
and the enquiries page there (for looking at them, not for asserting)."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sportsplatform.accounts.models import Organisation
from sportsplatform.events.models import EnquiryStatus, VenueEnquiry
from sportsplatform.venues.models import Sport, VenueType
from tests.support.browser import BROWSER
from tests.venues.factories import make_court, make_venue

from .axe import assert_accessible
from .helpers import t

pytestmark = BROWSER

SHOTS = os.environ.get("JOURNEY_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{page.screen_name}.png"), full_page=True)


@pytest.fixture
def venues(operator_user, transactional_db):
    for code, name, name_en in (("badminton", "羽毛球", "Badminton"), ("basketball", "篮球", "Basketball")):
        Sport.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en, "order": 0})
    organisation = Organisation.objects.get(memberships__user=operator_user)
    hall = make_venue(
        name="武侯全民健身中心", operator=organisation, sports=("badminton",), capacity=800, type=VenueType.GYMNASIUM
    )
    for i in range(6):
        make_court(hall, name=f"{i + 1}号场", price="40.00")
    small = make_venue(name="社区羽毛球馆", sports=("badminton",), capacity=60, lat="30.700000", lng="104.100000")
    make_court(small, name="1号场", price="30.00")
    basketball = make_venue(name="篮球公园", sports=("basketball",), capacity=2000)
    make_court(basketball, name="篮球场", sport="basketball", price="100.00")
    return hall, small, basketball


def test_organiser_finds_a_venue_sends_an_enquiry_and_reads_the_operators_answer(
    new_page, public_user, operator_user, venues
):
    hall, small, basketball = venues
    first = timezone.localdate() + timedelta(days=45)
    page = new_page("phone", user=public_user)

    # Describe the event.
    page.goto("/events/find-venue/")
    assert_accessible(page, label="empty")
    page.get_by_label(t("Sport")).select_option("badminton")
    page.get_by_label(t("First day")).fill(first.isoformat())
    page.get_by_label(t("Last day")).fill((first + timedelta(days=1)).isoformat())
    page.get_by_label(t("Participants")).fill("300")
    page.get_by_role("button", name=t("Find venues")).click()

    # Ranked: the hall that seats everyone first, the small one after; no basketball park.
    cards = page.locator(".finder-card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text(hall.name)
    expect(cards.nth(1)).to_contain_text(small.name)
    expect(page.locator(".finder-results")).not_to_contain_text(basketball.name)
    expect(cards.nth(0).get_by_role("img", name=re.compile(r"\d+"))).to_be_visible()
    expect(cards.nth(0)).to_contain_text("800")  # 容量 800 人，满足 300 人
    expect(cards.nth(1).locator(".finder-reason.is-miss").first).to_contain_text("60")
    assert_accessible(page, label="results")
    shot(page, "finder")
    # The elderly-friendly large text keeps the results readable and accessible; then back.
    page.get_by_role("button", name=t("Large text")).click()
    expect(page.locator("html")).to_have_class(re.compile("large-text"))
    expect(cards).to_have_count(2)
    assert_accessible(page, label="large text")
    shot(page, "finder-large-text")
    page.get_by_role("button", name=t("Large text")).click()
    expect(page.locator("html")).not_to_have_class(re.compile("large-text"))

    # Ask the hall.
    ask = t('Send an enquiry<span class="visually-hidden"> to %(name)s</span>') % {"name": hall.name}
    # The venue's name is visually hidden; browsers may join the two parts with a space.
    parts = [re.escape(part) for part in re.split(r"<[^>]+>", ask) if part]
    cards.nth(0).get_by_role("link", name=re.compile(r"\s*".join(parts))).click()
    expect(page).to_have_url(re.compile(rf"/events/find-venue/{hall.pk}/enquire/"))
    expect(page.get_by_label(t("Participants"))).to_have_value("300")
    assert_accessible(page)
    page.get_by_label(t("Contact phone")).fill("13912345678")
    page.get_by_label(t("Message")).fill("想在贵馆举办全民健身羽毛球赛，需要全部场地两天，请问价格？")
    shot(page, "enquire")
    page.get_by_role("button", name=t("Send the enquiry")).click()

    expect(page).to_have_url(re.compile(r"/events/enquiries/$"))
    expect(page.get_by_role("status")).to_contain_text(hall.name)
    expect(page.locator(".finder-enquiry-card")).to_contain_text(t("awaiting answer"))
    assert_accessible(page, label="sent")
    enquiry = VenueEnquiry.objects.get()
    assert enquiry.sender == public_user and enquiry.venue == hall and enquiry.participants == 300

    # The operator answers in the back office.
    office = new_page("desktop", user=operator_user)
    office.goto("/admin/events/venueenquiry/")
    office.locator(f"a[href$='/admin/events/venueenquiry/{enquiry.pk}/change/']").first.click()
    office.get_by_role("link", name=t("Answer")).click()
    expect(office).to_have_url(re.compile(rf"/venueenquiry/{enquiry.pk}/answer/"))
    office.get_by_label(t("Answer")).fill("两天全馆可以承接，每天 6,000 元，欢迎来电 028-85551234 详谈。")
    office.get_by_role("button", name=t("Send the answer")).click()
    expect(office).to_have_url(re.compile(rf"/venueenquiry/{enquiry.pk}/change/"))
    enquiry.refresh_from_db()
    assert enquiry.status == EnquiryStatus.REPLIED and enquiry.replied_by == operator_user

    # The organiser reads the answer.
    page.reload()
    answer = page.locator(".finder-reply")
    expect(answer).to_contain_text("每天 6,000 元")
    expect(page.locator(".finder-enquiry-card .badge")).to_have_text(t("replied"))
    assert_accessible(page, label="answered")
    shot(page, "enquiries")

    # The same pages at 1440 px, for the screenshots and the accessibility check.
    if SHOTS:
        wide = new_page("desktop", user=public_user)
        query = f"sport=badminton&starts_on={first}&ends_on={first + timedelta(days=1)}&participants=300"
        wide.goto(f"/events/find-venue/?{query}")
        assert_accessible(wide)
        shot(wide, "finder")
        wide.goto(f"/events/find-venue/{hall.pk}/enquire/?{query}")
        assert_accessible(wide)
        shot(wide, "enquire")
        wide.goto("/events/enquiries/")
        assert_accessible(wide)
        shot(wide, "enquiries")
