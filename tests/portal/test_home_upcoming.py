"""The home page's "coming up" section: published events and courses open for sign-up, soonest
first, at most three of each, in a fixed number of queries."""

from __future__ import annotations

import pytest

from sportsplatform.approvals.models import ApprovalStatus
from tests.events.factories import make_event
from tests.support.queries import assert_same_query_count
from tests.training.factories import make_course

pytestmark = pytest.mark.django_db


def test_home_shows_open_events_and_courses_soonest_first(client):
    later = make_event(title="晚些的赛事", starts_in_days=30, fee="80.00")
    sooner = make_event(title="早些的赛事", starts_in_days=10)
    make_event(title="草稿赛事", status=ApprovalStatus.DRAFT)
    make_event(title="尚未开放报名", registration_open=False)
    make_course(title="少儿游泳班", fee="600.00")
    make_course(title="待审核课程", status=ApprovalStatus.SUBMITTED)

    html = client.get("/").content.decode()

    assert "近期活动" in html
    assert html.index(sooner.title) < html.index(later.title)
    assert "¥80起" in html and "免费" in html
    assert "少儿游泳班" in html and "¥600" in html
    for hidden in ("草稿赛事", "尚未开放报名", "待审核课程"):
        assert hidden not in html


def test_home_without_open_events_or_courses_has_no_coming_up_section(client):
    make_event(title="草稿赛事", status=ApprovalStatus.DRAFT)

    html = client.get("/").content.decode()

    assert 'id="coming-up"' not in html


def test_home_coming_up_shows_three_of_each(client):
    for n in range(5):
        make_event(title=f"赛事{n}", starts_in_days=10 + n)
        make_course(title=f"课程{n}", starts_in_days=5 + n)

    html = client.get("/").content.decode()

    assert [f"赛事{n}" in html for n in range(5)] == [True, True, True, False, False]
    assert [f"课程{n}" in html for n in range(5)] == [True, True, True, False, False]


def test_home_coming_up_has_no_n_plus_one(client):
    def make_rows(n):
        for _ in range(n):
            make_event(fee="50.00", groups=(("甲组", 10), ("乙组", 20)))
            make_course()

    assert_same_query_count(client, "/", make_rows, small=1, large=3)
