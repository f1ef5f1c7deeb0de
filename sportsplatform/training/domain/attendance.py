"""Attendance per session: the organiser's staff mark each confirmed student present or absent
(one row per session and student, a unique constraint; marking again changes the mark)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import NotPermitted, ValidationFailed
from sportsplatform.core.signups import SignupStatus

from ..models import Attendance, CourseSession, Enrolment
from .enrolments import is_organiser_staff


def mark_attendance(*, session: CourseSession, enrolment: Enrolment, present: bool, actor) -> Attendance:
    """Mark `enrolment` present or absent at `session` (insert or update). Only the organiser's
    staff (or a platform admin); only CONFIRMED enrolments of the session's course; not for a
    session on a later day. Raises NotPermitted or ValidationFailed."""
    session = CourseSession.objects.select_related("course").get(pk=session.pk)
    course = session.course
    if not is_organiser_staff(actor, course):
        raise NotPermitted(_("Only the course organiser's staff can take attendance."))
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    if enrolment.course_id != course.pk:
        raise ValidationFailed(fields={"enrolment": [_("This student is not enrolled in this course.")]})
    if enrolment.status != SignupStatus.CONFIRMED:
        raise ValidationFailed(
            fields={"enrolment": [_("Only confirmed students are on the attendance sheet.")]},
        )
    if timezone.localdate(session.starts_at) > timezone.localdate():
        raise ValidationFailed(fields={"session": [_("This session has not taken place yet.")]})
    return record_presence(session=session, enrolment=enrolment, present=bool(present), actor=actor)


def record_presence(*, session: CourseSession, enrolment: Enrolment, present: bool, actor) -> Attendance:
    """The upsert itself (callers have checked who and what). Two desks marking the same student
    at once: the unique constraint makes one insert, the other updates."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                row, created = Attendance.objects.select_for_update().get_or_create(
                    session=session,
                    enrolment=enrolment,
                    defaults={"present": present, "marked_by": actor if getattr(actor, "pk", None) else None},
                )
                if not created and row.present != present:
                    row.present = present
                    row.marked_by = actor if getattr(actor, "pk", None) else None
                    row.save(update_fields=["present", "marked_by", "marked_at"])
                audit.record(
                    action="training.attendance.marked",
                    actor=actor,
                    obj=enrolment,
                    session=session.pk,
                    present=present,
                )
                return row
        except IntegrityError:
            if attempt:
                raise
    raise AssertionError("unreachable")


def mark_all_present(*, session: CourseSession, actor) -> int:
    """Mark every confirmed student not yet marked at `session` present. Returns how many."""
    session = CourseSession.objects.select_related("course").get(pk=session.pk)
    marked = 0
    already = set(Attendance.objects.filter(session=session).values_list("enrolment_id", flat=True))
    for enrolment in Enrolment.objects.filter(course_id=session.course_id, status=SignupStatus.CONFIRMED).order_by(
        "pk"
    ):
        if enrolment.pk in already:
            continue
        mark_attendance(session=session, enrolment=enrolment, present=True, actor=actor)
        marked += 1
    return marked
