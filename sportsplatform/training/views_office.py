"""Training pages for the organiser and the bureau outside the admin, and the private files.

- `office_courses`, `office_course`: the courses in the user's scope, and one course's sessions
  with each student's attendance and rate (export to Excel);
- `attendance_sheet`: a session's sheet for a phone — one tap per student marks present or absent
  (htmx swaps the row; without JavaScript the form posts and the page comes back);
- `video`: streams a course video after `can_watch`, with HTTP Range so phones can seek;
- `certificate_scan`: a coach certificate's scan, for whoever may see the coach.
Files live under MEDIA_ROOT/private/, which is never served directly. Anything out of scope
answers 404, like a missing object."""

from __future__ import annotations

import re
from pathlib import PurePath

from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from sportsplatform.core import audit
from sportsplatform.core.errors import DomainError, NotFound
from sportsplatform.core.scoping import require_visible, visible_to

from . import queries
from .domain.attendance import mark_all_present, mark_attendance
from .domain.enrolments import is_organiser_staff
from .domain.videos import can_watch
from .models import CoachCertificate, CourseSession, CourseVideo, Enrolment

VIDEO_TYPES = {".mp4": "video/mp4", ".m4v": "video/x-m4v", ".webm": "video/webm", ".mov": "video/quicktime"}
SCAN_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 256 * 1024


def _context(request, **extra) -> dict:
    return {**admin.site.each_context(request), **extra}


def _course_or_404(request, pk):
    try:
        return queries.office_course(request.user, pk)
    except NotFound:
        raise Http404 from None


def _session_or_404(request, pk) -> CourseSession:
    try:
        return require_visible(
            request.user, CourseSession.objects.select_related("course", "course__organiser", "coach"), pk=pk
        )
    except NotFound:
        raise Http404 from None


# --- courses and attendance ------------------------------------------------------------------


@require_GET
@staff_member_required
def office_courses(request):
    courses = list(queries.office_courses(request.user).filter(status="approved")[:200])
    today = timezone.localdate()
    todays = {
        s.course_id: s
        for s in CourseSession.objects.filter(course__in=[c.pk for c in courses], starts_at__date=today).order_by(
            "-starts_at"
        )
    }
    rows = [{"course": c, "today": todays.get(c.pk)} for c in courses]
    return render(
        request,
        "training/office/courses.html",
        _context(request, title=gettext("Attendance"), rows=rows, today=today),
    )


@require_GET
@staff_member_required
def office_course(request, pk: int):
    course = _course_or_404(request, pk)
    sessions, rows = queries.attendance_table(course)
    context = _context(
        request,
        title=course.title,
        course=course,
        sessions=sessions,
        rows=rows,
        can_mark=is_organiser_staff(request.user, course),
        now=timezone.now(),
    )
    return render(request, "training/office/course.html", context)


@require_GET
@staff_member_required
def attendance_export(request, pk: int):
    from .interfaces.exports import attendance_workbook

    course = _course_or_404(request, pk)
    content = attendance_workbook(course)
    audit.record(
        action="training.attendance.exported", actor=request.user, obj=course, ip=getattr(request, "client_ip", None)
    )
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"{gettext('attendance')}-{course.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _sheet_context(request, session: CourseSession) -> dict:
    sheet = queries.attendance_sheet(session)
    can_mark = is_organiser_staff(request.user, session.course)
    return _context(
        request,
        title=gettext("Attendance sheet"),
        session=session,
        course=session.course,
        sheet=sheet,
        students=[{"enrolment": e, "present": sheet.marks.get(e.pk)} for e in sheet.students],
        can_mark=can_mark,
        not_yet=timezone.localdate(session.starts_at) > timezone.localdate(),
    )


@require_GET
@staff_member_required
def attendance_sheet(request, pk: int):
    session = _session_or_404(request, pk)
    return render(request, "training/office/sheet.html", _sheet_context(request, session))


@require_POST
@staff_member_required
def mark(request, pk: int, enrolment_pk: int):
    """One tap: `present` = "1" or "0". htmx gets the student's row back; a plain form post comes
    back to the sheet."""
    session = _session_or_404(request, pk)
    try:
        enrolment = Enrolment.objects.get(pk=enrolment_pk, course_id=session.course_id)
    except Enrolment.DoesNotExist:
        raise Http404 from None
    present = request.POST.get("present") == "1"
    error = ""
    try:
        mark_attendance(session=session, enrolment=enrolment, present=present, actor=request.user)
    except DomainError as exc:
        error = " ".join(str(m) for problems in (exc.fields or {}).values() for m in problems) or str(exc.message)
    if request.headers.get("HX-Request"):
        row = {"enrolment": enrolment, "present": None if error else present}
        if error:
            row["present"] = queries.attendance_sheet(session).marks.get(enrolment.pk)
        status = 200 if not error else 422
        return render(
            request,
            "training/office/_student_row.html",
            {"student": row, "session": session, "can_mark": True, "error": error},
            status=status,
        )
    if error:
        messages.error(request, error)
    return redirect(reverse("training:attendance_sheet", args=[session.pk]) + f"#student-{enrolment.pk}")


@require_POST
@staff_member_required
def mark_everyone_present(request, pk: int):
    session = _session_or_404(request, pk)
    try:
        count = mark_all_present(session=session, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, gettext("%(n)d students marked present.") % {"n": count})
    return redirect("training:attendance_sheet", pk=session.pk)


# --- private files ---------------------------------------------------------------------------


def _parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The one byte range of a `Range: bytes=a-b` header as (first, last), inclusive; None when
    absent or not a single byte range (then the whole file is sent); ValueError when it cannot be
    satisfied."""
    match = RANGE_RE.match((header or "").strip())
    if not match:
        return None
    first, last = match.group(1), match.group(2)
    if first == "" and last == "":
        return None
    if first == "":  # the last N bytes
        length = int(last)
        if length == 0:
            raise ValueError("empty suffix range")
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        raise ValueError("range not satisfiable")
    return start, end


def _chunks(handle, start: int, length: int):
    try:
        handle.seek(start)
        left = length
        while left > 0:
            data = handle.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data
    finally:
        handle.close()


@require_GET
def video(request, pk: int):
    """A course video, whole or a byte range (206). 404 when the video does not exist or its course
    is not visible to the viewer; 403 when they may not watch it."""
    try:
        item = CourseVideo.objects.select_related("course").get(pk=pk)
    except CourseVideo.DoesNotExist:
        raise Http404 from None
    if not can_watch(request.user, item):
        if (
            not item.course.is_published
            and not visible_to(request.user, type(item.course).objects.filter(pk=item.course_id)).exists()
        ):
            raise Http404
        return HttpResponse(gettext("Enrol in the course to watch this video."), status=403)
    try:
        size = item.file.size
        handle = item.file.open("rb")
    except (FileNotFoundError, ValueError, OSError):
        raise Http404 from None
    content_type = VIDEO_TYPES.get(PurePath(item.file.name).suffix.lower(), "application/octet-stream")
    try:
        wanted = _parse_range(request.headers.get("Range", ""), size)
    except ValueError:
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = wanted if wanted is not None else (0, size - 1)
    if start == 0:
        audit.record(action="training.video.watched", actor=request.user, obj=item.course, video=item.pk)
    length = max(end - start + 1, 0)
    response = StreamingHttpResponse(
        _chunks(handle, start, length), status=206 if wanted is not None else 200, content_type=content_type
    )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if wanted is not None:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@staff_member_required
def certificate_scan(request, pk: int):
    try:
        certificate = require_visible(request.user, CoachCertificate.objects.select_related("coach"), pk=pk)
    except NotFound:
        raise Http404 from None
    if not certificate.scan:
        raise Http404
    try:
        handle = certificate.scan.open("rb")
    except (FileNotFoundError, ValueError, OSError):
        raise Http404 from None
    suffix = PurePath(certificate.scan.name).suffix.lower()
    content_type = SCAN_TYPES.get(suffix)
    audit.record(
        action="training.certificate.scan_opened",
        actor=request.user,
        obj=certificate.coach,
        ip=getattr(request, "client_ip", None),
        certificate=certificate.pk,
    )
    response = FileResponse(
        handle,
        as_attachment=content_type is None,
        filename=f"{certificate.coach.name}-{certificate.name}{suffix}",
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
