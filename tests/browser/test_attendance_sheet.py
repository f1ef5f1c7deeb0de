"""The organiser takes attendance on a phone (issue 7, training): today's course in the office list,
the session's sheet, one tap per student — the row turns to present or absent in place (htmx),
without reloading — and the course table shows the marks and the rate. axe on every page."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from sportsplatform.training.domain.enrolments import enrol
from sportsplatform.training.models import Attendance
from sportsplatform.venues.models import Sport
from tests.events.factories import make_organiser
from tests.support.accounts import make_public_user
from tests.support.browser import BROWSER
from tests.training.factories import make_course

from .axe import assert_accessible

pytestmark = BROWSER


def test_organiser_marks_students_with_one_tap_each_on_a_phone(new_page):
    # live_server's transactional database may have been flushed of what data migrations loaded.
    Sport.objects.get_or_create(code="swimming", defaults={"name": "游泳", "name_en": "Swimming"})
    organiser, staff = make_organiser()
    course = make_course(organiser=organiser, title="少儿游泳周末班", sessions=3)
    session = course.sessions.order_by("starts_at").first()
    session.starts_at = timezone.now() - timedelta(minutes=10)
    session.ends_at = timezone.now() + timedelta(hours=1)
    session.save()
    students = [
        enrol(
            course=course,
            user=make_public_user(phone=f"1358888{i:04d}"),
            student_name=name,
            guardian_phone="13912345678",
        )
        for i, name in enumerate(["王小明", "李思思"])
    ]
    page = new_page("phone", user=staff)

    page.goto("/courses/office/")
    assert_accessible(page)
    page.get_by_role("link", name="考勤", exact=False).filter(has_text="今天").click()
    expect(page.locator("#content").get_by_role("heading", name="考勤表")).to_be_visible()
    assert_accessible(page)

    page.evaluate("() => { window.sameDocument = true; }")  # gone if a tap reloads the page
    row_of = {s.student_name: page.locator(f"#student-{s.pk}") for s in students}
    row_of["王小明"].get_by_role("button", name="到").click()
    expect(row_of["王小明"].get_by_role("button", name="到")).to_have_attribute("aria-pressed", "true")
    row_of["李思思"].get_by_role("button", name="缺").click()
    expect(row_of["李思思"].get_by_role("button", name="缺")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("() => window.sameDocument === true"), "a tap reloaded the page instead of swapping the row"
    assert_accessible(page, label="after marking")

    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment__student_name", "present"))
    assert marks == {"王小明": True, "李思思": False}

    page.goto(f"/courses/office/{course.pk}/")
    assert_accessible(page)
    table = page.get_by_role("table")
    expect(table.get_by_role("row").filter(has_text="王小明")).to_contain_text("100%")
    expect(table.get_by_role("row").filter(has_text="李思思")).to_contain_text("0%")


def test_refused_tap_shows_the_reason_in_the_row(new_page):
    """A mark the domain refuses (the student withdrew meanwhile) swaps in the row with the reason."""
    from sportsplatform.training.domain.enrolments import withdraw_enrolment

    Sport.objects.get_or_create(code="swimming", defaults={"name": "游泳", "name_en": "Swimming"})
    organiser, staff = make_organiser()
    course = make_course(organiser=organiser, sessions=2)
    session = course.sessions.order_by("starts_at").first()
    session.starts_at = timezone.now() - timedelta(minutes=10)
    session.ends_at = timezone.now() + timedelta(hours=1)
    session.save()
    user = make_public_user(phone="13588889999")
    enrolment = enrol(course=course, user=user, student_name="退出者", guardian_phone="13912345678")
    page = new_page("phone", user=staff)
    page.goto(f"/courses/office/sessions/{session.pk}/")
    assert_accessible(page)
    withdraw_enrolment(enrolment=enrolment, actor=user)

    page.locator(f"#student-{enrolment.pk}").get_by_role("button", name="到").click()

    expect(page.locator(f"#student-{enrolment.pk}").get_by_role("alert")).to_be_visible()
    assert not Attendance.objects.exists()
