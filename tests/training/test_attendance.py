"""Attendance: who may mark, whom, when; upsert; rates; the sheet page (one tap per student); the
Excel export; query budgets of the sheet and the course table."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from itertools import count

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from sportsplatform.core.errors import NotPermitted, ValidationFailed
from sportsplatform.core.signups import SignupStatus
from sportsplatform.training import queries
from sportsplatform.training.domain.attendance import mark_all_present, mark_attendance
from sportsplatform.training.domain.enrolments import enrol
from sportsplatform.training.models import Attendance
from tests.events.factories import make_organiser
from tests.support.accounts import make_official, make_public_user
from tests.support.queries import assert_same_query_count
from tests.training.factories import make_course

pytestmark = pytest.mark.django_db

_phones = count(13400000001)


def student(course, name="学员"):
    return enrol(
        course=course, user=make_public_user(phone=str(next(_phones))), student_name=name, guardian_phone="13912345678"
    )


@pytest.fixture
def running():
    """A free course whose first session started an hour ago, its organiser's staff member."""
    organiser, staff = make_organiser()
    course = make_course(organiser=organiser, sessions=3)
    first = course.sessions.order_by("starts_at").first()
    first.starts_at = timezone.now() - timedelta(hours=1)
    first.ends_at = timezone.now() + timedelta(hours=1)
    first.save()
    return course, first, staff


def test_mark_attendance_creates_then_updates_one_row(running):
    course, session, staff = running
    enrolment = student(course)

    mark_attendance(session=session, enrolment=enrolment, present=True, actor=staff)
    mark_attendance(session=session, enrolment=enrolment, present=False, actor=staff)

    row = Attendance.objects.get(session=session, enrolment=enrolment)
    assert row.present is False
    assert row.marked_by == staff


def test_mark_attendance_by_other_organisation_refused(running):
    course, session, _staff = running
    enrolment = student(course)
    _other, stranger = make_organiser()

    with pytest.raises(NotPermitted):
        mark_attendance(session=session, enrolment=enrolment, present=True, actor=stranger)

    assert not Attendance.objects.exists()


def test_mark_attendance_by_bureau_official_refused(running):
    course, session, _staff = running
    enrolment = student(course)

    with pytest.raises(NotPermitted):
        mark_attendance(session=session, enrolment=enrolment, present=True, actor=make_official(region_code="510100"))


def test_mark_attendance_of_waitlisted_student_refused(running):
    course, session, staff = running
    course.quota = 1
    course.save(update_fields=["quota"])
    student(course)
    waiting = student(course)
    assert waiting.status == SignupStatus.WAITLISTED

    with pytest.raises(ValidationFailed):
        mark_attendance(session=session, enrolment=waiting, present=True, actor=staff)


def test_mark_attendance_of_other_course_student_refused(running):
    _course, session, staff = running
    elsewhere = student(make_course())

    with pytest.raises(ValidationFailed):
        mark_attendance(session=session, enrolment=elsewhere, present=True, actor=staff)


def test_mark_attendance_for_future_session_refused(running):
    course, _session, staff = running
    enrolment = student(course)
    future = course.sessions.order_by("-starts_at").first()

    with pytest.raises(ValidationFailed):
        mark_attendance(session=future, enrolment=enrolment, present=True, actor=staff)


def test_mark_all_present_skips_already_marked(running):
    course, session, staff = running
    absent = student(course, "缺席者")
    student(course, "甲")
    student(course, "乙")
    mark_attendance(session=session, enrolment=absent, present=False, actor=staff)

    assert mark_all_present(session=session, actor=staff) == 2
    assert Attendance.objects.get(enrolment=absent).present is False


def test_attendance_rate_counts_sessions_already_started(running):
    course, session, staff = running
    enrolment = student(course)
    mark_attendance(session=session, enrolment=enrolment, present=True, actor=staff)

    assert queries.attendance_rate(enrolment) == 1.0
    _sessions, rows = queries.attendance_table(course)
    assert rows[0].held == 1
    assert rows[0].marks[0] is True
    assert rows[0].marks[1] is None


# --- pages -----------------------------------------------------------------------------------


def test_sheet_page_lists_confirmed_students_with_buttons(client, running):
    course, session, staff = running
    student(course, "王小明")
    client.force_login(staff)

    response = client.get(f"/courses/office/sessions/{session.pk}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "王小明" in body
    assert f"/courses/office/sessions/{session.pk}/" in body


def test_one_tap_with_htmx_returns_row_marked(client, running):
    course, session, staff = running
    enrolment = student(course)
    client.force_login(staff)

    response = client.post(
        f"/courses/office/sessions/{session.pk}/{enrolment.pk}/", {"present": "1"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert 'aria-pressed="true"' in response.content.decode()
    assert Attendance.objects.get(enrolment=enrolment).present is True


def test_one_tap_without_js_redirects_back_to_sheet(client, running):
    course, session, staff = running
    enrolment = student(course)
    client.force_login(staff)

    response = client.post(f"/courses/office/sessions/{session.pk}/{enrolment.pk}/", {"present": "0"})

    assert response.status_code == 302
    assert Attendance.objects.get(enrolment=enrolment).present is False


def test_sheet_of_other_organisation_answers_404(client, running):
    _course, session, _staff = running
    _other, stranger = make_organiser()
    stranger.is_staff = True
    stranger.save()
    client.force_login(stranger)

    assert client.get(f"/courses/office/sessions/{session.pk}/").status_code == 404


def test_bureau_official_sees_sheet_without_buttons_and_cannot_mark(client, running):
    course, session, _staff = running
    enrolment = student(course)
    official = make_official(region_code="510100")
    client.force_login(official)

    page = client.get(f"/courses/office/sessions/{session.pk}/")
    tap = client.post(
        f"/courses/office/sessions/{session.pk}/{enrolment.pk}/", {"present": "1"}, headers={"HX-Request": "true"}
    )

    assert page.status_code == 200
    assert "hx-post" not in page.content.decode()
    assert tap.status_code == 422
    assert not Attendance.objects.exists()


def test_attendance_export_is_a_workbook_with_marks(client, running):
    course, session, staff = running
    enrolment = student(course, "=HYPERLINK()")
    mark_attendance(session=session, enrolment=enrolment, present=True, actor=staff)
    client.force_login(staff)

    response = client.get(f"/courses/office/{course.pk}/attendance.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["A3"].value == "'=HYPERLINK()"
    assert sheet["C3"].value == "√"


def test_office_course_list_and_page(client, running):
    course, _session, staff = running
    student(course, "李雷")
    client.force_login(staff)

    listing = client.get("/courses/office/")
    page = client.get(f"/courses/office/{course.pk}/")

    assert course.title in listing.content.decode()
    assert "李雷" in page.content.decode()


def test_sheet_costs_the_same_for_1_and_20_students(client, running):
    course, session, staff = running
    course.quota = 50
    course.save(update_fields=["quota"])
    client.force_login(staff)
    assert_same_query_count(
        client, f"/courses/office/sessions/{session.pk}/", lambda n: [student(course) for _ in range(n)]
    )


def test_course_table_costs_the_same_for_1_and_20_students(client, running):
    course, session, staff = running
    course.quota = 50
    course.save(update_fields=["quota"])
    client.force_login(staff)

    def make_rows(n):
        for _ in range(n):
            mark_attendance(session=session, enrolment=student(course), present=True, actor=staff)

    assert_same_query_count(client, f"/courses/office/{course.pk}/", make_rows)


def test_office_course_list_costs_the_same_for_1_and_20_courses(client):
    organiser, staff = make_organiser()
    client.force_login(staff)
    assert_same_query_count(
        client, "/courses/office/", lambda n: [make_course(organiser=organiser, sessions=1) for _ in range(n)]
    )
