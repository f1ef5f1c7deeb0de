"""Journey (issue 7, training): on a phone, a user finds a paid course (list → detail), sees a
members-only video locked (the player page refuses it and so does the stream), enrols — first with
a wrong phone number (the error beside the field, nothing typed lost), then right — pays with the
sandbox cashier, finds the course in "my courses" confirmed with its e-ticket and video, and now
watches that video: the browser streams it from training:video and decodes its first frame. axe
runs on every page. A second test lays every public training page out on a phone and a desktop
(axe, no sideways scrolling).

JOURNEY_SCREENSHOTS=<dir> also saves 375 px and desktop screenshots of the pages there (for
looking at them, not for asserting)."""

from __future__ import annotations

import base64
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext
from playwright.sync_api import expect

from sportsplatform.booking.models import Ticket
from sportsplatform.core.signups import SignupStatus
from sportsplatform.training.models import CourseVideo, Enrolment
from sportsplatform.venues.models import Sport
from tests.events.factories import make_organiser
from tests.support.browser import BROWSER
from tests.training.factories import make_course

from .axe import assert_accessible
from .helpers import t

pytestmark = BROWSER

SHOTS = os.environ.get("JOURNEY_SCREENSHOTS", "")
TITLE = "少儿游泳暑期班（初级）"
MEMBERS_VIDEO = "第二课：漂浮与蹬边"

# A 1.2 s, 32×18 VP8 WebM clip (recorded from a canvas with Chromium's MediaRecorder): small
# enough to live here, real enough for the browser to decode.
CLIP = base64.b64decode(
    "".join(
        [
            "GkXfo59ChoEBQveBAULygQRC84EIQoKEd2VibUKHgQRChYECGFOAZwEAAAAAAARyEU2bdLlNu4tTq4QVSalmU6yBbk27i1Or"
            "hBZUrmtTrIGTTbuLU6uEH0O2dVOsgdRNu4xTq4QcU7trU6yCBGDsrgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
            "AAAAAAAAAAAAAAAAAAAVSalmoCrXsYMPQkBEiYREedNETYCGQ2hyb21lV0GGQ2hyb21lFlSua7yuuteBAXPFh6P9WGgBylKD"
            "gQFV7oEBhoVWX1ZQOOCdsIEguoESU8CBAVWwkFWxgQFVuYECVbqBDVW7gQEfQ7Z1AQAAAAAAA4DngQCg5aG6gQAAANACAJ0B"
            "KiAAEgACRwiFhYiZhIgMggJ1qgP4AgghHPLQ/vC6a/9nd+nd+nd/gY/+ZomOY/XoAHWhpqak7oEBpZ8wAgCdASogABIABwcI"
            "hYWImYSIJgIAB5DzycD+8F0AoMihqIEAYwARAgAJEIAAGAdP+CCZ8w0ARsEA/vGVj+4OSdLxw/7j4D1V4gB1oZimlu6BAaWR"
            "sQEAHBE8ABgAGFgv9AAIcAD7gQCgzaGtgQDLABECAAkQVAAYB0gIIJnzDQA5ZgD+8Skv/cgHsgHsgH8J//z0zXmD/CwAdaGY"
            "ppbugQGlkbEBABwRLAAYABhYL/QACHAA+4FjoMihqIEBKwDRAQAJEEQAGAAeV/QMAEEOAP74X3//M0THMftX/+YJX5BuuQB1"
            "oZimlu6BAaWRsQEAHBEcABgAGFgv9AAIcAD7gcugzaGsgQGPABECAAkQOAAYBzAIIXpyzUA6/wD+9Q5f/v9V4v4H/uN/9WfT"
            "Qi/scAB1oZimlu6BAaWRsQEAHBDsABgAGFgv9AAIcAD7ggEroMqhqYEB9wDRAQAJECwAGAAeV/QMAEEOAP77jUv/Vn00Iv7S"
            "P/1ODBz5+P8AdaGYppbugQGlkbEBABwQ3AAYABhYL/QACHAA+4IBj6DOoa2BAl8A0QEACRAkABgAHlf0DAA1BwD++Z4v/6jZ"
            "+o2fqNn/qNn/3jPOgub+tAB1oZimlu6BAaWRsQEAHBDAABgAGFgv9AAIcAD7ggH3oMqhqYECwwARAgAJEHQUYBzf4IXpyzUB"
            "IhgA/vOk//4hno9TJd/8KtwxDJ0AdaGYppbugQGlkbEBABwQiBRgAGFgv9AAIcAA+4ICX6DTobKBAyMAMQIACRAcABgIAYoB"
            "BddOWagUpkD++3HX/7hbsgMD/7hh//Edoso3/iEe1I6koHWhmKaW7oEBpZGxAQAcELQAGAAYWC/0AAhwAPuCAsOg1KGzgQOD"
            "AJECAAkQGAAYDFSBf///AQXXTlmoGW7A/v2uB//uybGca/vGf/unloj9/hpxqJgQdaGYppbugQGlkbEBABwQoAAYABhYL/QA"
            "CHAA+4IDI6DPoa6BA+cAEQIACRAQABgHOAghenLNQDr/AP79HXX/+P4fnxLf/H8//9LcfrwR/0pAdaGYppbugQGlkbEBABwQ"
            "jAAYABhYL/QACHAA+4IDgxxTu2uNu4uzgQC3hveBAfGB1A=="
        ]
    )
)


def shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{page.screen_name}.png"), full_page=True)


@pytest.fixture
def course(transactional_db, sichuan_regions):
    # live_server's transactional tests flush the tables, the sports of the data migration too.
    Sport.objects.get_or_create(code="swimming", defaults={"name": "游泳", "name_en": "Swimming", "order": 0})
    organiser, _staff = make_organiser(region_code="510107")
    course = make_course(
        organiser=organiser,
        title=TITLE,
        fee="680.00",
        quota=12,
        sessions=6,
        min_age=6,
        max_age=60,
        schedule_note="每周六 9:00-11:00",
        description="面向初学者的游泳课程，每班12人，两名持证教练。",
        linked_exam="游泳等级测试（四级）",
        refund_tiers=[{"hours_before": 72, "percent": 100}, {"hours_before": 24, "percent": 50}],
    )
    coach = course.coaches.get()
    coach.name = "王教练"
    coach.bio = "国家二级运动员，从事青少年游泳教学十余年。"
    coach.save()
    coach.sports.add(Sport.objects.get(code="swimming"))
    make_course(organiser=organiser, title="成人羽毛球提高班", fee="0.00", sport="swimming", sessions=2)
    CourseVideo.objects.create(
        course=course,
        title="第一课：水中呼吸",
        file=ContentFile(CLIP, name="preview.webm"),
        duration_seconds=1,
        is_preview=True,
        position=1,
    )
    CourseVideo.objects.create(
        course=course,
        title=MEMBERS_VIDEO,
        file=ContentFile(CLIP, name="lesson.webm"),
        duration_seconds=1,
        position=2,
    )
    return course


def expect_video_decodes(page) -> None:
    """The page's <video> has streamed and decoded its first frame (HAVE_CURRENT_DATA or more)."""
    video = page.locator("video[data-player]")
    expect(video).to_be_visible()
    page.wait_for_function("() => document.querySelector('video[data-player]').readyState >= 2")
    assert page.evaluate("() => document.querySelector('video[data-player]').videoWidth") == 32


def test_enrol_in_a_paid_course_pay_and_watch_a_members_video(new_page, public_user, course):
    members = CourseVideo.objects.get(course=course, title=MEMBERS_VIDEO)
    stream = reverse("training:video", args=[members.pk])
    page = new_page("phone", user=public_user)

    # Find the course and open it: the members' video is locked.
    page.goto("/courses/")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Training courses"))
    assert_accessible(page)
    shot(page, "course-list")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    locked = page.locator(".tr-video.is-locked")
    expect(locked).to_contain_text(MEMBERS_VIDEO)
    expect(locked).to_contain_text(t("Enrolled students only"))
    expect(page.get_by_role("link", name=MEMBERS_VIDEO)).to_have_count(0)
    assert_accessible(page)
    shot(page, "course-detail")

    # Asking for it anyway: the player page and the stream both refuse.
    page.goto(f"/courses/watch/{members.pk}/")
    expect(page.locator("[data-locked]")).to_contain_text(t("This video is for the course's enrolled students."))
    expect(page.locator("video")).to_have_count(0)
    assert page.request.get(stream).status == 403
    assert_accessible(page, label="locked")
    shot(page, "course-video-locked")

    # Enrol: a wrong phone number first (kept, with the error beside it), then a right one.
    page.goto(f"/courses/{course.pk}/")
    page.get_by_role("link", name=t("Enrol now")).click()
    expect(page).to_have_url(re.compile(rf"/courses/{course.pk}/enrol/$"))
    assert_accessible(page)
    shot(page, "course-enrol")
    page.get_by_label(t("Student's name")).fill("张小游")
    page.get_by_label(t("Student's date of birth")).fill((course.starts_on - timedelta(days=365 * 9)).isoformat())
    page.get_by_label(t("Contact phone")).fill("12345")
    submit = page.get_by_role("button", name=t("Enrol and pay ¥%(amount)s") % {"amount": "680.00"})
    submit.click()
    phone = page.get_by_label(t("Contact phone"))
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label(t("Student's name"))).to_have_value("张小游")
    assert not Enrolment.objects.filter(user=public_user).exists()
    assert_accessible(page, label="errors")
    shot(page, "course-enrol-errors")
    phone.fill("139 1234 5678")
    submit.click()

    # Paid: the checkout, the sandbox cashier, back to the order, which waits for the callback.
    expect(page).to_have_url(re.compile(r"/orders/\d+/pay$"))
    enrolment = Enrolment.objects.get(user=public_user, course=course)
    assert enrolment.status == SignupStatus.PENDING_PAYMENT
    expect(page.locator("[data-amount]")).to_have_text("¥680.00")
    assert_accessible(page)
    page.locator("input[name=method][value=sandbox]").check()
    page.get_by_role("button", name=re.compile(r"680\.00")).click()
    expect(page).to_have_url(re.compile(r"/payments/sandbox/"))
    assert_accessible(page)
    page.get_by_role("button", name=t("Confirm payment")).click()
    page.get_by_role("link", name=t("Back to the order")).click()
    expect(page).to_have_url(re.compile(rf"/orders/{enrolment.order_id}/$"))
    ticket_link = page.get_by_role("link", name=t("Show my e-ticket"))
    for _attempt in range(20):
        if ticket_link.count():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert_accessible(page)
    enrolment.refresh_from_db()
    assert enrolment.status == SignupStatus.CONFIRMED

    # My courses: confirmed, with the e-ticket and the video.
    page.goto("/courses/mine/")
    item = page.locator(f"[data-enrolment='{enrolment.pk}']")
    expect(item.locator("[data-enrolment-status='confirmed']")).to_be_visible()
    expect(item).to_contain_text("张小游")
    expect(item.get_by_role("link", name=t("Show my e-ticket"))).to_have_attribute(
        "href", reverse("orders:ticket", args=[enrolment.order_id])
    )
    with translation.override("zh-hans"):
        none_yet = ngettext("Attendance: %(n)s class, none held yet", "Attendance: %(n)s classes, none held yet", 6)
    expect(item.locator("summary[data-held='0']")).to_have_text(none_yet % {"n": 6})
    assert_accessible(page)
    shot(page, "course-mine")
    item.get_by_role("link", name=t("Show my e-ticket")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("E-ticket"))
    expect(page.locator(".ticket-qr svg")).to_be_visible()
    assert Ticket.objects.filter(order_id=enrolment.order_id).exists()
    assert_accessible(page)

    # The video that was locked now plays.
    page.goto("/courses/mine/")
    page.locator(f"[data-enrolment='{enrolment.pk}']").get_by_role("link", name=MEMBERS_VIDEO).click()
    expect(page).to_have_url(re.compile(rf"/courses/watch/{members.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(MEMBERS_VIDEO)
    expect(page.locator("video[data-player]")).to_have_attribute("src", stream)
    expect_video_decodes(page)
    assert page.request.get(stream, headers={"Range": "bytes=0-99"}).status == 206
    assert_accessible(page)
    shot(page, "course-video")


@pytest.mark.parametrize("screen_name", ["phone", "desktop"])
def test_training_pages_look_right_on_each_screen(new_page, public_user, course, screen_name):
    """Every public training page passes axe on both screens and lays out without sideways
    scrolling: the list, a course, enrolling, my enrolment and my courses, withdrawing, the
    coaches and a coach, a preview in the player."""
    from sportsplatform.training.domain.enrolments import enrol

    enrolment = enrol(
        course=course,
        user=public_user,
        student_name="张小游",
        guardian_phone="13912345678",
        student_birth_date=course.starts_on - timedelta(days=365 * 9),
    )
    preview = CourseVideo.objects.get(course=course, is_preview=True)
    coach = course.coaches.get()
    page = new_page(screen_name, user=public_user)
    for path, name in [
        ("/courses/", "list"),
        ("/courses/?fee=paid&open_only=on&date_from=" + timezone.localdate().isoformat(), "list-filtered"),
        (f"/courses/{course.pk}/", "detail"),
        (f"/courses/{course.pk}/enrol/", "enrol"),
        (f"/courses/enrolments/{enrolment.pk}/", "enrolment"),
        ("/courses/mine/", "mine"),
        (f"/courses/enrolments/{enrolment.pk}/withdraw/", "withdraw"),
        ("/courses/coaches/", "coaches"),
        (f"/courses/coaches/{coach.pk}/", "coach"),
        (f"/courses/watch/{preview.pk}/", "watch"),
    ]:
        page.goto(path)
        assert_accessible(page, label=name)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on {screen_name}"
        shot(page, f"course-screens-{name}")
    expect_video_decodes(page)

    # The large-text (elderly-friendly) mode: the course and my courses still pass and fit.
    page.get_by_role("button", name=t("Large text")).click()
    expect(page.locator("html")).to_have_class(re.compile(r"\blarge-text\b"))
    for path, name in [(f"/courses/{course.pk}/", "detail"), ("/courses/mine/", "mine")]:
        page.goto(path)
        assert_accessible(page, label=f"{name}, large text")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} in large text scrolls sideways by {overflow}px on {screen_name}"
        shot(page, f"course-screens-{name}-large")
