"""Course applications: drafts, the submit check (sessions, certified coaches of the organiser),
review by the bureau of the course's region only, weekly sessions, editing rules."""

from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from sportsplatform.accounts.models import OrganisationKind
from sportsplatform.approvals.models import ApprovalStatus, ApprovalStep
from sportsplatform.core.errors import IllegalTransition, NotPermitted, ValidationFailed
from sportsplatform.training import queries
from sportsplatform.training.domain.courses import (
    approve_course,
    create_course,
    reject_course,
    reschedule_session,
    return_course,
    submit_course,
    update_course,
    weekly_sessions,
)
from sportsplatform.training.models import Course, CourseSession
from sportsplatform.venues.models import Sport
from tests.events.factories import make_organiser
from tests.support.accounts import ensure_regions, make_official
from tests.training.factories import make_coach

pytestmark = pytest.mark.django_db


def course_data(**extra) -> dict:
    now = timezone.now()
    first = timezone.localdate() + timedelta(days=14)
    data = {
        "title": "青少年游泳提高班",
        "sport": Sport.objects.get(code="swimming"),
        "region_id": None,
        "place": "武侯区游泳馆",
        "fee": "680.00",
        "quota": 12,
        "starts_on": first,
        "ends_on": first + timedelta(days=28),
        "enrol_opens_at": now,
        "enrol_closes_at": now + timedelta(days=10),
        "contact_phone": "13900000002",
        "min_age": 8,
        "max_age": 14,
    }
    data.pop("region_id")
    data.update(extra)
    return data


@pytest.fixture
def applicant():
    organiser, staff = make_organiser(region_code="510107")
    return organiser, staff


def draft(applicant, **extra):
    organiser, staff = applicant
    from sportsplatform.regions.models import Region

    coach = make_coach(organisation=organiser)
    data = course_data(region=Region.objects.get(code="510107"), coaches=[coach], **extra)
    if "sessions" not in data and "weekly" not in data:
        data["weekly"] = {"weekdays": [5], "start": time(9), "end": time(11)}
    return create_course(actor=staff, organiser=organiser, data=data)


# --- drafts ----------------------------------------------------------------------------------


def test_create_course_makes_draft_with_weekly_sessions_and_default_refund_rules(applicant):
    course = draft(applicant)

    assert course.status == ApprovalStatus.DRAFT
    assert course.fee == Decimal("680.00")
    sessions = list(course.sessions.order_by("starts_at"))
    assert 4 <= len(sessions) <= 5
    assert all(timezone.localtime(s.starts_at).weekday() == 5 for s in sessions)
    assert all(timezone.localtime(s.starts_at).time() == time(9) for s in sessions)
    assert course.refund_tiers == [{"hours_before": 72, "percent": 100}, {"hours_before": 24, "percent": 50}]


def test_create_course_for_another_organisation_refused(applicant):
    other, _ = make_organiser()
    _organiser, staff = applicant

    with pytest.raises(NotPermitted):
        create_course(actor=staff, organiser=other, data=course_data())


def test_create_course_by_bureau_kind_organisation_refused():
    organiser, staff = make_organiser(kind=OrganisationKind.EXPERT_PANEL)

    with pytest.raises(NotPermitted):
        create_course(actor=staff, organiser=organiser, data=course_data())


def test_create_course_bad_fields_named_and_nothing_saved(applicant):
    organiser, staff = applicant
    from sportsplatform.regions.models import Region

    data = course_data(
        region=Region.objects.get(code="510100"),  # a city, not a county
        quota=0,
        fee="-5",
        max_age=5,
        contact_phone="",
    )
    data["ends_on"] = data["starts_on"] - timedelta(days=1)

    with pytest.raises(ValidationFailed) as exc:
        create_course(actor=staff, organiser=organiser, data=data)

    assert {"region", "quota", "fee", "ends_on", "max_age", "contact_phone"} <= set(exc.value.fields)
    assert not Course.objects.exists()


def test_create_course_with_another_organisations_coach_refused(applicant):
    organiser, staff = applicant
    other, _ = make_organiser()
    from sportsplatform.regions.models import Region

    with pytest.raises(ValidationFailed) as exc:
        create_course(
            actor=staff,
            organiser=organiser,
            data=course_data(region=Region.objects.get(code="510107"), coaches=[make_coach(organisation=other)]),
        )

    assert "coaches" in exc.value.fields
    assert not Course.objects.exists()


def test_create_course_bad_refund_tiers_refused(applicant):
    with pytest.raises(ValidationFailed) as exc:
        draft(applicant, refund_tiers=[{"hours_before": 24, "percent": 150}])

    assert "refund_tiers" in exc.value.fields


def test_create_course_unknown_field_refused(applicant):
    with pytest.raises(ValidationFailed) as exc:
        draft(applicant, taken=5)

    assert "taken" in exc.value.fields


def test_create_course_at_venue_takes_venue_region(applicant):
    from tests.venues.factories import make_venue

    ensure_regions()
    venue = make_venue(region="510104")

    course = draft(applicant, venue=venue)

    assert course.region_id == "510104"


def test_weekly_sessions_bad_pattern_refused():
    today = timezone.localdate()
    with pytest.raises(ValidationFailed):
        weekly_sessions(first_day=today, last_day=today, weekdays=[], start=time(9), end=time(10))
    with pytest.raises(ValidationFailed):
        weekly_sessions(first_day=today, last_day=today, weekdays=[1], start=time(10), end=time(9))


def test_update_course_replaces_sessions(applicant):
    course = draft(applicant)
    start = timezone.now().replace(microsecond=0) + timedelta(days=15)

    update_course(
        course=course,
        actor=applicant[1],
        data={"sessions": [{"starts_at": start, "ends_at": start + timedelta(hours=1), "topic": "蛙泳"}]},
    )

    assert list(course.sessions.values_list("topic", flat=True)) == ["蛙泳"]


def test_update_submitted_course_refused(applicant):
    course = draft(applicant)
    submit_course(course=course, actor=applicant[1])

    with pytest.raises(IllegalTransition):
        update_course(course=course, actor=applicant[1], data={"title": "改名"})


# --- submit and review -----------------------------------------------------------------------


def test_submit_without_sessions_or_coaches_names_what_is_missing(applicant):
    organiser, staff = applicant
    from sportsplatform.regions.models import Region

    course = create_course(actor=staff, organiser=organiser, data=course_data(region=Region.objects.get(code="510107")))

    with pytest.raises(ValidationFailed) as exc:
        submit_course(course=course, actor=staff)

    assert {"sessions", "coaches"} <= set(exc.value.fields)
    course.refresh_from_db()
    assert course.status == ApprovalStatus.DRAFT


def test_submit_with_coach_whose_certificate_expires_before_the_end_refused(applicant):
    course = draft(applicant)
    coach = course.coaches.get()
    coach.certificates.update(valid_until=course.starts_on + timedelta(days=1))

    with pytest.raises(ValidationFailed) as exc:
        submit_course(course=course, actor=applicant[1])

    assert "coaches" in exc.value.fields
    assert coach.name in str(exc.value.fields["coaches"])


def test_submit_with_uncertified_coach_refused(applicant):
    organiser, staff = applicant
    course = draft(applicant)
    course.coaches.add(make_coach(organisation=organiser, certified=False))

    with pytest.raises(ValidationFailed):
        submit_course(course=course, actor=staff)


def test_submit_then_approve_by_chengdu_official_publishes(applicant):
    course = draft(applicant)
    submit_course(course=course, actor=applicant[1])
    official = make_official(region_code="510100")

    approve_course(course=course, actor=official, comment="同意")

    course.refresh_from_db()
    assert course.status == ApprovalStatus.APPROVED
    assert course.is_published
    assert queries.course_detail(course.pk).pk == course.pk
    actions = list(ApprovalStep.objects.filter(object_id=course.pk).values_list("action", flat=True))
    assert actions == ["submitted", "approved"]


def test_mianyang_official_cannot_review_chengdu_course(applicant):
    course = draft(applicant)
    submit_course(course=course, actor=applicant[1])
    official = make_official(region_code="510700")

    with pytest.raises(NotPermitted):
        approve_course(course=course, actor=official)

    course.refresh_from_db()
    assert course.status == ApprovalStatus.SUBMITTED


def test_review_queue_of_chengdu_official_holds_only_chengdu_courses(applicant):
    from sportsplatform.approvals.domain.transitions import pending_for

    chengdu = draft(applicant)
    submit_course(course=chengdu, actor=applicant[1])
    mianyang_org, mianyang_staff = make_organiser(region_code="510703")
    from sportsplatform.regions.models import Region

    coach = make_coach(organisation=mianyang_org)
    mianyang = create_course(
        actor=mianyang_staff,
        organiser=mianyang_org,
        data=course_data(
            region=Region.objects.get(code="510703"),
            coaches=[coach],
            weekly={"weekdays": [6], "start": time(9), "end": time(10)},
        ),
    )
    submit_course(course=mianyang, actor=mianyang_staff)

    queue = pending_for(make_official(region_code="510100"), Course.objects.all())

    assert list(queue.values_list("pk", flat=True)) == [chengdu.pk]


def test_reject_needs_reason_and_applicant_can_edit_and_resubmit(applicant):
    course = draft(applicant)
    submit_course(course=course, actor=applicant[1])
    official = make_official(region_code="510107")

    with pytest.raises(ValidationFailed):
        reject_course(course=course, actor=official, comment="")
    reject_course(course=course, actor=official, comment="教练资质不全")
    update_course(course=course, actor=applicant[1], data={"title": "青少年游泳提高班（修订）"})
    submit_course(course=course, actor=applicant[1])

    course.refresh_from_db()
    assert course.status == ApprovalStatus.SUBMITTED
    assert course.title.endswith("（修订）")


def test_return_for_changes_makes_draft_again(applicant):
    course = draft(applicant)
    submit_course(course=course, actor=applicant[1])

    return_course(course=course, actor=make_official(region_code="510000"), comment="补充场地")

    course.refresh_from_db()
    assert course.status == ApprovalStatus.DRAFT


def test_applicant_cannot_approve_own_course(applicant):
    course = draft(applicant)
    submit_course(course=course, actor=applicant[1])

    with pytest.raises(NotPermitted):
        approve_course(course=course, actor=applicant[1])


# --- sessions of a published course ----------------------------------------------------------


def test_reschedule_session_by_stranger_refused(applicant):
    course = draft(applicant)
    session = course.sessions.first()
    _other, stranger = make_organiser()

    with pytest.raises(NotPermitted):
        reschedule_session(
            session=session, actor=stranger, starts_at=session.starts_at, ends_at=session.ends_at + timedelta(hours=1)
        )


def test_reschedule_session_moves_it(applicant):
    course = draft(applicant)
    session = course.sessions.order_by("starts_at").first()
    later = session.starts_at + timedelta(hours=2)

    reschedule_session(session=session, actor=applicant[1], starts_at=later, ends_at=later + timedelta(hours=2))

    assert CourseSession.objects.get(pk=session.pk).starts_at == later


# --- scoping of back-office reads ------------------------------------------------------------


def test_office_courses_scoped_by_region_and_organisation(applicant):
    chengdu = draft(applicant)
    mianyang_org, mianyang_staff = make_organiser(region_code="510703")
    from tests.training.factories import make_course

    mianyang = make_course(organiser=mianyang_org, region_code="510703")

    assert set(queries.office_courses(make_official(region_code="510100")).values_list("pk", flat=True)) == {chengdu.pk}
    assert set(queries.office_courses(mianyang_staff).values_list("pk", flat=True)) == {mianyang.pk}
    assert set(queries.office_courses(applicant[1]).values_list("pk", flat=True)) == {chengdu.pk}
