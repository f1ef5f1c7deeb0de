"""Judged events (ResultKind.JUDGED): the organiser assigns judges and one chief judge; each judge
scores each confirmed entry privately; the chief judge closes scoring, which writes the results
(trimmed mean) and publishes the ranking.

Privacy of scores, before scoring closes:
- every read here takes the acting judge and filters by *their* assignment (`my_scores`,
  `judging_entries`); there is no function that returns another judge's scores while scoring is
  open, and `score_sheet` refuses until it is closed;
- `submit_score` finds the assignment from (event, acting judge), never from an id the client
  sends, so a judge can only ever write their own score;
- Score has no scope fields (core.scoping): only platform admins could see it in the back office.

Closing: every judge must have scored every confirmed entry. When some scores are missing (a
judge fell ill), the chief judge may still close by giving a reason (audited); each entry is
then averaged over the scores it has, and closing is refused if an entry would be left without a
score after dropping the highest and lowest ones. The final score is the mean after dropping
`drop_highest` highest and `drop_lowest` lowest scores, as a Decimal rounded ROUND_HALF_UP to two
places. After closing the scores are read-only and visible to the organiser and the judges.

The open/closed check is a conditional UPDATE on the event row (scoring_closed_at IS NULL), taken
first in `submit_score` and `close_scoring`: the row lock orders a late score and the close, so a
score is either in the final result or refused — on PostgreSQL and SQLite alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from sportsplatform.core.signups import SignupStatus

from ..models import Event, JudgeAssignment, Registration, Result, ResultKind, Score
from .results import notify_results_published, require_manager

TWO_PLACES = Decimal("0.01")
MAX_SCORE = Decimal("1000")


# --- the arithmetic -------------------------------------------------------------------------


def trimmed_mean(values, *, drop_highest: int, drop_lowest: int) -> Decimal:
    """Mean after dropping the `drop_highest` highest and `drop_lowest` lowest values, rounded
    half up to two places. 9.1 9.4 9.6 9.8 8.0, dropping one each way: (9.1+9.4+9.6)/3 = 9.37."""
    ordered = sorted(Decimal(v) for v in values)
    if drop_highest < 0 or drop_lowest < 0:
        raise ValidationFailed(_("The number of scores to drop cannot be negative."))
    kept = ordered[drop_lowest : len(ordered) - drop_highest]
    if len(ordered) <= drop_highest + drop_lowest or not kept:
        raise ValidationFailed(
            _("Dropping %(high)s highest and %(low)s lowest of %(n)s scores leaves none.")
            % {"high": drop_highest, "low": drop_lowest, "n": len(ordered)},
            fields={"drop": ["drops every score"]},
        )
    return (sum(kept) / Decimal(len(kept))).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def competition_placings(values: dict[int, Decimal]) -> dict[int, int]:
    """Higher is better; ties share a placing and the next skips (1, 2, 2, 4)."""
    return {key: 1 + sum(1 for other in values.values() if other > value) for key, value in values.items()}


# --- assigning ------------------------------------------------------------------------------


def _require_judged(event: Event) -> None:
    if event.result_kind != ResultKind.JUDGED:
        raise Conflict(_("This event is not judged."), code="not_judged")


def _require_open(event: Event) -> None:
    if event.scoring_closed_at is not None:
        raise Conflict(_("Scoring is closed."), code="scoring_closed")


def eligible_judge(user) -> bool:
    """Experts, or any active back-office user the organiser names."""
    return bool(user is not None and user.is_active and user.is_staff)


def find_judge_user(identifier: str):
    """The user the organiser names by user name or mobile number."""
    value = (identifier or "").strip()
    if not value:
        raise ValidationFailed(_("Name the judge by user name or mobile number."), fields={"judge": ["required"]})
    user = get_user_model().objects.filter(Q(username=value) | Q(phone=value)).first()
    if user is None or not eligible_judge(user):
        raise ValidationFailed(
            _("No back-office user %(name)s; judges are experts or other staff with a back-office account.")
            % {"name": value},
            fields={"judge": ["unknown"]},
        )
    return user


def assign_judge(*, event: Event, judge, actor, is_chief: bool = False) -> JudgeAssignment:
    require_manager(actor, event)
    _require_judged(event)
    _require_open(event)
    if not eligible_judge(judge):
        raise ValidationFailed(
            _("Judges are experts or other staff with a back-office account."), fields={"judge": ["not staff"]}
        )
    with transaction.atomic():
        if is_chief:
            JudgeAssignment.objects.filter(event=event, is_chief=True).exclude(judge=judge).update(is_chief=False)
        try:
            with transaction.atomic():
                assignment, created = JudgeAssignment.objects.get_or_create(
                    event=event, judge=judge, defaults={"is_chief": is_chief}
                )
        except IntegrityError:
            raise Conflict(_("Another chief judge was named at the same time; try again."), code="chief_race") from None
        if not created and is_chief and not assignment.is_chief:
            assignment.is_chief = True
            assignment.save(update_fields=["is_chief"])
        audit.record(
            action="events.judge.assigned", actor=actor, obj=assignment, judge=judge.pk, chief=assignment.is_chief
        )
    if created:
        _notify_judge(assignment)
    return assignment


def _notify_judge(assignment: JudgeAssignment) -> None:
    from django.urls import reverse

    from sportsplatform.notifications.domain.send import notify

    notify(
        user=assignment.judge,
        kind="events.judging",
        title=_("You are a judge of %(event)s") % {"event": assignment.event.title},
        link=reverse("events:judging_event", args=[assignment.event_id]),
    )


def remove_judge(*, assignment: JudgeAssignment, actor) -> None:
    event = assignment.event
    require_manager(actor, event)
    _require_open(event)
    with transaction.atomic():
        if Score.objects.filter(assignment=assignment).exists():
            raise Conflict(_("This judge has already scored entries and cannot be removed."), code="judge_has_scores")
        audit.record(action="events.judge.removed", actor=actor, obj=event, judge=assignment.judge_id)
        assignment.delete()


def configure_trimming(*, event: Event, actor, drop_highest: int, drop_lowest: int) -> Event:
    """How many highest and lowest scores the final score drops. Refused when, with the judges
    assigned, no score would be left."""
    require_manager(actor, event)
    _require_judged(event)
    _require_open(event)
    if drop_highest < 0 or drop_lowest < 0 or drop_highest > 10 or drop_lowest > 10:
        raise ValidationFailed(_("Drop between 0 and 10 scores each way."), fields={"drop": ["out of range"]})
    judges = JudgeAssignment.objects.filter(event=event).count()
    if judges and drop_highest + drop_lowest >= judges:
        raise ValidationFailed(
            _("With %(n)s judges, dropping %(high)s highest and %(low)s lowest scores would leave none.")
            % {"n": judges, "high": drop_highest, "low": drop_lowest},
            fields={"drop": ["drops every score"]},
        )
    with transaction.atomic():
        Event.objects.filter(pk=event.pk).update(drop_highest=drop_highest, drop_lowest=drop_lowest)
        audit.record(
            action="events.judging.configured",
            actor=actor,
            obj=event,
            drop_highest=drop_highest,
            drop_lowest=drop_lowest,
        )
    event.drop_highest, event.drop_lowest = drop_highest, drop_lowest
    return event


# --- a judge's own view and scores ----------------------------------------------------------


def my_assignments(judge):
    return (
        JudgeAssignment.objects.filter(judge=judge, event__result_kind=ResultKind.JUDGED)
        .select_related("event", "event__sport")
        .order_by("event__scoring_closed_at", "-event__starts_at", "event_id")
    )


def assignment_for(*, event_id: int, judge) -> JudgeAssignment:
    """The acting judge's assignment, or NotFound (the same answer as a missing event)."""
    assignment = (
        JudgeAssignment.objects.filter(event_id=event_id, judge=judge, event__result_kind=ResultKind.JUDGED)
        .select_related("event")
        .first()
    )
    if assignment is None:
        raise NotFound()
    return assignment


def entries(event: Event):
    return (
        Registration.objects.filter(event=event, status=SignupStatus.CONFIRMED)
        .select_related("group")
        .order_by("group__position", "group_id", "bib", "participant_name", "id")
    )


def my_scores(*, event: Event, judge) -> dict[int, Score]:
    """The acting judge's own scores by registration id; nobody else's."""
    return {
        s.registration_id: s
        for s in Score.objects.filter(assignment__event=event, assignment__judge=judge).only(
            "id", "registration_id", "value", "updated_at", "assignment_id"
        )
    }


@dataclass
class JudgingEntry:
    registration: Registration
    score: Score | None


def judging_entries(*, event: Event, judge) -> list[JudgingEntry]:
    assignment_for(event_id=event.pk, judge=judge)
    mine = my_scores(event=event, judge=judge)
    return [JudgingEntry(r, mine.get(r.pk)) for r in entries(event)]


def parse_score_value(raw) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ValidationFailed(
            _("Write the score as a number, for example 9.35."), fields={"value": ["invalid"]}
        ) from None
    if not value.is_finite() or value < 0 or value > MAX_SCORE:
        raise ValidationFailed(_("The score must be between 0 and 1000."), fields={"value": ["out of range"]})
    if value != value.quantize(TWO_PLACES):
        raise ValidationFailed(_("At most two decimal places."), fields={"value": ["too precise"]})
    return value


def submit_score(*, event: Event, judge, registration: Registration, value) -> Score:
    """The acting judge scores (or re-scores) one entry while scoring is open."""
    assignment = assignment_for(event_id=event.pk, judge=judge)
    if registration.event_id != event.pk or registration.status != SignupStatus.CONFIRMED:
        raise NotFound(_("No such entry in this event."))
    value = parse_score_value(value)
    with transaction.atomic():
        # A no-op write on the open event row: it locks the row (PostgreSQL) or the database
        # (SQLite) until commit, so close_scoring runs entirely before or after this score.
        if not Event.objects.filter(pk=event.pk, scoring_closed_at__isnull=True).update(scoring_closed_at=None):
            raise Conflict(_("Scoring is closed; scores can no longer change."), code="scoring_closed")
        now = timezone.now()
        updated = Score.objects.filter(assignment=assignment, registration=registration).update(
            value=value, updated_at=now
        )
        if not updated:
            Score.objects.create(assignment=assignment, registration=registration, value=value)
        score = Score.objects.get(assignment=assignment, registration=registration)
        audit.record(action="events.score.submitted", actor=judge, obj=event, registration=registration.pk)
    return score


# --- closing --------------------------------------------------------------------------------


@dataclass
class Progress:
    judges: int
    entries: int
    scored: dict[int, int] = field(default_factory=dict)  # assignment id -> entries scored

    @property
    def expected(self) -> int:
        return self.judges * self.entries

    @property
    def done(self) -> int:
        return sum(self.scored.values())

    @property
    def missing(self) -> int:
        return self.expected - self.done


def progress(event: Event) -> Progress:
    """How many entries each judge has scored (counts only: the organiser sees no values)."""
    confirmed = Registration.objects.filter(event=event, status=SignupStatus.CONFIRMED)
    assignments = JudgeAssignment.objects.filter(event=event).annotate(
        n=Count("scores", filter=Q(scores__registration__status=SignupStatus.CONFIRMED))
    )
    scored = {a.pk: a.n for a in assignments}
    return Progress(judges=len(scored), entries=confirmed.count(), scored=scored)


def close_scoring(*, event: Event, actor, missing_reason: str = "") -> list[Result]:
    """The chief judge closes scoring: final scores, placings, results published."""
    _require_judged(event)
    chief = JudgeAssignment.objects.filter(event=event, judge=actor, is_chief=True).first()
    if chief is None:
        raise NotPermitted(_("Only the chief judge can close scoring."))
    if not event.is_published:
        raise Conflict(_("The event is not published."), code="not_published")
    missing_reason = (missing_reason or "").strip()
    now = timezone.now()
    with transaction.atomic():
        if not Event.objects.filter(pk=event.pk, scoring_closed_at__isnull=True).update(
            scoring_closed_at=now, scoring_closed_by=actor, results_published_at=now
        ):
            raise Conflict(_("Scoring is already closed."), code="scoring_closed")
        regs = list(entries(event))
        if not regs:
            raise Conflict(_("There are no confirmed entries to score."), code="no_entries")
        assignments = list(JudgeAssignment.objects.filter(event=event).order_by("id"))
        values: dict[int, list[Decimal]] = {r.pk: [] for r in regs}
        for score in Score.objects.filter(assignment__event=event, registration_id__in=list(values)):
            values[score.registration_id].append(score.value)
        missing = len(assignments) * len(regs) - sum(len(v) for v in values.values())
        if missing and not missing_reason:
            raise Conflict(
                _(
                    "%(n)s scores are missing. Wait for the judges, or close anyway with a reason "
                    "(each entry is then averaged over the scores it has)."
                )
                % {"n": missing},
                code="scores_missing",
                fields={"missing": [missing]},
            )
        finals: dict[int, Decimal] = {}
        short: list[str] = []
        for reg in regs:
            try:
                finals[reg.pk] = trimmed_mean(
                    values[reg.pk], drop_highest=event.drop_highest, drop_lowest=event.drop_lowest
                )
            except ValidationFailed:
                short.append(reg.participant_name)
        if short:
            raise ValidationFailed(
                _("Too few scores for %(names)s: dropping %(high)s highest and %(low)s lowest leaves none.")
                % {"names": "、".join(short[:10]), "high": event.drop_highest, "low": event.drop_lowest},
                fields={"drop": ["drops every score"]},
            )
        results = _write_results(event=event, regs=regs, finals=finals, actor=actor)
        audit.record(
            action="events.scoring.closed",
            actor=actor,
            obj=event,
            missing=missing,
            missing_reason=missing_reason,
            entries=len(regs),
            judges=len(assignments),
        )
        notify_results_published(event)
    event.scoring_closed_at = now
    event.scoring_closed_by = actor
    event.results_published_at = now
    return results


def _write_results(*, event: Event, regs: list[Registration], finals: dict[int, Decimal], actor) -> list[Result]:
    by_group: dict[int, dict[int, Decimal]] = {}
    for reg in regs:
        by_group.setdefault(reg.group_id, {})[reg.pk] = finals[reg.pk]
    placings: dict[int, int] = {}
    for group_values in by_group.values():
        placings.update(competition_placings(group_values))
    Result.objects.filter(event=event).delete()
    return Result.objects.bulk_create(
        [
            Result(
                event=event,
                registration=reg,
                group_id=reg.group_id,
                value=finals[reg.pk],
                display=f"{finals[reg.pk]:.2f}",
                placing=placings[reg.pk],
                entered_by=actor,
            )
            for reg in regs
        ]
    )


# --- after closing --------------------------------------------------------------------------


@dataclass
class SheetRow:
    registration: Registration
    scores: list[Decimal | None]  # in the order of ScoreSheet.judges
    final: Decimal | None
    placing: int | None


@dataclass
class ScoreSheet:
    event: Event
    judges: list[JudgeAssignment]
    rows: list[SheetRow]


def _two_places(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def can_see_all_scores(user, event: Event) -> bool:
    """After scoring closes: the organiser's staff, platform admins and the event's judges."""
    from .results import can_manage_results

    if event.scoring_closed_at is None:
        return False
    return can_manage_results(user, event) or JudgeAssignment.objects.filter(event=event, judge=user).exists()


def score_sheet(*, event: Event, viewer) -> ScoreSheet:
    """Every judge's score of every entry — only once scoring is closed, and only for the
    organiser and the judges."""
    if event.scoring_closed_at is None:
        raise NotPermitted(_("Judges' scores stay private until the chief judge closes scoring."))
    if not can_see_all_scores(viewer, event):
        raise NotPermitted()
    judges = list(JudgeAssignment.objects.filter(event=event).select_related("judge").order_by("-is_chief", "id"))
    column = {a.pk: i for i, a in enumerate(judges)}
    regs = list(entries(event))
    results = {r.registration_id: r for r in Result.objects.filter(event=event)}
    grid = {r.pk: [None] * len(judges) for r in regs}
    for s in Score.objects.filter(assignment__event=event, registration_id__in=list(grid)):
        grid[s.registration_id][column[s.assignment_id]] = s.value
    rows = [
        SheetRow(
            registration=r,
            scores=grid[r.pk],
            final=_two_places(getattr(results.get(r.pk), "value", None)),
            placing=getattr(results.get(r.pk), "placing", None),
        )
        for r in regs
    ]
    rows.sort(key=lambda row: (row.registration.group.position, row.registration.group_id, row.placing or 10**9))
    return ScoreSheet(event=event, judges=judges, rows=rows)
