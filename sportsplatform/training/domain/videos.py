"""Course videos: who may watch them, and uploading them to private storage.

Video files live under MEDIA_ROOT/private/, which the web server never serves: the page
`training:video` streams them after `can_watch` says yes."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from sportsplatform.core import audit
from sportsplatform.core.errors import NotPermitted, ValidationFailed
from sportsplatform.core.scoping import scope_for
from sportsplatform.core.signups import SignupStatus

from ..models import CourseVideo, Enrolment


def can_manage_course(user, course) -> bool:
    """Staff of the organiser, a bureau official whose region covers the course, a platform admin."""
    scope = scope_for(user)
    return scope.everything or scope.allows_organisation(course.organiser_id) or scope.allows_region(course.region_id)


def has_full_access(user, course) -> bool:
    """May `user` watch every video of `course` (not only the previews)?"""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if can_manage_course(user, course):
        return True
    return Enrolment.objects.filter(course_id=course.pk, user=user, status=SignupStatus.CONFIRMED).exists()


def can_watch(user, video: CourseVideo) -> bool:
    """A preview of a published course: everyone. Any other video: people with a CONFIRMED
    enrolment in the course (paid, or free and confirmed), and the staff of `can_manage_course`."""
    if video.is_preview and video.course.is_published:
        return True
    return has_full_access(user, video.course)


VIDEO_EXTENSIONS = (".mp4", ".m4v", ".webm", ".mov")
VIDEO_MAX_BYTES = 2 * 1024 * 1024 * 1024


def upload_video(
    *,
    course,
    actor,
    title: str,
    file,
    is_preview: bool = False,
    position: int = 0,
    duration_seconds: int = 0,
) -> CourseVideo:
    """Store a course video (MP4, WebM or MOV) under media/private/. Organiser staff only."""

    scope = scope_for(actor)
    if not (scope.everything or scope.allows_organisation(course.organiser_id)):
        raise NotPermitted(_("Only the course organiser's staff can upload its videos."))
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Give the video a title.")]
    name = (getattr(file, "name", "") or "").lower()
    if not file or not name.endswith(VIDEO_EXTENSIONS):
        errors["file"] = [_("Upload an MP4, WebM or MOV video.")]
    elif (getattr(file, "size", 0) or 0) > VIDEO_MAX_BYTES:
        errors["file"] = [_("The video is larger than 2 GB.")]
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        video = CourseVideo.objects.create(
            course=course,
            title=title[:128],
            file=file,
            is_preview=bool(is_preview),
            position=max(int(position or 0), 0),
            duration_seconds=max(int(duration_seconds or 0), 0),
        )
        audit.record(action="training.video.uploaded", actor=actor, obj=course, video=video.pk)
    return video


def delete_video(*, video: CourseVideo, actor) -> None:

    scope = scope_for(actor)
    if not (scope.everything or scope.allows_organisation(video.course.organiser_id)):
        raise NotPermitted(_("Only the course organiser's staff can delete its videos."))
    with transaction.atomic():
        audit.record(action="training.video.deleted", actor=actor, obj=video.course, title=video.title)
        storage, name = video.file.storage, video.file.name
        video.delete()
        transaction.on_commit(lambda: storage.delete(name) if name else None)
