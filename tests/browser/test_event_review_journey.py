"""Journey (issue 7, done-when "a Chengdu official reviews only Chengdu's applications"): an
association in 武侯区 submits its event application from the back office; the Chengdu official
finds it in the review queue — next to nothing from Mianyang — and approves it with a comment on
the review page; the timeline shows both steps, and the event is on the public list and detail
pages. A Mianyang application submitted at the same time never shows in Chengdu's queue.

JOURNEY_SCREENSHOTS=<dir> also saves 375 px and 1440 px screenshots of the application's change
page with its review timeline there (for looking at them, not for asserting)."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sportsplatform.accounts.models import OrganisationKind
from sportsplatform.approvals.models import ApprovalStatus
from sportsplatform.events.domain import applications as apps
from sportsplatform.events.models import Event
from sportsplatform.venues.models import Sport
from tests.events.factories import make_organiser
from tests.support.browser import BROWSER

from .axe import assert_accessible
from .helpers import t

pytestmark = BROWSER

SHOTS = os.environ.get("JOURNEY_SCREENSHOTS", "")
TITLE = "2026武侯区社区迷你马拉松"


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{page.screen_name}.png"), full_page=True)


def application(*, organiser, staff, title: str, region: str) -> Event:
    now = timezone.now()
    starts = now + timedelta(days=30)
    return apps.create_event(
        actor=staff,
        organiser=organiser,
        data={
            "title": title,
            "sport": Sport.objects.get(code="athletics"),
            "region": region,
            "location": "江安河绿道",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=4),
            "registration_opens_at": now - timedelta(days=1),
            "registration_closes_at": starts - timedelta(days=2),
            "expected_participants": 300,
            "fee": "30.00",
            "contact_name": "李老师",
            "contact_phone": "13900000001",
            "description": "沿江安河绿道的5公里和10公里社区跑。",
            "groups": [{"name": "5公里", "quota": 200}, {"name": "10公里", "quota": 100}],
        },
    )


@pytest.fixture
def applications(transactional_db, sichuan_regions):
    # live_server's transactional tests flush the tables, the sports of the data migration too.
    Sport.objects.get_or_create(code="athletics", defaults={"name": "田径", "name_en": "Athletics", "order": 0})
    wuhou, wuhou_staff = make_organiser(region_code="510107", kind=OrganisationKind.INSTITUTION)
    mianyang, mianyang_staff = make_organiser(region_code="510703", kind=OrganisationKind.INSTITUTION)
    ours = application(organiser=wuhou, staff=wuhou_staff, title=TITLE, region="510107")
    theirs = application(organiser=mianyang, staff=mianyang_staff, title="2026涪城区全民健身登山赛", region="510703")
    apps.submit_event(event=theirs, actor=mianyang_staff)
    return ours, wuhou_staff, theirs


def test_organiser_submits_chengdu_official_approves_and_the_event_is_published(new_page, applications, city_official):
    event, staff, mianyang_event = applications
    change = f"/admin/events/event/{event.pk}/change/"

    # The association submits its draft from the change page.
    organiser = new_page("desktop", user=staff)
    organiser.goto(change)
    organiser.get_by_role("link", name=re.compile(t("Submit for review"))).click()
    organiser.get_by_role("button", name=t("Submit"), exact=True).click()
    expect(organiser.locator(".approval-history .ah-badge")).to_have_text(
        str(ApprovalStatus.SUBMITTED.label), timeout=10000
    )

    # The Chengdu official's queue holds it, and not Mianyang's application.
    official = new_page("desktop", user=city_official)
    official.goto("/admin/events/event/review-queue/")
    expect(official.get_by_role("link", name=TITLE)).to_be_visible()
    expect(official.get_by_text(mianyang_event.title)).to_have_count(0)
    official.get_by_role("link", name=TITLE).click()
    # The button's name also holds its icon's ligature ("check_circle 批准"); 不予批准 must not match.
    official.get_by_role("link", name=re.compile(rf"(^|\s){t('Approve')}$")).click()
    official.get_by_label(t("Comment")).fill("同意举办，请做好赛道安全保障。")
    official.get_by_role("button", name=t("Approve and publish")).click()

    expect(official.locator(".approval-history .ah-badge")).to_have_text(str(ApprovalStatus.APPROVED.label))
    timeline = official.locator(".approval-history ol li")
    expect(timeline).to_have_count(2)
    expect(timeline.nth(1)).to_contain_text("同意举办，请做好赛道安全保障。")
    expect(timeline.nth(1)).to_contain_text(str(city_official))
    shot(official, "event-review-timeline")
    phone_official = new_page("phone", user=city_official)
    phone_official.goto(change)
    expect(phone_official.locator(".approval-history ol li")).to_have_count(2)
    shot(phone_official, "event-review-timeline")

    # Guessing Mianyang's review page answers like a missing page.
    response = official.goto(f"/admin/events/event/{mianyang_event.pk}/review-approve/")
    assert response.status == 404
    mianyang_event.refresh_from_db()
    assert mianyang_event.status == ApprovalStatus.SUBMITTED

    # Published: the public list and the detail page show it.
    event.refresh_from_db()
    assert event.is_published
    public = new_page("phone")
    public.goto("/events/")
    expect(public.get_by_role("link", name=TITLE).first).to_be_visible()
    assert_accessible(public)
    public.goto(f"/events/{event.pk}/")
    expect(public.get_by_role("heading", level=1)).to_contain_text(TITLE)
    assert_accessible(public)
