"""Course applications: an institution or venue operator writes a draft (fee, coaches from its own
coach list, sessions, place, class size, enrolment window, linked exam or competition, refund
rules), submits it, and the bureau whose region covers the course approves, rejects or returns it
(approvals.domain.transitions — the same workflow as events). Approved and not cancelled is
published. Cancelling a published course refunds every enrolment in full."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.accounts.models import OrganisationKind
from sportsplatform.approvals.domain.transitions import review_application
from sportsplatform.approvals.models import ApprovalAction, ApprovalStatus, ApprovalStep
from sportsplatform.core import audit
from sportsplatform.core.errors import Conflict, IllegalTransition, NotPermitted, ValidationFailed
from sportsplatform.core.scoping import scope_for
from sportsplatform.regions.models import RegionLevel

from ..models import Coach, Course, CourseLevel, CourseSession

# Organisations that may offer courses.
COURSE_ORGANISER_KINDS = (OrganisationKind.INSTITUTION, OrganisationKind.OPERATOR)
EDITABLE_STATUSES = (ApprovalStatus.DRAFT, ApprovalStatus.REJECTED)
DEFAULT_REFUND_TIERS = [{"hours_before": 72, "percent": 100}, {"hours_before": 24, "percent": 50}]

# Plain fields a draft may set through `data`.
COURSE_FIELDS = (
    "title",
    "sport",
    "level",
    "venue",
    "region",
    "place",
    "description",
    "audience",
    "min_age",
    "max_age",
    "fee",
    "quota",
    "starts_on",
    "ends_on",
    "enrol_opens_at",
    "enrol_closes_at",
    "schedule_note",
    "linked_exam",
    "linked_event",
    "refund_tiers",
    "contact_phone",
    "cover",
)


def can_edit_course(actor, course: Course) -> bool:
    scope = scope_for(actor)
    return scope.everything or scope.allows_organisation(course.organiser_id)


def _require_applicant(actor, organiser) -> None:
    scope = scope_for(actor)
    if not (scope.everything or scope.allows_organisation(organiser.pk)):
        raise NotPermitted(_("Only the staff of the organisation can apply for its courses."))
    if organiser.kind not in COURSE_ORGANISER_KINDS:
        raise NotPermitted(_("Only training institutions and venue operators can offer courses."))


def validate_refund_tiers(tiers) -> list[dict]:
    """[{"hours_before": 72, "percent": 100}, ...]: hours ≥ 0, percent 0–100, no hour twice."""
    if tiers in (None, ""):
        return []
    if not isinstance(tiers, list):
        raise ValidationFailed(fields={"refund_tiers": [_("Refund rules must be a list of tiers.")]})
    cleaned, seen = [], set()
    for tier in tiers:
        try:
            hours = float(tier["hours_before"])
            percent = int(tier["percent"])
        except (KeyError, TypeError, ValueError):
            raise ValidationFailed(
                fields={"refund_tiers": [_("Each refund tier needs hours before the start and a percentage.")]}
            ) from None
        if hours < 0 or not 0 <= percent <= 100 or hours in seen:
            raise ValidationFailed(
                fields={
                    "refund_tiers": [_("Hours must be 0 or more, percentages between 0 and 100, each hour count once.")]
                }
            )
        seen.add(hours)
        cleaned.append({"hours_before": int(hours) if hours.is_integer() else hours, "percent": percent})
    return sorted(cleaned, key=lambda t: -t["hours_before"])


def _apply_data(course: Course, data: dict) -> None:
    unknown = set(data) - set(COURSE_FIELDS) - {"coaches", "sessions", "weekly"}
    if unknown:
        raise ValidationFailed(fields={name: [_("Unknown field.")] for name in sorted(unknown)})
    for name in COURSE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "fee":
            try:
                value = Decimal(str(value)).quantize(Decimal("0.01"))
            except (InvalidOperation, ValueError):
                raise ValidationFailed(fields={"fee": [_("Enter the fee in yuan, e.g. 35.00.")]}) from None
        elif name == "refund_tiers":
            value = validate_refund_tiers(value)
        elif isinstance(value, str) and name not in ("cover",):
            value = value.strip()
        setattr(course, name, value)
    if course.venue_id:
        course.region_id = course.venue.region_id


def validate_course(course: Course) -> None:
    """Field checks of a draft (a draft may still miss sessions and coaches: check_complete is the
    submit check)."""
    errors: dict[str, list[str]] = {}
    if not (course.title or "").strip():
        errors["title"] = [_("Give the course a name.")]
    if not course.sport_id:
        errors["sport"] = [_("Choose the sport.")]
    if course.level not in CourseLevel.values:
        errors["level"] = [_("Choose a level.")]
    if not course.region_id:
        errors["region"] = [_("Choose the county or district where the course takes place.")]
    elif course.region.level != RegionLevel.COUNTY:
        errors["region"] = [_("Choose a county or district, not a city or the province.")]
    if course.fee is None or course.fee < 0:
        errors["fee"] = [_("The fee cannot be negative.")]
    if not course.quota or course.quota < 1:
        errors["quota"] = [_("The class needs at least one place.")]
    if course.pk and course.quota is not None and course.quota < course.taken:
        errors["quota"] = [_("The class size cannot be below the places already taken.")]
    if not course.starts_on or not course.ends_on:
        errors["starts_on"] = [_("Give the first and last day.")]
    elif course.ends_on < course.starts_on:
        errors["ends_on"] = [_("The last day cannot be before the first day.")]
    if not course.enrol_opens_at or not course.enrol_closes_at:
        errors["enrol_opens_at"] = [_("Give when enrolment opens and closes.")]
    elif course.enrol_closes_at < course.enrol_opens_at:
        errors["enrol_closes_at"] = [_("Enrolment cannot close before it opens.")]
    if course.min_age is not None and course.max_age is not None and course.min_age > course.max_age:
        errors["max_age"] = [_("The maximum age cannot be below the minimum age.")]
    if not (course.contact_phone or "").strip():
        errors["contact_phone"] = [_("Give a contact phone number.")]
    if course.linked_event_id and course.linked_event.status != ApprovalStatus.APPROVED:
        errors["linked_event"] = [_("Link only a published competition.")]
    if errors:
        raise ValidationFailed(fields=errors)


def _set_coaches(course: Course, coaches) -> None:
    ids = sorted({getattr(c, "pk", c) for c in coaches or []})
    found = list(Coach.objects.filter(pk__in=ids, organisation_id=course.organiser_id))
    if len(found) != len(ids):
        raise ValidationFailed(fields={"coaches": [_("Choose coaches from your own organisation's coach list.")]})
    course.coaches.set(found)


def _session_from(data: dict, course: Course) -> CourseSession:
    try:
        starts_at, ends_at = data["starts_at"], data["ends_at"]
    except KeyError:
        raise ValidationFailed(fields={"sessions": [_("Each session needs a start and an end.")]}) from None
    if not isinstance(starts_at, datetime) or not isinstance(ends_at, datetime):
        raise ValidationFailed(fields={"sessions": [_("Each session needs a start and an end.")]})
    if ends_at <= starts_at:
        raise ValidationFailed(fields={"sessions": [_("A session must end after it starts.")]})
    coach = data.get("coach")
    coach_id = getattr(coach, "pk", coach)
    return CourseSession(
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        topic=(data.get("topic") or "")[:128],
        place=(data.get("place") or "")[:255],
        coach_id=coach_id,
    )


def weekly_sessions(
    *,
    first_day: date,
    last_day: date,
    weekdays: list[int],
    start: time,
    end: time,
) -> list[tuple[datetime, datetime]]:
    """(start, end) of a session on each `weekdays` (0 = Monday) day from first_day to last_day."""
    if end <= start:
        raise ValidationFailed(fields={"weekly": [_("A session must end after it starts.")]})
    days = sorted({int(d) for d in weekdays or []})
    if not days or any(d < 0 or d > 6 for d in days):
        raise ValidationFailed(fields={"weekly": [_("Choose the days of the week.")]})
    if last_day < first_day or (last_day - first_day).days > 366:
        raise ValidationFailed(fields={"weekly": [_("The schedule must run forwards and within one year.")]})
    tz = timezone.get_current_timezone()
    out = []
    day = first_day
    while day <= last_day:
        if day.weekday() in days:
            out.append((datetime.combine(day, start, tzinfo=tz), datetime.combine(day, end, tzinfo=tz)))
        day += timedelta(days=1)
    return out


def _replace_sessions(course: Course, data: dict) -> None:
    sessions: list[CourseSession] = []
    if data.get("sessions") is not None:
        sessions = [_session_from(s, course) for s in data["sessions"]]
    elif data.get("weekly") is not None:
        weekly = data["weekly"]
        try:
            pairs = weekly_sessions(
                first_day=weekly.get("first_day") or course.starts_on,
                last_day=weekly.get("last_day") or course.ends_on,
                weekdays=weekly["weekdays"],
                start=weekly["start"],
                end=weekly["end"],
            )
        except (KeyError, TypeError, AttributeError):
            raise ValidationFailed(
                fields={"weekly": [_("Give the days of the week and the start and end times.")]}
            ) from None
        coach = weekly.get("coach")
        sessions = [
            CourseSession(
                course=course,
                starts_at=s,
                ends_at=e,
                topic=(weekly.get("topic") or "")[:128],
                place=(weekly.get("place") or "")[:255],
                coach_id=getattr(coach, "pk", coach),
            )
            for s, e in pairs
        ]
    else:
        return
    coach_ids = {s.coach_id for s in sessions if s.coach_id}
    if coach_ids and Coach.objects.filter(pk__in=coach_ids, organisation_id=course.organiser_id).count() != len(
        coach_ids
    ):
        raise ValidationFailed(fields={"sessions": [_("Choose coaches from your own organisation's coach list.")]})
    course.sessions.all().delete()
    CourseSession.objects.bulk_create(sessions)


def create_course(*, actor, organiser, data: dict) -> Course:
    """A draft course of `organiser`. `data`: model fields (see COURSE_FIELDS), `coaches` (coaches
    or ids of the organiser's), and `sessions` (dicts with starts_at, ends_at, topic, place,
    coach) or `weekly` ({weekdays, start, end, first_day?, last_day?, topic?, place?, coach?})."""
    _require_applicant(actor, organiser)
    course = Course(organiser=organiser, created_by=actor if getattr(actor, "pk", None) else None)
    if "refund_tiers" not in data:
        course.refund_tiers = list(DEFAULT_REFUND_TIERS)
    _apply_data(course, data)
    validate_course(course)
    with transaction.atomic():
        course.save()
        if "coaches" in data:
            _set_coaches(course, data["coaches"])
        _replace_sessions(course, data)
        audit.record(action="training.course.created", actor=actor, obj=course)
    return course


def update_course(*, course: Course, actor, data: dict) -> Course:
    """Change a draft or rejected course (a returned one is a draft again)."""
    if not can_edit_course(actor, course):
        raise NotPermitted(_("Only the staff of the organisation can change its courses."))
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        if locked.status not in EDITABLE_STATUSES:
            raise IllegalTransition(
                _("A course that is %(status)s cannot be changed.") % {"status": locked.get_status_display()},
                fields={"status": [locked.status]},
            )
        _apply_data(locked, data)
        validate_course(locked)
        locked.save()
        if "coaches" in data:
            _set_coaches(locked, data["coaches"])
        _replace_sessions(locked, data)
        audit.record(action="training.course.updated", actor=actor, obj=locked, fields=sorted(data))
    course.refresh_from_db()
    return course


def submit_course(*, course: Course, actor) -> ApprovalStep:
    """Send for review; Course.check_complete names what is missing (sessions, certified coaches)."""
    return review_application(application=course, action=ApprovalAction.SUBMITTED, actor=actor)


def approve_course(*, course: Course, actor, comment: str = "") -> ApprovalStep:
    return review_application(application=course, action=ApprovalAction.APPROVED, actor=actor, comment=comment)


def reject_course(*, course: Course, actor, comment: str) -> ApprovalStep:
    return review_application(application=course, action=ApprovalAction.REJECTED, actor=actor, comment=comment)


def return_course(*, course: Course, actor, comment: str) -> ApprovalStep:
    return review_application(application=course, action=ApprovalAction.RETURNED, actor=actor, comment=comment)


def withdraw_course(*, course: Course, actor, comment: str = "") -> ApprovalStep:
    return review_application(application=course, action=ApprovalAction.WITHDRAWN, actor=actor, comment=comment)


def cancel_course(*, course: Course, actor, reason: str) -> Course:
    """Cancel a published course before it starts: no more enrolments, every enrolment cancelled
    and refunded in full (orders.cancel_order). The organiser's staff, or the reviewing bureau.
    Raises NotPermitted, ValidationFailed (no reason), IllegalTransition (not published) or
    Conflict "course_started"."""
    from sportsplatform.approvals.domain.transitions import can_review

    from ..queries import first_session_start
    from .enrolments import cancel_all_enrolments

    reason = (reason or "").strip()[:255]
    if not (can_edit_course(actor, course) or can_review(actor, course)):
        raise NotPermitted(_("Only the organiser or the reviewing bureau can cancel this course."))
    if not reason:
        raise ValidationFailed(fields={"reason": [_("Give the reason, the students will see it.")]})
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        if not locked.is_published:
            raise IllegalTransition(
                _("Only a published course can be cancelled."), fields={"status": [locked.status, "cancelled"]}
            )
        first = first_session_start(locked)
        if first is not None and first <= timezone.now():
            raise Conflict(_("The course has already started and can no longer be cancelled."), code="course_started")
        locked.cancelled_at = timezone.now()
        locked.cancel_reason = reason
        locked.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
        audit.record(action="training.course.cancelled", actor=actor, obj=locked, reason=reason)
    # Outside the course lock: each refund asks the payment provider.
    cancel_all_enrolments(course=locked, actor=actor, reason=reason)
    course.refresh_from_db()
    return course


def reschedule_session(
    *, session: CourseSession, actor, starts_at: datetime, ends_at: datetime, place: str | None = None
) -> CourseSession:
    """Move one session of a course (published or not); enrolled students are told."""
    from sportsplatform.core.signups import HOLDS_PLACE
    from sportsplatform.notifications.domain.send import notify_many

    course = session.course
    if not can_edit_course(actor, course):
        raise NotPermitted(_("Only the staff of the organisation can change its courses."))
    if ends_at <= starts_at:
        raise ValidationFailed(fields={"ends_at": [_("A session must end after it starts.")]})
    with transaction.atomic():
        locked = CourseSession.objects.select_for_update().get(pk=session.pk)
        before = locked.starts_at
        locked.starts_at, locked.ends_at = starts_at, ends_at
        if place is not None:
            locked.place = place.strip()[:255]
        locked.save(update_fields=["starts_at", "ends_at", "place"])
        audit.record(
            action="training.session.rescheduled",
            actor=actor,
            obj=course,
            session=locked.pk,
            before=before.isoformat(),
            after=starts_at.isoformat(),
        )
        if course.is_published:
            users = {e.user for e in course.enrolments.filter(status__in=HOLDS_PLACE).select_related("user")}
            notify_many(
                users=users,
                kind="training.session.rescheduled",
                title=_("Class time changed"),
                body=_("The class of %(course)s on %(before)s now starts %(after)s.")
                % {
                    "course": course.title,
                    "before": f"{timezone.localtime(before):%m-%d %H:%M}",
                    "after": f"{timezone.localtime(starts_at):%m-%d %H:%M}",
                },
            )
    return locked


def missing_for_submission(course: Course) -> dict[str, list[str]]:
    """What a course still lacks before the bureau can review it (Course.check_complete)."""
    errors: dict[str, list[str]] = {}
    try:
        validate_course(course)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if not course.venue_id and not (course.place or "").strip():
        errors["place"] = [_("Choose a venue or describe the place.")]
    sessions = list(course.sessions.order_by("starts_at"))
    if not sessions:
        errors["sessions"] = [_("Add the class sessions (or generate them weekly).")]
    elif course.starts_on and course.ends_on:
        outside = [s for s in sessions if not course.starts_on <= timezone.localdate(s.starts_at) <= course.ends_on]
        if outside:
            errors["sessions"] = [
                _("%(n)d sessions lie outside the course's first and last day.") % {"n": len(outside)}
            ]
        elif course.enrol_closes_at and course.enrol_closes_at > sessions[-1].ends_at:
            errors["enrol_closes_at"] = [_("Enrolment must close before the last session ends.")]
    coaches = list(course.coaches.prefetch_related("certificates"))
    if not coaches:
        errors["coaches"] = [_("Name at least one coach.")]
    else:
        until = course.ends_on or timezone.localdate()
        foreign = [c.name for c in coaches if c.organisation_id != course.organiser_id]
        uncertified = [c.name for c in coaches if not any(cert.is_valid(until) for cert in c.certificates.all())]
        if foreign:
            errors["coaches"] = [_("Not coaches of your organisation: %(names)s.") % {"names": "、".join(foreign)}]
        elif uncertified:
            errors["coaches"] = [
                _("These coaches hold no certificate valid until the course ends: %(names)s.")
                % {"names": "、".join(uncertified)}
            ]
    return errors


def check_complete(course: Course) -> None:
    errors = missing_for_submission(course)
    if errors:
        raise ValidationFailed(_("The application is not complete yet."), fields=errors)
