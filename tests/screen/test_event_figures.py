"""The events and training figures of the data screen (events/screen.py, training/screen.py):
counted over the region on the screen only, so a Chengdu official's screen leaves Mianyang out."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from sportsplatform.approvals.models import ApprovalStatus
from sportsplatform.core.errors import NotFound
from sportsplatform.core.signups import SignupStatus
from sportsplatform.events.models import Event, Registration
from sportsplatform.regions.models import Region
from sportsplatform.screen.domain.access import resolve_region
from sportsplatform.screen.domain.summary import compute_summary
from sportsplatform.training.models import CertificateKind, CoachCertificate, Course
from tests.events.factories import make_event, make_organiser
from tests.support import accounts
from tests.training.factories import make_coach, make_course

from .factories import local

pytestmark = pytest.mark.django_db

KEYS = ("events_this_year", "event_participants", "courses_this_year", "social_sports_instructors")


@pytest.fixture
def regions():
    return accounts.ensure_regions()


@pytest.fixture
def mid_year():
    """Noon on 15 June of this year: events of the tests fall in 'this year' whatever today is."""
    return local(date(timezone.localdate().year, 6, 15), 12)


def _move(event: Event, when) -> Event:
    Event.objects.filter(pk=event.pk).update(
        starts_at=when,
        ends_at=when + timedelta(hours=4),
        registration_opens_at=when - timedelta(days=30),
        registration_closes_at=when - timedelta(days=1),
    )
    event.refresh_from_db()
    return event


def _entries(event: Event, *statuses: str) -> None:
    group = event.groups.get()
    for n, status in enumerate(statuses):
        user = accounts.make_public_user(phone=f"1390{event.pk:03d}{n:04d}")
        Registration.objects.create(
            event=event,
            group=group,
            user=user,
            status=status,
            participant_name=f"选手{n}",
            waitlisted_at=timezone.now() if status == SignupStatus.WAITLISTED else None,
        )


def _figures(code: str, at) -> dict:
    summary = compute_summary(region=Region.objects.get(pk=code), at=at)
    return {f["key"]: f["value"] for f in summary["extra_figures"] if f["key"] in KEYS}


def _season(mid_year):
    """Chengdu (武侯区): two published events this year (one with 2 confirmed entries, a
    withdrawn and a waitlisted one), a draft, a cancelled one and one of last year; Mianyang
    (涪城区): one published event with 3 confirmed entries."""
    wuhou = make_event(region_code="510107")
    _move(wuhou, mid_year)
    _entries(wuhou, SignupStatus.CONFIRMED, SignupStatus.CONFIRMED, SignupStatus.WITHDRAWN, SignupStatus.WAITLISTED)
    _move(make_event(region_code="510107"), mid_year + timedelta(days=30))
    _move(make_event(region_code="510107", status=ApprovalStatus.DRAFT), mid_year)
    cancelled = _move(make_event(region_code="510107"), mid_year)
    Event.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now(), cancel_reason="天气")
    last_year = _move(make_event(region_code="510107"), mid_year - timedelta(days=365))
    _entries(last_year, SignupStatus.CONFIRMED)
    fucheng = _move(make_event(region_code="510703"), mid_year)
    _entries(fucheng, SignupStatus.CONFIRMED, SignupStatus.CONFIRMED, SignupStatus.CONFIRMED)


def _term(mid_year):
    """Chengdu: a published course this year (its coach certified), a submitted one, one of two
    years ago; a coach with a lapsed instructor certificate, one with only a referee's; Mianyang:
    a published course and its certified coach."""
    day = mid_year.date()
    course = make_course(region_code="510107")
    Course.objects.filter(pk=course.pk).update(starts_on=day, ends_on=day + timedelta(days=21))
    make_course(region_code="510107", status=ApprovalStatus.SUBMITTED)
    old = make_course(region_code="510107")
    Course.objects.filter(pk=old.pk).update(starts_on=date(day.year - 2, 3, 1), ends_on=date(day.year - 2, 4, 1))
    org, _user = make_organiser(region_code="510107")
    lapsed = make_coach(organisation=org)
    CoachCertificate.objects.filter(coach=lapsed).update(
        issued_on=day - timedelta(days=2000), valid_until=day - timedelta(days=1)
    )
    referee = make_coach(organisation=org, certified=False)
    CoachCertificate.objects.create(
        coach=referee, kind=CertificateKind.REFEREE, name="篮球裁判员", number="RF-1", issued_by="成都市篮球协会",
        issued_on=day - timedelta(days=100),
    )  # fmt: skip
    mianyang = make_course(region_code="510703")
    Course.objects.filter(pk=mianyang.pk).update(starts_on=day, ends_on=day + timedelta(days=7))


def test_event_figures_count_published_events_and_confirmed_entries_of_the_year(regions, mid_year):
    _season(mid_year)

    chengdu = _figures("510100", mid_year)
    mianyang = _figures("510700", mid_year)
    province = _figures("510000", mid_year)

    assert chengdu["events_this_year"] == 2
    assert chengdu["event_participants"] == 2
    assert mianyang["events_this_year"] == 1
    assert mianyang["event_participants"] == 3
    assert province["events_this_year"] == 3
    assert province["event_participants"] == 5


def test_training_figures_count_courses_of_the_year_and_certified_instructors(regions, mid_year):
    _term(mid_year)

    chengdu = _figures("510100", mid_year)
    mianyang = _figures("510700", mid_year)

    assert chengdu["courses_this_year"] == 1
    # The certified coaches of the three Chengdu courses, not the lapsed one nor the referee.
    assert chengdu["social_sports_instructors"] == 3
    assert mianyang["courses_this_year"] == 1
    assert mianyang["social_sports_instructors"] == 1


def test_chengdu_officials_screen_leaves_mianyang_out(regions, mid_year):
    _season(mid_year)
    _term(mid_year)
    official = accounts.make_official(region_code="510100")

    home = resolve_region(official, None)
    figures = _figures(home.code, mid_year)

    assert home.code == "510100"
    assert figures == {
        "events_this_year": 2,
        "event_participants": 2,
        "courses_this_year": 1,
        "social_sports_instructors": 3,
    }
    with pytest.raises(NotFound):
        resolve_region(official, "510700")


def test_figures_of_a_county_count_only_that_county(regions, mid_year):
    _season(mid_year)
    _move(make_event(region_code="510104"), mid_year)  # 锦江区

    wuhou = _figures("510107", mid_year)
    jinjiang = _figures("510104", mid_year)

    assert wuhou["events_this_year"] == 2
    assert jinjiang["events_this_year"] == 1
