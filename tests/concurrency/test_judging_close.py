"""Judges keep changing their scores while the chief judge closes scoring, in real threads: every
score is either in the final result or refused with "scoring closed" — the results always equal
the trimmed mean of the scores stored. And two closes at once: one wins, nothing is written twice."""

from __future__ import annotations

import pytest

from sportsplatform.core.errors import Conflict
from sportsplatform.events.domain import judging
from sportsplatform.events.models import Result, ResultKind, Score
from sportsplatform.venues.models import Sport
from tests.events.factories import make_event, make_organiser
from tests.events.results_factories import make_entry, make_judge

from .support import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _athletics(_reference_data):
    Sport.objects.get_or_create(code="athletics", defaults={"name": "田径", "name_en": "Athletics", "order": 9})


@pytest.fixture
def scored():
    organiser, staff = make_organiser()
    event = make_event(organiser=organiser, result_kind=ResultKind.JUDGED)
    judges = [make_judge() for _ in range(4)]
    for i, judge in enumerate(judges):
        judging.assign_judge(event=event, judge=judge, actor=staff, is_chief=i == 0)
    entries = [make_entry(event) for _ in range(3)]
    for judge in judges:
        for entry in entries:
            judging.submit_score(event=event, judge=judge, registration=entry, value="8.00")
    return event, judges, entries


def test_scores_racing_the_close_are_either_counted_or_refused(scored):
    event, judges, entries = scored
    writers = judges[1:]

    def work(i: int):
        if i == 0:
            return judging.close_scoring(event=event, actor=judges[0])
        judge = writers[i % len(writers)]
        changed = 0
        for round_ in range(5):
            for entry in entries:
                try:
                    judging.submit_score(event=event, judge=judge, registration=entry, value=f"{9 + i % 3}.{round_}0")
                    changed += 1
                except Conflict as exc:
                    assert exc.code == "scoring_closed"
                    return changed
        return changed

    outcome = race(7, work)

    assert outcome.stuck == 0
    assert outcome.unexpected == []
    event.refresh_from_db()
    assert event.scoring_closed_at is not None
    for entry in entries:
        stored = list(Score.objects.filter(registration=entry).values_list("value", flat=True))
        expected = judging.trimmed_mean(stored, drop_highest=event.drop_highest, drop_lowest=event.drop_lowest)
        assert Result.objects.get(registration=entry).value == expected


def test_two_closes_at_once_one_wins(scored):
    event, judges, entries = scored

    outcome = race(2, lambda i: judging.close_scoring(event=event, actor=judges[0]))

    assert outcome.stuck == 0
    assert len(outcome.results) == 1
    assert len(outcome.errors_of(Conflict)) == 1
    assert Result.objects.filter(event=event).count() == len(entries)
