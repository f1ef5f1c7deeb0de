"""Course videos: who may watch them, and uploading them to private storage.

Video files live under MEDIA_ROOT/private/, which the web server never serves: the page
`training:video` streams them after `can_watch` says yes."""

from __future__ import annotations

from sportsplatform.core.scoping import scope_for
from sportsplatform.core.signups import SignupStatus

from ..models import CourseVideo, Enrolment


def can_manage_course(user, course) -> bool:
    """Staff of the organiser, a bureau official whose region covers the course, a platform admin."""
    scope = scope_for(user)
    return scope.everything or scope.allows_organisation(course.organiser_id) or scope.allows_region(course.region_id)


def can_watch(user, video: CourseVideo) -> bool:
    """A preview of a published course: everyone. Any other video: people with a CONFIRMED
    enrolment in the course (paid, or free and confirmed), and the staff of `can_manage_course`."""
    course = video.course
    if video.is_preview and course.is_published:
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if can_manage_course(user, course):
        return True
    return Enrolment.objects.filter(course_id=course.pk, user=user, status=SignupStatus.CONFIRMED).exists()
