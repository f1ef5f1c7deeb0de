"""seed_demo's events step: a season of events in every state, the demo user's registrations, made
through the domain functions where they act now; a second run adds nothing."""

from __future__ import annotations

import pytest
from django.db import transaction

from sportsplatform.approvals.models import ApprovalAction, ApprovalStatus, ApprovalStep
from sportsplatform.backoffice.demo import SeedContext, seed_accounts
from sportsplatform.core.signups import HOLDS_PLACE, SignupStatus
from sportsplatform.events.demo import SEASON, seed_events
from sportsplatform.events.models import (
    Certificate,
    Event,
    EventGroup,
    EventMedia,
    JudgeAssignment,
    Registration,
    Result,
    Score,
)
from sportsplatform.venues.demo import seed_venues

pytestmark = pytest.mark.django_db


def _run(ctx, capture):
    with capture(execute=True), transaction.atomic():
        seed_events(ctx)


@pytest.fixture
def seeded(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    settings.DEMO_SEED_SCALE = 0.03
    settings.DEMO_SEED_PHOTOS = False
    ctx = SeedContext(log=lambda message: None)
    with django_capture_on_commit_callbacks(execute=True):
        seed_accounts(ctx)
        seed_venues(ctx)
    _run(ctx, django_capture_on_commit_callbacks)
    return ctx


def _event(title: str) -> Event:
    return Event.objects.get(title=title)


def test_events_step_makes_every_spec_once(seeded, django_capture_on_commit_callbacks):
    assert Event.objects.count() == len(SEASON)
    counts = (
        Event.objects.count(),
        EventGroup.objects.count(),
        Registration.objects.count(),
        Result.objects.count(),
        Score.objects.count(),
        EventMedia.objects.count(),
        ApprovalStep.objects.count(),
        Certificate.objects.count(),
    )

    _run(seeded, django_capture_on_commit_callbacks)

    assert (
        Event.objects.count(),
        EventGroup.objects.count(),
        Registration.objects.count(),
        Result.objects.count(),
        Score.objects.count(),
        EventMedia.objects.count(),
        ApprovalStep.objects.count(),
        Certificate.objects.count(),
    ) == counts


def test_events_step_covers_every_review_state(seeded):
    statuses = set(Event.objects.values_list("status", flat=True))
    assert {ApprovalStatus.DRAFT, ApprovalStatus.SUBMITTED, ApprovalStatus.REJECTED, ApprovalStatus.APPROVED} <= (
        statuses
    )
    rejected = Event.objects.get(status=ApprovalStatus.REJECTED)
    assert rejected.decision_comment
    assert ApprovalStep.objects.filter(object_id=rejected.pk, action=ApprovalAction.REJECTED).exists()


def test_events_step_gives_the_chengdu_official_a_review_queue(seeded):
    from sportsplatform.approvals.domain.transitions import pending_for

    queue = pending_for(seeded.user("chengdu"), Event.objects.all())
    assert queue.count() >= 2
    assert all(e.region_id.startswith("5101") for e in queue)


def test_events_step_covers_every_published_stage(seeded):
    from django.utils import timezone

    now = timezone.now()
    published = Event.objects.filter(status=ApprovalStatus.APPROVED, cancelled_at__isnull=True)
    assert any(e.registration_open(now) for e in published)
    assert published.filter(registration_closes_at__lt=now, starts_at__gt=now).exists()  # closed, not begun
    assert published.filter(starts_at__lte=now, ends_at__gt=now).exists()  # ongoing
    assert published.filter(ends_at__lt=now, results_published_at__isnull=False).exists()  # results out
    judged = _event("成都市广场舞展演大赛")
    assert judged.scoring_closed_at is not None
    assert JudgeAssignment.objects.filter(event=judged, is_chief=True).count() == 1
    assert Score.objects.filter(assignment__event=judged).count() == 5 * judged.registrations.count()
    placings = list(Result.objects.filter(event=judged).order_by("placing").values_list("placing", flat=True))
    assert len(placings) == judged.registrations.count() and placings[0] == 1  # ties share a placing
    finished = _event("攀枝花阳光康养半程马拉松")
    assert finished.summary and finished.summary_published_at is not None
    assert EventMedia.objects.filter(event=finished).count() >= 3
    for media in EventMedia.objects.filter(event=finished):
        assert media.file.read(3) == b"\xff\xd8\xff"  # a real JPEG
    cancelled = Event.objects.get(cancelled_at__isnull=False)
    assert cancelled.cancel_reason


def test_events_step_places_taken_match_the_registrations(seeded):
    for group in EventGroup.objects.all():
        holding = Registration.objects.filter(group=group, status__in=HOLDS_PLACE).count()
        assert group.taken == holding, group
        assert group.taken <= group.quota


def test_events_step_gives_the_demo_user_registrations(seeded):
    mine = Registration.objects.filter(user__username="user")
    statuses = set(mine.values_list("status", flat=True))
    assert {SignupStatus.CONFIRMED, SignupStatus.WAITLISTED, SignupStatus.PENDING_PAYMENT} <= statuses
    paid = mine.get(event__title="天府绿道城市半程马拉松")
    assert paid.status == SignupStatus.CONFIRMED and paid.order.amount > 0 and paid.order.status == "paid"
    finished = mine.get(event__title="攀枝花阳光康养半程马拉松")
    assert finished.result.placing >= 1
    assert Certificate.objects.filter(registration=finished, revoked_at__isnull=True).exists()
