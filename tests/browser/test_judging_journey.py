"""Journey (issue 7, judging): on a phone, a judge opens "my judging", scores the entries of a
judged event and never sees another judge's scores; the chief judge closes scoring on a desktop;
the public ranking shows the trimmed means (highest and lowest score dropped).

JOURNEY_SCREENSHOTS=<dir> saves the judge's page (375 px), the chief's page and the public
ranking there, for looking at them."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from sportsplatform.events.domain import judging
from sportsplatform.events.models import Result, ResultKind, Score
from tests.events.factories import make_event, make_organiser
from tests.events.results_factories import make_entry, make_judge
from tests.support.browser import BROWSER

from .axe import assert_accessible
from .helpers import t

pytestmark = BROWSER

SHOTS = os.environ.get("JOURNEY_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{page.screen_name}.png"), full_page=True)


@pytest.fixture
def contest(sichuan_regions, transactional_db):
    """A judged event: five judges (王 is chief), three teams. Four judges scored already."""
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser, result_kind=ResultKind.JUDGED, title="四川省健身操锦标赛")
    names = ["王裁判", "李裁判", "张裁判", "赵裁判", "钱裁判"]
    judges = {name: make_judge(display_name=name) for name in names}
    for name in names:
        judging.assign_judge(event=event, judge=judges[name], actor=staff, is_chief=name == "王裁判")
    teams = [make_entry(event, name=n, bib=b) for n, b in (("成都一队", "001"), ("绵阳队", "002"), ("德阳队", "003"))]
    # Scores of the four other judges; 李裁判 (the phone judge) scores in the browser.
    others = {
        "王裁判": ["9.10", "8.70", "7.00"],
        "张裁判": ["9.60", "8.15", "7.35"],
        "赵裁判": ["9.80", "8.45", "7.65"],
        "钱裁判": ["8.00", "8.05", "7.20"],
    }
    for name, values in others.items():
        for team, value in zip(teams, values, strict=True):
            judging.submit_score(event=event, judge=judges[name], registration=team, value=value)
    return {"event": event, "judges": judges, "teams": teams, "others": others}


def test_judge_scores_privately_the_chief_closes_and_the_public_ranking_shows_trimmed_means(new_page, contest):
    event, judges, teams = contest["event"], contest["judges"], contest["teams"]
    page = new_page("phone", user=judges["李裁判"])

    # The judge's list, then the event.
    page.goto("/events/judging/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(t("Score"))).click()
    expect(page.get_by_role("heading", level=2)).to_contain_text(event.title)
    assert_accessible(page)

    # Nothing of the other judges is on the page: no value, no filled field.
    body = page.locator("#content, main, body").first.inner_text()
    for values in contest["others"].values():
        for value in values:
            assert value not in body
    for team in teams:
        expect(page.get_by_label(re.compile(team.participant_name))).to_have_value("")

    # Score: 9.40 for 成都一队, a typo for 绵阳队 first, then fixed.
    page.get_by_label(re.compile("成都一队")).fill("9.40")
    page.get_by_label(re.compile("绵阳队")).fill("8.3x")
    page.get_by_label(re.compile("德阳队")).fill("7.50")
    page.get_by_role("button", name=t("Save my scores")).click()
    expect(page.get_by_label(re.compile("绵阳队"))).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(re.compile("绵阳队"))).to_have_value("8.3x")
    assert_accessible(page, label="row error")
    page.get_by_label(re.compile("绵阳队")).fill("8.30")
    page.get_by_role("button", name=t("Save my scores")).click()
    expect(page.get_by_text(t("%(n)s scores saved.") % {"n": 3})).to_be_visible()
    expect(page.get_by_label(re.compile("成都一队"))).to_have_value("9.40")
    shot(page, "judge-scoring")
    body = page.locator("body").inner_text()
    assert "9.60" not in body and "8.05" not in body
    # Guessing the score sheet's URL before closing shows nothing.
    response = page.goto(f"/events/results-desk/{event.pk}/scores/")
    assert response.status == 404
    assert_accessible(page, label="404")
    mine = Score.objects.filter(assignment__judge=judges["李裁判"]).count()
    assert mine == 3

    # The chief judge closes scoring on a desktop.
    chief = new_page("desktop", user=judges["王裁判"])
    chief.goto(f"/events/judging/{event.pk}/")
    expect(
        chief.get_by_text(t("%(done)s of %(expected)s scores submitted.") % {"done": 15, "expected": 15})
    ).to_be_visible()
    assert_accessible(chief)
    chief.get_by_role("button", name=t("Close scoring and publish the ranking")).click()
    expect(chief.get_by_role("heading", name=t("All judges' scores"))).to_be_visible()
    expect(chief.locator("table")).to_contain_text("9.60")  # now every judge's score is shown
    assert_accessible(chief, label="closed")
    shot(chief, "chief-closed")

    # The public ranking: trimmed means, highest and lowest dropped, rounded half up.
    # 成都一队 9.10 9.40 9.60 9.80 8.00 → (9.10+9.40+9.60)/3 = 9.37
    # 绵阳队   8.70 8.30 8.15 8.45 8.05 → (8.30+8.15+8.45)/3 = 8.30
    # 德阳队   7.00 7.50 7.35 7.65 7.20 → (7.50+7.35+7.20)/3 = 7.35
    public = new_page("phone")
    public.goto(f"/events/{event.pk}/results/")
    assert_accessible(public)
    rows = public.locator("table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("成都一队")
    expect(rows.nth(0)).to_contain_text("9.37")
    expect(rows.nth(1)).to_contain_text("8.30")
    expect(rows.nth(2)).to_contain_text("7.35")
    shot(public, "public-ranking")
    assert [str(v) for v in Result.objects.order_by("placing").values_list("value", flat=True)] == [
        "9.370",
        "8.300",
        "7.350",
    ]
