"""Reads of the training app: published courses with their filters, a course's detail, a person's
enrolments, public coach profiles, attendance sheets and rates. Pages, the API and the back office
call these; nothing here writes.

Public reads (`published_courses`, `course_detail`, `public_coaches`, `coach_detail`) show only
published courses and public coaches; back-office reads (`office_courses`, `office_course`) go
through core.scoping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from sportsplatform.approvals.models import ApprovalStatus
from sportsplatform.core.errors import NotFound
from sportsplatform.core.scoping import require_visible, visible_to
from sportsplatform.core.signups import ACTIVE, HOLDS_PLACE, SignupStatus
from sportsplatform.regions.models import Region

from .models import Attendance, Coach, CoachCertificate, Course, CourseSession, CourseVideo, Enrolment

# --- courses ---------------------------------------------------------------------------------


def published_course_q() -> Q:
    """Published = approved by the bureau and not cancelled."""
    return Q(status=ApprovalStatus.APPROVED, cancelled_at__isnull=True)


def open_for_enrolment_q(now: datetime | None = None) -> Q:
    now = now or timezone.now()
    return published_course_q() & Q(enrol_opens_at__lte=now, enrol_closes_at__gt=now)


def _with_list_relations(qs: QuerySet[Course]) -> QuerySet[Course]:
    """What a list row shows (sport, region, organiser, venue, coaches) in a constant number of
    queries."""
    return qs.select_related("sport", "region", "organiser", "venue").prefetch_related(
        Prefetch("coaches", queryset=Coach.objects.order_by("name", "id"))
    )


def published_courses(
    *,
    q: str = "",
    sport=None,
    region=None,
    date_from: date | None = None,
    date_to: date | None = None,
    fee: str | None = None,
    open_only: bool = False,
    level: str | None = None,
    organiser=None,
    coach=None,
    include_ended: bool = True,
    now: datetime | None = None,
) -> QuerySet[Course]:
    """Published courses matching every given filter.

    `sport`: a Sport or its code; `region`: a Region or its code (a city includes its counties);
    `date_from`/`date_to`: courses that run on some day in that range; `fee`: "free" or "paid";
    `open_only`: enrolment open now; `organiser`/`coach`: an object or its id.
    Ordered: running and upcoming courses first (soonest start first), then ended ones (latest
    first)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    qs = Course.objects.filter(published_course_q())
    for term in (q or "").split():
        qs = qs.filter(
            Q(title__icontains=term)
            | Q(description__icontains=term)
            | Q(organiser__name__icontains=term)
            | Q(place__icontains=term)
            | Q(venue__name__icontains=term)
        )
    if sport:
        qs = qs.filter(sport__code=getattr(sport, "code", sport))
    if region:
        code = getattr(region, "code", region)
        qs = qs.filter(region__in=Region.objects.within(str(code)).values("code"))
    if date_from:
        qs = qs.filter(ends_on__gte=date_from)
    if date_to:
        qs = qs.filter(starts_on__lte=date_to)
    if fee == "free":
        qs = qs.filter(fee=0)
    elif fee == "paid":
        qs = qs.filter(fee__gt=0)
    if open_only:
        qs = qs.filter(enrol_opens_at__lte=now, enrol_closes_at__gt=now)
    if level:
        qs = qs.filter(level=level)
    if organiser:
        qs = qs.filter(organiser_id=getattr(organiser, "pk", organiser))
    if coach:
        qs = qs.filter(
            Exists(
                Course.coaches.through.objects.filter(course_id=OuterRef("pk"), coach_id=getattr(coach, "pk", coach))
            )
        )
    if not include_ended:
        qs = qs.filter(ends_on__gte=today)
    qs = qs.annotate(ended=Case(When(ends_on__lt=today, then=Value(1)), default=Value(0), output_field=IntegerField()))
    return _with_list_relations(qs).order_by("ended", "starts_on", "id")


def _published_sessions() -> Prefetch:
    return Prefetch("sessions", queryset=CourseSession.objects.select_related("coach").order_by("starts_at", "id"))


def _coaches_with_certificates() -> Prefetch:
    return Prefetch(
        "coaches",
        queryset=Coach.objects.select_related("organisation")
        .prefetch_related(
            Prefetch("certificates", queryset=CoachCertificate.objects.order_by("-issued_on", "id")), "sports"
        )
        .order_by("name", "id"),
    )


def course_detail(pk) -> Course:
    """A published course with its sessions, coaches (with certificates) and videos. NotFound for a
    course that is not published (drafts, rejected, cancelled) or does not exist."""
    try:
        return (
            Course.objects.filter(published_course_q())
            .select_related("sport", "region", "region__parent", "organiser", "venue", "linked_event")
            .prefetch_related(
                _published_sessions(),
                _coaches_with_certificates(),
                Prefetch("videos", queryset=CourseVideo.objects.order_by("position", "id")),
            )
            .get(pk=pk)
        )
    except (Course.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def first_session_start(course: Course) -> datetime | None:
    """When the course starts: its first session, else 00:00 local on its first day."""
    first = course.sessions.order_by("starts_at").values_list("starts_at", flat=True).first()
    if first is not None:
        return first
    if course.starts_on is None:
        return None
    return datetime.combine(course.starts_on, time(0, 0), tzinfo=timezone.get_current_timezone())


def last_session_end(course: Course) -> datetime | None:
    last = course.sessions.order_by("-ends_at").values_list("ends_at", flat=True).first()
    if last is not None:
        return last
    if course.ends_on is None:
        return None
    return datetime.combine(course.ends_on, time(23, 59), tzinfo=timezone.get_current_timezone())


def course_videos(*, course: Course, user) -> list[CourseVideo]:
    """The course's videos in order, each with `.watchable` for `user` (the rule of
    domain.videos.can_watch, asked once for the whole course)."""
    from .domain.videos import has_full_access

    videos = list(course.videos.all())
    full = has_full_access(user, course) if videos else False
    for video in videos:
        video.watchable = full or (video.is_preview and course.is_published)
    return videos


# --- enrolments ------------------------------------------------------------------------------


def my_enrolments(user, *, active_only: bool = False) -> QuerySet[Enrolment]:
    """The user's enrolments, newest first, with course, order and the course's sport/region."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Enrolment.objects.none()
    qs = Enrolment.objects.filter(user=user)
    if active_only:
        qs = qs.filter(status__in=ACTIVE)
    return qs.select_related(
        "course", "course__sport", "course__region", "course__organiser", "course__venue", "order"
    ).order_by("-created_at", "-id")


def my_enrolment(user, pk) -> Enrolment:
    """One of the user's enrolments; NotFound for anyone else's."""
    try:
        return my_enrolments(user).get(pk=pk)
    except (Enrolment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def active_enrolment(*, user, course: Course) -> Enrolment | None:
    """The user's pending, confirmed or waitlisted enrolment in `course`, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return (
        Enrolment.objects.filter(user=user, course=course, status__in=ACTIVE)
        .select_related("order")
        .order_by("-created_at")
        .first()
    )


def waitlist_position(enrolment: Enrolment) -> int | None:
    """1 for the next to be promoted; None when not waitlisted."""
    if enrolment.status != SignupStatus.WAITLISTED:
        return None
    ahead = Enrolment.objects.filter(course_id=enrolment.course_id, status=SignupStatus.WAITLISTED).filter(
        Q(waitlisted_at__lt=enrolment.waitlisted_at) | Q(waitlisted_at=enrolment.waitlisted_at, pk__lt=enrolment.pk)
    )
    return ahead.count() + 1


def waitlist_positions(enrolments) -> dict[int, int]:
    """Waiting-list position of each waitlisted enrolment among `enrolments`, in one query."""
    waiting = {e.pk: e.course_id for e in enrolments if e.status == SignupStatus.WAITLISTED}
    if not waiting:
        return {}
    ranked = (
        Enrolment.objects.filter(course_id__in=set(waiting.values()), status=SignupStatus.WAITLISTED)
        .annotate(
            position=Window(
                RowNumber(), partition_by=[F("course_id")], order_by=[F("waitlisted_at").asc(), F("id").asc()]
            )
        )
        .values_list("pk", "position")
    )
    return {pk: position for pk, position in ranked if pk in waiting}


def waitlist_count(course: Course) -> int:
    return Enrolment.objects.filter(course=course, status=SignupStatus.WAITLISTED).count()


# --- coaches ---------------------------------------------------------------------------------


def _valid_certificate_exists(on: date) -> Exists:
    return Exists(
        CoachCertificate.objects.filter(coach_id=OuterRef("pk")).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=on)
        )
    )


def public_coaches(*, q: str = "", sport=None, organisation=None, region=None) -> QuerySet[Coach]:
    """Public coaches of active organisations, each with `has_valid_certificate`, their sports and
    certificates prefetched."""
    today = timezone.localdate()
    qs = Coach.objects.filter(is_public=True, organisation__is_active=True)
    for term in (q or "").split():
        qs = qs.filter(Q(name__icontains=term) | Q(bio__icontains=term) | Q(organisation__name__icontains=term))
    if sport:
        qs = qs.filter(
            Exists(
                Coach.sports.through.objects.filter(coach_id=OuterRef("pk"), sport__code=getattr(sport, "code", sport))
            )
        )
    if organisation:
        qs = qs.filter(organisation_id=getattr(organisation, "pk", organisation))
    if region:
        code = getattr(region, "code", region)
        qs = qs.filter(organisation__region__in=Region.objects.within(str(code)).values("code"))
    return (
        qs.annotate(has_valid_certificate=_valid_certificate_exists(today))
        .select_related("organisation")
        .prefetch_related(
            "sports", Prefetch("certificates", queryset=CoachCertificate.objects.order_by("-issued_on", "id"))
        )
        .order_by("-has_valid_certificate", "-years_coaching", "name", "id")
    )


def coach_detail(pk) -> Coach:
    """A public coach with certificates, sports and their published courses that have not ended
    (`upcoming_courses`). NotFound otherwise."""
    today = timezone.localdate()
    courses = (
        Course.objects.filter(published_course_q(), ends_on__gte=today)
        .select_related("sport", "region")
        .order_by("starts_on", "id")
    )
    try:
        return (
            Coach.objects.filter(is_public=True, organisation__is_active=True)
            .annotate(has_valid_certificate=_valid_certificate_exists(today))
            .select_related("organisation", "organisation__region")
            .prefetch_related(
                "sports",
                Prefetch("certificates", queryset=CoachCertificate.objects.order_by("-issued_on", "id")),
                Prefetch("courses", queryset=courses, to_attr="upcoming_courses"),
            )
            .get(pk=pk)
        )
    except (Coach.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def certificate_status(certificate: CoachCertificate, on: date | None = None) -> str:
    """ "valid", "expiring" (within 60 days) or "expired"."""
    on = on or timezone.localdate()
    if certificate.valid_until is None:
        return "valid"
    if certificate.valid_until < on:
        return "expired"
    if (certificate.valid_until - on).days <= 60:
        return "expiring"
    return "valid"


# --- back office -----------------------------------------------------------------------------


def office_courses(actor, *, status: str | None = None) -> QuerySet[Course]:
    """Courses `actor` may see in the back office (own organisation's, or the bureau's region)."""
    qs = visible_to(actor, Course.objects.all())
    if status:
        qs = qs.filter(status=status)
    return (
        qs.select_related("sport", "region", "organiser")
        .annotate(
            confirmed_count=Count("enrolments", filter=Q(enrolments__status=SignupStatus.CONFIRMED), distinct=True),
            waitlisted_count=Count("enrolments", filter=Q(enrolments__status=SignupStatus.WAITLISTED), distinct=True),
        )
        .order_by("-starts_on", "id")
    )


def office_course(actor, pk) -> Course:
    """One course through the actor's scope, with sessions; NotFound when out of scope."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    qs = Course.objects.select_related("sport", "region", "organiser", "venue").prefetch_related(
        _published_sessions(), "coaches"
    )
    return require_visible(actor, qs, pk=pk)


def course_students(course: Course) -> list[Enrolment]:
    """Confirmed enrolments of the course, by name: who is on the attendance sheet."""
    return list(
        Enrolment.objects.filter(course=course, status=SignupStatus.CONFIRMED)
        .select_related("user")
        .order_by("student_name", "id")
    )


def course_roster(course: Course) -> QuerySet[Enrolment]:
    """Every enrolment of the course that holds a place or waits for one."""
    return (
        Enrolment.objects.filter(course=course, status__in=ACTIVE)
        .select_related("user", "order")
        .order_by(
            Case(
                *[When(status=s, then=Value(i)) for i, s in enumerate(HOLDS_PLACE)],
                default=Value(9),
                output_field=IntegerField(),
            ),
            "waitlisted_at",
            "created_at",
            "id",
        )
    )


@dataclass(frozen=True)
class AttendanceSheet:
    session: CourseSession
    students: list[Enrolment]
    marks: dict[int, bool]  # enrolment id -> present

    @property
    def present_count(self) -> int:
        return sum(1 for v in self.marks.values() if v)


def attendance_sheet(session: CourseSession) -> AttendanceSheet:
    students = course_students(session.course)
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "present"))
    return AttendanceSheet(session=session, students=students, marks=marks)


@dataclass(frozen=True)
class StudentAttendance:
    enrolment: Enrolment
    marks: list[bool | None]  # one per session, None = not marked
    attended: int
    held: int  # sessions already started (the rate's denominator)

    @property
    def rate(self) -> float | None:
        return None if self.held == 0 else self.attended / self.held


def attendance_table(
    course: Course, *, now: datetime | None = None
) -> tuple[list[CourseSession], list[StudentAttendance]]:
    """Sessions and, per confirmed student, present/absent per session and the attendance rate
    (present / sessions already started). Three queries whatever the class size."""
    now = now or timezone.now()
    sessions = list(course.sessions.order_by("starts_at", "id"))
    held_ids = {s.pk for s in sessions if s.starts_at <= now}
    students = course_students(course)
    marks: dict[tuple[int, int], bool] = {
        (enrolment_id, session_id): present
        for enrolment_id, session_id, present in Attendance.objects.filter(session__course=course).values_list(
            "enrolment_id", "session_id", "present"
        )
    }
    rows = []
    for enrolment in students:
        row = [marks.get((enrolment.pk, s.pk)) for s in sessions]
        attended = sum(1 for s in sessions if s.pk in held_ids and marks.get((enrolment.pk, s.pk)) is True)
        rows.append(StudentAttendance(enrolment=enrolment, marks=row, attended=attended, held=len(held_ids)))
    return sessions, rows


def attendance_rate(enrolment: Enrolment, *, now: datetime | None = None) -> float | None:
    """Share of the course's sessions already started at which the student was marked present."""
    now = now or timezone.now()
    held = CourseSession.objects.filter(course_id=enrolment.course_id, starts_at__lte=now).count()
    if held == 0:
        return None
    attended = Attendance.objects.filter(enrolment=enrolment, present=True, session__starts_at__lte=now).count()
    return attended / held
