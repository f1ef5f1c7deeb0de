"""Course test data without surprises. Helpers may append functions; keep existing signatures."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from sportsplatform.approvals.models import ApprovalStatus
from sportsplatform.training.models import Coach, CoachCertificate, Course, CourseSession
from tests.events.factories import ensure_sport, make_organiser
from tests.support.accounts import ensure_regions

_n = {"n": 0}


def make_coach(*, organisation, name: str | None = None, certified: bool = True) -> Coach:
    _n["n"] += 1
    coach = Coach.objects.create(organisation=organisation, name=name or f"教练{_n['n']}", years_coaching=5)
    if certified:
        CoachCertificate.objects.create(
            coach=coach,
            kind="instructor",
            name="社会体育指导员",
            level="二级",
            number=f"SI-{_n['n']:06d}",
            issued_by="四川省体育局",
            issued_on=timezone.localdate() - timedelta(days=400),
            valid_until=timezone.localdate() + timedelta(days=800),
        )
    return coach


def make_course(
    *,
    organiser=None,
    region_code: str = "510107",
    venue=None,
    status: str = ApprovalStatus.APPROVED,
    fee: str = "0.00",
    quota: int = 10,
    sport: str = "swimming",
    sessions: int = 4,
    starts_in_days: int = 7,
    enrol_open: bool = True,
    **extra,
) -> Course:
    """A published course (APPROVED) with weekly sessions and one certified coach."""
    regions = ensure_regions()
    if organiser is None:
        organiser, _user = make_organiser(region_code=region_code)
    now = timezone.now()
    first = timezone.localdate() + timedelta(days=starts_in_days)
    course = Course.objects.create(
        title=extra.pop("title", f"测试课程{_n['n'] + 1}"),
        sport=ensure_sport(sport),
        organiser=organiser,
        venue=venue,
        region=venue.region if venue is not None else regions[region_code],
        place=extra.pop("place", "" if venue else "市游泳馆"),
        fee=Decimal(fee),
        quota=quota,
        starts_on=first,
        ends_on=first + timedelta(days=7 * max(sessions - 1, 0)),
        enrol_opens_at=now - timedelta(days=1) if enrol_open else now + timedelta(days=1),
        enrol_closes_at=now + timedelta(days=starts_in_days),
        contact_phone=extra.pop("contact_phone", "13900000001"),
        status=status,
        submitted_at=now if status != ApprovalStatus.DRAFT else None,
        decided_at=now if status in (ApprovalStatus.APPROVED, ApprovalStatus.REJECTED) else None,
        **extra,
    )
    coach = make_coach(organisation=organiser)
    course.coaches.add(coach)
    tz = timezone.get_current_timezone()
    for i in range(sessions):
        day = first + timedelta(days=7 * i)
        start = timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 9, 0), tz)
        CourseSession.objects.create(course=course, starts_at=start, ends_at=start + timedelta(hours=2), coach=coach)
    return course
