"""Judging: the trimmed mean, judges' privacy (domain, pages, URL guessing, admin), closing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from sportsplatform.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from sportsplatform.events.domain import judging
from sportsplatform.events.domain.judging import trimmed_mean
from sportsplatform.events.models import Event, Result, ResultKind, Score
from tests.events.factories import make_event, make_organiser
from tests.events.results_factories import login_staff, make_entry, make_judge
from tests.support.queries import assert_same_query_count

pytestmark = pytest.mark.django_db

D = Decimal


# --- the trimmed mean (worked examples) -----------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "high", "low", "expected"),
    [
        # Five judges, drop 9.8 and 8.0: (9.1 + 9.4 + 9.6) / 3 = 9.3666… → 9.37.
        (["9.1", "9.4", "9.6", "9.8", "8.0"], 1, 1, "9.37"),
        # Nothing dropped: (8 + 9 + 10) / 3 = 9.
        (["8", "9", "10"], 0, 0, "9.00"),
        # Half up, not to even: (9.12 + 9.13) / 2 = 9.125 → 9.13.
        (["9.12", "9.13"], 0, 0, "9.13"),
        # (8.5 + 8.6 + 8.7) / 3 = 8.6 after dropping two highest (9.9, 9.5) and one lowest (2.0).
        (["9.9", "8.5", "2.0", "8.6", "9.5", "8.7"], 2, 1, "8.60"),
        # Ties at the edges: only one of the equal highest is dropped. (9 + 9 + 8) / 3 = 8.67.
        (["9", "9", "9", "8", "7"], 1, 1, "8.67"),
    ],
)
def test_trimmed_mean_worked_examples(scores, high, low, expected):
    assert trimmed_mean([D(s) for s in scores], drop_highest=high, drop_lowest=low) == D(expected)


@pytest.mark.parametrize(("n", "high", "low"), [(2, 1, 1), (3, 2, 1), (1, 1, 0), (0, 0, 0)])
def test_trimmed_mean_that_drops_every_score_is_refused(n, high, low):
    with pytest.raises(ValidationFailed):
        trimmed_mean([D("9")] * n, drop_highest=high, drop_lowest=low)


# --- set-up ---------------------------------------------------------------------------------


@pytest.fixture
def contest():
    """A judged event with three judges (the first is chief) and three confirmed entries."""
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser, result_kind=ResultKind.JUDGED, title="健身操比赛")
    judges = [make_judge(display_name=f"裁判{i}") for i in range(3)]
    for i, judge in enumerate(judges):
        judging.assign_judge(event=event, judge=judge, actor=staff, is_chief=i == 0)
    entries = [make_entry(event, name=name) for name in ("甲队", "乙队", "丙队")]
    return {"event": event, "staff": staff, "judges": judges, "entries": entries}


def _score_all(contest, table):
    """table[j][e] = judge j's score of entry e."""
    for judge, row in zip(contest["judges"], table, strict=True):
        for entry, value in zip(contest["entries"], row, strict=True):
            judging.submit_score(event=contest["event"], judge=judge, registration=entry, value=value)


# --- assigning ------------------------------------------------------------------------------


def test_assign_judge_by_someone_outside_the_organiser_is_refused(contest):
    _org, stranger = make_organiser()

    with pytest.raises(NotPermitted):
        judging.assign_judge(event=contest["event"], judge=make_judge(), actor=stranger)


def test_assign_judge_of_a_member_of_the_public_is_refused(contest):
    from tests.support.accounts import make_public_user

    with pytest.raises(ValidationFailed):
        judging.assign_judge(
            event=contest["event"], judge=make_public_user(phone="13700000001"), actor=contest["staff"]
        )


def test_assign_judge_as_chief_moves_the_chief(contest):
    event, staff, judges = contest["event"], contest["staff"], contest["judges"]

    judging.assign_judge(event=event, judge=judges[2], actor=staff, is_chief=True)

    chiefs = list(event.judges.filter(is_chief=True).values_list("judge_id", flat=True))
    assert chiefs == [judges[2].pk]


def test_configure_trimming_that_would_drop_every_score_is_refused(contest):
    with pytest.raises(ValidationFailed):
        judging.configure_trimming(event=contest["event"], actor=contest["staff"], drop_highest=2, drop_lowest=1)
    contest["event"].refresh_from_db()
    assert (contest["event"].drop_highest, contest["event"].drop_lowest) == (1, 1)


def test_remove_judge_who_has_scored_is_refused(contest):
    judge = contest["judges"][1]
    judging.submit_score(event=contest["event"], judge=judge, registration=contest["entries"][0], value="9")

    with pytest.raises(Conflict):
        judging.remove_judge(assignment=judge.judging.get(), actor=contest["staff"])


# --- privacy --------------------------------------------------------------------------------


def test_my_scores_returns_only_the_acting_judges_scores(contest):
    a, b, _c = contest["judges"]
    entry = contest["entries"][0]
    judging.submit_score(event=contest["event"], judge=a, registration=entry, value="9.10")
    judging.submit_score(event=contest["event"], judge=b, registration=entry, value="7.70")

    mine = judging.my_scores(event=contest["event"], judge=a)

    assert {k: v.value for k, v in mine.items()} == {entry.pk: D("9.10")}
    assert [e.score.value if e.score else None for e in judging.judging_entries(event=contest["event"], judge=b)] == [
        D("7.70"),
        None,
        None,
    ]


def test_submit_score_changes_only_the_judges_own_score(contest):
    a, b, _c = contest["judges"]
    entry = contest["entries"][0]
    judging.submit_score(event=contest["event"], judge=a, registration=entry, value="9.10")
    judging.submit_score(event=contest["event"], judge=b, registration=entry, value="7.70")

    judging.submit_score(event=contest["event"], judge=b, registration=entry, value="8.00")

    values = dict(Score.objects.filter(registration=entry).values_list("assignment__judge_id", "value"))
    assert values == {a.pk: D("9.10"), b.pk: D("8.00")}


def test_submit_score_by_someone_not_judging_is_refused(contest):
    outsider = make_judge()

    with pytest.raises(NotFound):
        judging.submit_score(event=contest["event"], judge=outsider, registration=contest["entries"][0], value="9")
    with pytest.raises(NotFound):
        judging.submit_score(
            event=contest["event"], judge=contest["staff"], registration=contest["entries"][0], value="9"
        )
    assert not Score.objects.exists()


def test_submit_score_for_an_entry_of_another_event_is_refused(contest):
    other = make_event(result_kind=ResultKind.JUDGED)
    foreign = make_entry(other)

    with pytest.raises(NotFound):
        judging.submit_score(event=contest["event"], judge=contest["judges"][0], registration=foreign, value="9")


@pytest.mark.parametrize("value", ["-1", "1000.01", "9.123", "nine", "NaN", "Infinity"])
def test_submit_score_of_a_bad_value_is_refused(contest, value):
    with pytest.raises(ValidationFailed):
        judging.submit_score(
            event=contest["event"], judge=contest["judges"][0], registration=contest["entries"][0], value=value
        )
    assert not Score.objects.exists()


def test_score_sheet_before_closing_is_refused_even_to_the_organiser(contest):
    for viewer in (contest["staff"], contest["judges"][0]):
        with pytest.raises(NotPermitted):
            judging.score_sheet(event=contest["event"], viewer=viewer)


def test_judge_page_shows_only_the_judges_own_scores(client, contest):
    a, b, _c = contest["judges"]
    entry = contest["entries"][0]
    judging.submit_score(event=contest["event"], judge=a, registration=entry, value="9.15")
    judging.submit_score(event=contest["event"], judge=b, registration=entry, value="6.35")
    login_staff(client, a)

    html = client.get(reverse("events:judging_event", args=[contest["event"].pk])).content.decode()

    assert "9.15" in html and "6.35" not in html


def test_judge_page_of_an_event_the_judge_is_not_on_is_404(client, contest):
    other = make_event(result_kind=ResultKind.JUDGED)
    login_staff(client, contest["judges"][0])

    assert client.get(reverse("events:judging_event", args=[other.pk])).status_code == 404
    assert client.post(reverse("events:judging_event", args=[other.pk]), {"action": "close"}).status_code == 404


def test_judge_page_post_with_a_guessed_entry_id_changes_nothing(client, contest):
    other = make_event(result_kind=ResultKind.JUDGED)
    foreign = make_entry(other)
    other_judge = make_judge()
    judging.assign_judge(event=other, judge=other_judge, actor=_organiser_staff(other), is_chief=True)
    judging.submit_score(event=other, judge=other_judge, registration=foreign, value="5")
    login_staff(client, contest["judges"][0])

    response = client.post(
        reverse("events:judging_event", args=[contest["event"].pk]), {f"score-{foreign.pk}": "10", "action": "score"}
    )

    assert response.status_code == 400
    assert list(Score.objects.values_list("value", flat=True)) == [D("5")]


def _organiser_staff(event: Event):
    from sportsplatform.accounts.models import User

    return User.objects.filter(memberships__organisation=event.organiser).first()


def test_score_sheet_and_export_urls_before_closing_are_404(client, contest):
    for user in (contest["staff"], contest["judges"][0]):
        login_staff(client, user)
        assert client.get(reverse("events:score_sheet", args=[contest["event"].pk])).status_code == 404
        assert client.get(reverse("events:export", args=[contest["event"].pk, "scores"])).status_code == 404


def test_judges_page_shows_the_organiser_counts_not_scores(client, contest):
    judging.submit_score(
        event=contest["event"], judge=contest["judges"][1], registration=contest["entries"][0], value="7.45"
    )
    login_staff(client, contest["staff"])

    html = client.get(reverse("events:judges", args=[contest["event"].pk])).content.decode()

    assert "1 / 3" in html and "7.45" not in html


def test_scores_are_not_in_the_back_office_for_organisers_or_judges(client, contest):
    judging.submit_score(
        event=contest["event"], judge=contest["judges"][1], registration=contest["entries"][0], value="7.45"
    )
    for user in (contest["staff"], contest["judges"][0]):
        login_staff(client, user)
        response = client.get("/admin/events/score/")
        assert response.status_code in (403, 404)
        assert "7.45" not in response.content.decode()


# --- closing --------------------------------------------------------------------------------


def test_close_scoring_computes_trimmed_means_and_publishes(contest):
    _score_all(
        contest,
        [
            ["9.1", "8.0", "7.0"],
            ["9.4", "8.5", "7.0"],
            ["9.8", "9.9", "7.0"],
        ],
    )
    event, chief = contest["event"], contest["judges"][0]

    judging.close_scoring(event=event, actor=chief)

    finals = {
        r.registration.participant_name: (r.value, r.placing) for r in Result.objects.select_related("registration")
    }
    assert finals == {"甲队": (D("9.400"), 1), "乙队": (D("8.500"), 2), "丙队": (D("7.000"), 3)}
    event.refresh_from_db()
    assert event.scoring_closed_at and event.results_published_at and event.scoring_closed_by == chief


def test_close_scoring_with_equal_finals_shares_the_placing(contest):
    _score_all(contest, [["9", "9", "8"], ["9", "9", "8"], ["9", "9", "8"]])

    judging.close_scoring(event=contest["event"], actor=contest["judges"][0])

    assert sorted(Result.objects.values_list("placing", flat=True)) == [1, 1, 3]


def test_close_scoring_by_a_judge_who_is_not_chief_is_refused(contest):
    _score_all(contest, [["9"] * 3] * 3)

    for actor in (contest["judges"][1], contest["staff"]):
        with pytest.raises(NotPermitted):
            judging.close_scoring(event=contest["event"], actor=actor)
    assert not Result.objects.exists()


def test_close_scoring_with_missing_scores_needs_a_reason(contest):
    a, b, c = contest["judges"]
    e = contest["entries"]
    for judge in (a, b, c):
        for entry in e[:2]:
            judging.submit_score(event=contest["event"], judge=judge, registration=entry, value="8")
    judging.submit_score(event=contest["event"], judge=a, registration=e[2], value="9")
    judging.submit_score(event=contest["event"], judge=b, registration=e[2], value="7")
    judging.submit_score(event=contest["event"], judge=b, registration=e[2], value="7.5")

    with pytest.raises(Conflict) as caught:
        judging.close_scoring(event=contest["event"], actor=a)
    assert caught.value.code == "scores_missing"
    contest["event"].refresh_from_db()
    assert contest["event"].scoring_closed_at is None and not Result.objects.exists()

    # With a reason the chief closes; 丙队 has two scores (9, 7.5): dropping 1 + 1 leaves none.
    with pytest.raises(ValidationFailed):
        judging.close_scoring(event=contest["event"], actor=a, missing_reason="3号裁判因病离场")
    contest["event"].refresh_from_db()
    assert contest["event"].scoring_closed_at is None

    judging.configure_trimming(event=contest["event"], actor=contest["staff"], drop_highest=0, drop_lowest=0)
    judging.close_scoring(event=contest["event"], actor=a, missing_reason="3号裁判因病离场")
    assert Result.objects.get(registration=e[2]).value == D("8.25")


def test_scores_after_closing_are_read_only_and_visible_to_organiser_and_judges(contest):
    _score_all(contest, [["9", "8", "7"], ["9", "8", "7"], ["9", "8", "7"]])
    event = contest["event"]
    judging.close_scoring(event=event, actor=contest["judges"][0])

    with pytest.raises(Conflict):
        judging.submit_score(event=event, judge=contest["judges"][1], registration=contest["entries"][0], value="1")
    with pytest.raises(Conflict):
        judging.close_scoring(event=event, actor=contest["judges"][0])
    sheet = judging.score_sheet(event=event, viewer=contest["judges"][2])
    assert sheet.rows[0].scores == [D("9"), D("9"), D("9")]
    assert judging.score_sheet(event=event, viewer=contest["staff"]).rows
    _org, stranger = make_organiser()
    with pytest.raises(NotPermitted):
        judging.score_sheet(event=event, viewer=stranger)


def test_judge_page_after_closing_shows_every_judges_scores(client, contest):
    _score_all(contest, [["9.15", "8", "7"], ["6.35", "8", "7"], ["7.25", "8", "7"]])
    judging.close_scoring(event=contest["event"], actor=contest["judges"][0])
    login_staff(client, contest["judges"][1])

    html = client.get(reverse("events:judging_event", args=[contest["event"].pk])).content.decode()

    assert "9.15" in html and "6.35" in html and "7.25" in html
    assert 'name="score-' not in html


def test_chief_closes_from_the_judge_page(client, contest):
    _score_all(contest, [["9", "8", "7"]] * 3)
    login_staff(client, contest["judges"][0])

    response = client.post(reverse("events:judging_event", args=[contest["event"].pk]), {"action": "close"})

    assert response.status_code == 302
    assert Result.objects.count() == 3


# --- query budgets --------------------------------------------------------------------------


def test_judge_page_has_no_n_plus_one(client, db):
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser, result_kind=ResultKind.JUDGED)
    judge = make_judge()
    judging.assign_judge(event=event, judge=judge, actor=staff, is_chief=True)
    login_staff(client, judge)

    def make_rows(n):
        for _ in range(n):
            entry = make_entry(event)
            judging.submit_score(event=event, judge=judge, registration=entry, value="8.5")

    assert_same_query_count(client, reverse("events:judging_event", args=[event.pk]), make_rows)


def test_judges_list_page_has_no_n_plus_one(client, db):
    organiser, staff = make_organiser()
    judge = make_judge()
    login_staff(client, judge)

    def make_rows(n):
        for _ in range(n):
            event = make_event(organiser=organiser, result_kind=ResultKind.JUDGED)
            judging.assign_judge(event=event, judge=judge, actor=staff)

    assert_same_query_count(client, reverse("events:judge_home"), make_rows)


def test_score_sheet_page_has_no_n_plus_one(client, db):
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser, result_kind=ResultKind.JUDGED)
    chief = make_judge()
    judging.assign_judge(event=event, judge=chief, actor=staff, is_chief=True)
    judging.configure_trimming(event=event, actor=staff, drop_highest=0, drop_lowest=0)
    entries = []

    def make_rows(n):
        for _ in range(n):
            entries.append(make_entry(event))
        Event.objects.filter(pk=event.pk).update(scoring_closed_at=None, results_published_at=None)
        event.refresh_from_db()
        for entry in entries:
            judging.submit_score(event=event, judge=chief, registration=entry, value="8")
        judging.close_scoring(event=event, actor=chief)

    login_staff(client, staff)
    assert_same_query_count(client, reverse("events:score_sheet", args=[event.pk]), make_rows)


def test_judges_page_has_no_n_plus_one(client, db):
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser, result_kind=ResultKind.JUDGED)
    entry = make_entry(event)
    login_staff(client, staff)

    def make_rows(n):
        for _ in range(n):
            judge = make_judge()
            judging.assign_judge(event=event, judge=judge, actor=staff)
            judging.submit_score(event=event, judge=judge, registration=entry, value="8")

    assert_same_query_count(client, reverse("events:judges", args=[event.pk]), make_rows)
