"""seed_demo's training step: coaches with certificates, courses in every state with sessions,
enrolments, attendance and videos, through the training domain; a second run adds nothing."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from sportsplatform.approvals.models import ApprovalStatus
from sportsplatform.backoffice.demo import SeedContext, seed_accounts
from sportsplatform.core.signups import HOLDS_PLACE, SignupStatus
from sportsplatform.events.demo import seed_events
from sportsplatform.orders.models import OrderStatus
from sportsplatform.training.demo import COACHES, TERM, seed_training
from sportsplatform.training.models import (
    Attendance,
    CertificateKind,
    Coach,
    CoachCertificate,
    Course,
    CourseSession,
    CourseVideo,
    Enrolment,
)
from sportsplatform.venues.demo import seed_venues

pytestmark = pytest.mark.django_db


def _run(ctx, capture, step):
    with capture(execute=True), transaction.atomic():
        step(ctx)


@pytest.fixture
def seeded(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    settings.DEMO_SEED_SCALE = 0.03
    settings.DEMO_SEED_PHOTOS = False
    ctx = SeedContext(log=lambda message: None)
    with django_capture_on_commit_callbacks(execute=True):
        seed_accounts(ctx)
        seed_venues(ctx)
    _run(ctx, django_capture_on_commit_callbacks, seed_events)
    _run(ctx, django_capture_on_commit_callbacks, seed_training)
    return ctx


def _counts():
    return tuple(
        model.objects.count()
        for model in (Coach, CoachCertificate, Course, CourseSession, Enrolment, Attendance, CourseVideo)
    )


def test_training_step_is_idempotent_and_complete(seeded, django_capture_on_commit_callbacks):
    assert Course.objects.count() == len(TERM)
    assert Coach.objects.count() == len(COACHES)
    before = _counts()

    _run(seeded, django_capture_on_commit_callbacks, seed_training)

    assert _counts() == before


def test_training_step_covers_every_state(seeded):
    today = timezone.localdate()
    statuses = set(Course.objects.values_list("status", flat=True))
    assert {ApprovalStatus.DRAFT, ApprovalStatus.SUBMITTED, ApprovalStatus.REJECTED, ApprovalStatus.APPROVED} <= (
        statuses
    )
    assert Course.objects.get(status=ApprovalStatus.REJECTED).decision_comment
    published = Course.objects.filter(status=ApprovalStatus.APPROVED, cancelled_at__isnull=True)
    assert any(c.enrolment_open() for c in published)
    assert published.filter(fee=0).exists() and published.filter(fee__gt=0).exists()
    assert published.filter(starts_on__lte=today, ends_on__gte=today).exists()  # running now
    assert published.filter(ends_on__lt=today).exists()  # finished
    assert published.exclude(linked_exam="").exists()
    cancelled = Course.objects.get(cancelled_at__isnull=False)
    assert cancelled.cancel_reason
    refunded = Enrolment.objects.filter(course=cancelled).exclude(order=None)
    assert refunded.exists()
    assert set(refunded.values_list("status", flat=True)) == {SignupStatus.CANCELLED}
    assert set(refunded.values_list("order__status", flat=True)) == {OrderStatus.REFUNDED}


def test_training_step_fills_a_class_and_its_waiting_list(seeded):
    full = Course.objects.get(title="成人蛙泳提高班")
    assert full.taken == full.quota
    assert Enrolment.objects.filter(course=full, status=SignupStatus.WAITLISTED).count() == 2
    for course in Course.objects.all():
        assert course.taken == Enrolment.objects.filter(course=course, status__in=HOLDS_PLACE).count(), course


def test_training_step_takes_attendance_at_past_sessions_only(seeded):
    now = timezone.now()
    assert Attendance.objects.filter(present=True).exists()
    assert Attendance.objects.filter(present=False).exists()
    assert not Attendance.objects.filter(session__starts_at__gt=now).exists()
    running = Course.objects.get(title="中老年健身操班")
    assert Attendance.objects.filter(session__course=running).exists()


def test_training_step_gives_coaches_certificates_and_a_lapsed_one(seeded):
    today = timezone.localdate()
    instructors = CoachCertificate.objects.filter(kind=CertificateKind.SOCIAL_INSTRUCTOR)
    assert instructors.filter(valid_until__gte=today).count() >= 8
    assert instructors.filter(valid_until__lt=today).count() == 1
    assert Coach.objects.filter(is_public=False).count() == 1
    for coach in Coach.objects.all():
        assert coach.photo.read(3) == b"\xff\xd8\xff"


def test_training_step_gives_the_demo_user_enrolments_and_videos(seeded):
    mine = Enrolment.objects.filter(user__username="user")
    assert mine.filter(status=SignupStatus.CONFIRMED).count() >= 2
    paid = mine.filter(order__status=OrderStatus.PAID, order__amount__gt=0)
    assert paid.exists()
    preview = CourseVideo.objects.get(is_preview=True)
    assert preview.file.name.startswith("private/")
    assert preview.file.read(4) == b"\x1a\x45\xdf\xa3"  # WebM (EBML header)
    assert CourseVideo.objects.filter(is_preview=False, course=preview.course).exists()
