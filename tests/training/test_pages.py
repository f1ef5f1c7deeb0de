"""The public training pages: the course list and its filters, a course, enrolling (paid → the
order's pay page, free → confirmed, full → waiting list; bad input back on the form with nothing
lost), my courses with attendance and videos, withdrawing with the refund quote, coach profiles
and the video player. Query budgets for every list."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from sportsplatform.approvals.models import ApprovalStatus
from sportsplatform.core.signups import SignupStatus
from sportsplatform.orders.models import OrderStatus
from sportsplatform.training.domain.courses import cancel_course
from sportsplatform.training.domain.enrolments import enrol
from sportsplatform.training.models import (
    Attendance,
    Coach,
    CoachCertificate,
    Course,
    CourseLevel,
    CourseVideo,
    Enrolment,
)
from sportsplatform.venues.models import Sport
from tests.events.factories import make_event, make_organiser
from tests.payments.helpers import overdue, pay_with_sandbox
from tests.support.accounts import make_public_user
from tests.support.queries import assert_same_query_count
from tests.training.factories import make_coach, make_course

pytestmark = pytest.mark.django_db

_phones = count(13700000001)


def person(name: str = "李四"):
    return make_public_user(phone=str(next(_phones)), display_name=name)


def sign_up(course, user=None, **kwargs):
    return enrol(
        course=course,
        user=user or person(),
        student_name=kwargs.pop("student_name", "王小明"),
        guardian_phone=kwargs.pop("guardian_phone", "13912345678"),
        **kwargs,
    )


def add_video(course, *, title: str, preview: bool = False, position: int = 0) -> CourseVideo:
    return CourseVideo.objects.create(
        course=course,
        title=title,
        file=ContentFile(b"\x00" * 64, name="lesson.mp4"),
        duration_seconds=125,
        is_preview=preview,
        position=position,
    )


def text(response) -> str:
    return response.content.decode()


ENROL_FORM = {"student_name": "王小明", "student_birth_date": "", "guardian_phone": "139 1234 5678", "note": ""}


# --- the list ----------------------------------------------------------------------------------


def test_course_list_shows_published_courses_only(client):
    shown = make_course(title="少儿游泳启蒙班")
    make_course(title="草稿课程", status=ApprovalStatus.DRAFT)
    make_course(title="待审课程", status=ApprovalStatus.SUBMITTED)
    make_course(title="已取消课程", cancelled_at=timezone.now(), cancel_reason="场馆维修")

    page = text(client.get("/courses/"))

    assert "少儿游泳启蒙班" in page
    assert reverse("training:detail", args=[shown.pk]) in page
    for hidden in ("草稿课程", "待审课程", "已取消课程"):
        assert hidden not in page


def test_course_list_filters_by_fee_sport_level_and_open_for_enrolment(client):
    make_course(title="免费羽毛球", fee="0.00", sport="badminton")
    make_course(title="收费游泳", fee="300.00", sport="swimming", level=CourseLevel.ADVANCED)
    make_course(title="未开放游泳", fee="300.00", sport="swimming", enrol_open=False)

    free = text(client.get("/courses/", {"fee": "free"}))
    paid = text(client.get("/courses/", {"fee": "paid"}))
    badminton = text(client.get("/courses/", {"sport": "badminton"}))
    advanced = text(client.get("/courses/", {"level": "advanced"}))
    open_now = text(client.get("/courses/", {"open_only": "on", "sport": "swimming"}))

    assert "免费羽毛球" in free and "收费游泳" not in free
    assert "收费游泳" in paid and "免费羽毛球" not in paid
    assert "免费羽毛球" in badminton and "收费游泳" not in badminton
    assert "收费游泳" in advanced and "未开放游泳" not in advanced
    assert "收费游泳" in open_now and "未开放游泳" not in open_now


def test_course_list_filters_by_region_and_dates(client):
    make_course(title="武侯区课程", region_code="510107", starts_in_days=7, sessions=1)
    make_course(title="锦江区课程", region_code="510104", starts_in_days=40, sessions=1)
    soon = timezone.localdate() + timedelta(days=7)

    wuhou = text(client.get("/courses/", {"region": "510107"}))
    in_week = text(client.get("/courses/", {"date_from": soon.isoformat(), "date_to": soon.isoformat()}))

    assert "武侯区课程" in wuhou and "锦江区课程" not in wuhou
    assert "武侯区课程" in in_week and "锦江区课程" not in in_week


def test_course_list_names_a_filter_it_did_not_understand_and_ignores_it(client):
    make_course(title="游泳课程")

    response = client.get("/courses/", {"date_from": "not-a-date", "sport": "underwater-rugby"})

    assert response.status_code == 200
    page = text(response)
    assert "游泳课程" in page
    assert "notice-warning" in page


def test_course_list_end_before_start_is_ignored_not_an_error(client):
    make_course(title="游泳课程")

    response = client.get("/courses/", {"date_from": "2030-05-01", "date_to": "2030-04-01"})

    assert response.status_code == 200
    # date_to is dropped: courses from 2030-05-01 on (none) rather than an empty range error.
    assert "游泳课程" not in text(response)
    assert "notice-warning" in text(response)


def test_course_list_badges_say_places_left_full_and_not_yet_open(client):
    open_course = make_course(title="有名额", quota=5)
    full = make_course(title="已满", quota=1)
    sign_up(full)
    make_course(title="未开放", enrol_open=False)

    page = text(client.get("/courses/"))

    assert 'data-enrol-state="open"' in page
    assert 'data-enrol-state="full"' in page
    assert 'data-enrol-state="soon"' in page
    assert open_course.places_left == 5


def test_course_list_htmx_request_returns_the_results_only(client):
    make_course(title="游泳课程")

    response = client.get("/courses/", headers={"HX-Request": "true", "HX-Target": "course-results"})

    page = text(response)
    assert 'id="course-results"' in page
    assert "<html" not in page
    assert "游泳课程" in page


def test_course_list_has_no_n_plus_one(client):
    organiser, _staff = make_organiser()

    def make_rows(n):
        for _ in range(n):
            course = make_course(organiser=organiser)
            course.coaches.add(make_coach(organisation=organiser))

    assert_same_query_count(client, "/courses/", make_rows, large=12)


# --- a course ----------------------------------------------------------------------------------


def test_course_detail_shows_sessions_coaches_certificates_and_linked_event(client):
    event = make_event(title="全省青少年游泳锦标赛")
    course = make_course(title="游泳提高班", sessions=3, linked_event=event, linked_exam="游泳四级测试")
    coach = course.coaches.get()
    CoachCertificate.objects.create(
        coach=coach,
        kind="lifeguard",
        name="救生员证",
        number="LG-1",
        issued_by="四川省体育局",
        issued_on=date(2018, 1, 1),
        valid_until=date(2020, 1, 1),
    )

    page = text(client.get(f"/courses/{course.pk}/"))

    assert "游泳提高班" in page
    assert page.count('class="tr-session-no"') == 3
    assert coach.name in page and reverse("training:coach", args=[coach.pk]) in page
    assert 'data-cert-status="valid"' in page and 'data-cert-status="expired"' in page
    assert "游泳四级测试" in page
    assert reverse("events:detail", args=[event.pk]) in page


def test_course_detail_links_no_unpublished_linked_event(client):
    event = make_event(title="未批准的比赛", status=ApprovalStatus.SUBMITTED)
    course = make_course(linked_event=event)

    page = text(client.get(f"/courses/{course.pk}/"))

    assert "未批准的比赛" in page
    assert reverse("events:detail", args=[event.pk]) not in page


@pytest.mark.parametrize("status", [ApprovalStatus.DRAFT, ApprovalStatus.SUBMITTED, ApprovalStatus.REJECTED], ids=str)
def test_course_detail_of_an_unpublished_course_is_not_found(client, status):
    course = make_course(status=status)

    assert client.get(f"/courses/{course.pk}/").status_code == 404


def test_course_detail_of_a_missing_course_is_not_found(client):
    assert client.get("/courses/999999/").status_code == 404


def test_course_detail_offers_enrol_while_open_and_waiting_list_when_full(client):
    open_course = make_course(quota=2)
    full = make_course(quota=1)
    sign_up(full)
    sign_up(full)  # waits
    later = make_course(enrol_open=False)
    enrol_url = reverse("training:enrol", args=[open_course.pk])

    open_page = text(client.get(f"/courses/{open_course.pk}/"))
    full_page = text(client.get(f"/courses/{full.pk}/"))
    later_page = text(client.get(f"/courses/{later.pk}/"))

    assert enrol_url in open_page
    assert reverse("training:enrol", args=[full.pk]) in full_page and 'data-enrol-state="full"' in full_page
    assert reverse("training:enrol", args=[later.pk]) not in later_page
    assert 'data-enrol-state="soon"' in later_page


def test_course_detail_plays_previews_to_anyone_and_locks_the_rest(client):
    course = make_course()
    preview = add_video(course, title="试看：水中呼吸", preview=True, position=1)
    members = add_video(course, title="第二课：漂浮", position=2)

    page = text(client.get(f"/courses/{course.pk}/"))

    assert reverse("training:video", args=[preview.pk]) in page  # the inline preview player
    assert reverse("training:watch", args=[preview.pk]) in page
    assert "第二课：漂浮" in page
    assert reverse("training:watch", args=[members.pk]) not in page
    assert "data-locked" in page


def test_course_detail_unlocks_videos_for_a_confirmed_student(client):
    course = make_course(fee="0.00")
    members = add_video(course, title="第二课：漂浮", position=2)
    user = person()
    assert sign_up(course, user).status == SignupStatus.CONFIRMED
    client.force_login(user)

    page = text(client.get(f"/courses/{course.pk}/"))

    assert reverse("training:watch", args=[members.pk]) in page
    assert "data-locked" not in page
    assert reverse("training:enrol", args=[course.pk]) not in page  # already in


# --- enrolling ---------------------------------------------------------------------------------


def test_enrol_page_needs_a_login(client):
    course = make_course()

    response = client.get(f"/courses/{course.pk}/enrol/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_enrol_in_a_paid_course_goes_to_the_pay_page(client):
    course = make_course(fee="350.00")
    user = person()
    client.force_login(user)

    response = client.post(f"/courses/{course.pk}/enrol/", ENROL_FORM)

    enrolment = Enrolment.objects.get(user=user, course=course)
    assert enrolment.status == SignupStatus.PENDING_PAYMENT
    assert enrolment.guardian_phone == "13912345678"
    assert enrolment.order.amount == Decimal("350.00")
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:pay", args=[enrolment.order_id])


def test_enrol_in_a_free_course_is_confirmed_at_once(client):
    course = make_course(fee="0.00")
    user = person()
    client.force_login(user)

    response = client.post(f"/courses/{course.pk}/enrol/", ENROL_FORM, follow=True)

    enrolment = Enrolment.objects.get(user=user, course=course)
    assert enrolment.status == SignupStatus.CONFIRMED
    assert response.redirect_chain[-1][0] == reverse("training:enrolment", args=[enrolment.pk])
    page = text(response)
    assert 'data-enrolment-status="confirmed"' in page
    assert reverse("orders:ticket", args=[enrolment.order_id]) in page


def test_enrol_in_a_full_course_lands_on_the_waiting_list_with_its_position(client):
    course = make_course(fee="200.00", quota=1)
    sign_up(course)
    sign_up(course)  # first on the waiting list
    user = person()
    client.force_login(user)

    response = client.post(f"/courses/{course.pk}/enrol/", ENROL_FORM, follow=True)

    enrolment = Enrolment.objects.get(user=user, course=course)
    assert enrolment.status == SignupStatus.WAITLISTED and enrolment.order is None
    page = text(response)
    assert 'data-enrolment-status="waitlisted"' in page
    assert "2" in page.split('notice notice-warning" role="status">', 1)[1].split("</p>", 1)[0]


def test_enrol_with_a_bad_phone_shows_the_error_on_the_field_and_keeps_the_input(client):
    course = make_course()
    user = person()
    client.force_login(user)

    response = client.post(
        f"/courses/{course.pk}/enrol/", {**ENROL_FORM, "guardian_phone": "12345", "note": "自带泳镜"}
    )

    assert response.status_code == 400
    page = text(response)
    assert 'aria-invalid="true"' in page and 'id="id_guardian_phone"' in page
    assert 'value="王小明"' in page and "自带泳镜" in page and 'value="12345"' in page
    assert not Enrolment.objects.filter(course=course).exists()
    assert Course.objects.get(pk=course.pk).taken == 0


def test_enrol_too_young_shows_the_age_rule_on_the_birth_date(client):
    course = make_course(min_age=6, max_age=12)
    user = person()
    client.force_login(user)
    too_young = (course.starts_on - timedelta(days=365 * 4)).isoformat()

    response = client.post(f"/courses/{course.pk}/enrol/", {**ENROL_FORM, "student_birth_date": too_young})

    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["student_birth_date"]
    assert f'value="{too_young}"' in text(response)
    assert not Enrolment.objects.filter(course=course).exists()


def test_enrol_without_a_birth_date_when_the_course_has_an_age_limit_is_refused(client):
    course = make_course(min_age=6)
    client.force_login(person())

    response = client.post(f"/courses/{course.pk}/enrol/", ENROL_FORM)

    assert response.status_code == 400
    assert "student_birth_date" in response.context["form"].errors
    assert not Enrolment.objects.filter(course=course).exists()


def test_enrol_when_already_enrolled_shows_the_existing_enrolment(client):
    course = make_course(fee="0.00")
    user = person()
    first = sign_up(course, user)
    client.force_login(user)

    response = client.post(f"/courses/{course.pk}/enrol/", ENROL_FORM)

    assert response.status_code == 302
    assert response["Location"] == reverse("training:enrolment", args=[first.pk])
    assert Enrolment.objects.filter(course=course, user=user).count() == 1


def test_enrol_after_the_window_closed_is_refused_and_nothing_is_kept(client):
    course = make_course(enrol_open=False)
    client.force_login(person())

    page = client.get(f"/courses/{course.pk}/enrol/")
    response = client.post(f"/courses/{course.pk}/enrol/", ENROL_FORM)

    assert 'name="student_name"' not in text(page)
    assert response.status_code == 409
    assert not Enrolment.objects.filter(course=course).exists()


def test_enrol_in_an_unpublished_course_is_not_found(client):
    course = make_course(status=ApprovalStatus.SUBMITTED)
    client.force_login(person())

    assert client.post(f"/courses/{course.pk}/enrol/", ENROL_FORM).status_code == 404
    assert not Enrolment.objects.exists()


# --- my courses --------------------------------------------------------------------------------


def test_my_courses_needs_a_login(client):
    response = client.get("/courses/mine/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_my_courses_shows_pay_link_ticket_attendance_and_videos(client, django_capture_on_commit_callbacks):
    user = person()
    unpaid = sign_up(make_course(title="待付款课程", fee="120.00"), user)
    paid_course = make_course(title="已付款课程", fee="80.00", sessions=3, starts_in_days=2)
    paid = sign_up(paid_course, user)
    pay_with_sandbox(paid.order, django_capture_on_commit_callbacks)
    waiting_course = make_course(title="候补课程", quota=1)
    sign_up(waiting_course)
    sign_up(waiting_course, user)
    video = add_video(paid_course, title="第三课：自由泳")
    sessions = list(paid_course.sessions.order_by("starts_at"))
    Attendance.objects.create(session=sessions[0], enrolment=paid, present=True)
    Attendance.objects.create(session=sessions[1], enrolment=paid, present=False)
    client.force_login(user)

    page = text(client.get("/courses/mine/"))

    assert "待付款课程" in page and reverse("orders:pay", args=[unpaid.order_id]) in page
    assert "已付款课程" in page and reverse("orders:ticket", args=[paid.order_id]) in page
    assert "候补课程" in page and 'data-enrolment-status="waitlisted"' in page
    assert 'data-mark="present"' in page and 'data-mark="absent"' in page
    assert reverse("training:watch", args=[video.pk]) in page
    assert page.count(reverse("training:withdraw", args=[paid.pk])) == 1


def test_my_courses_lists_an_enrolment_of_a_cancelled_course_as_earlier_without_a_dead_link(client):
    course = make_course(title="取消的课程", fee="0.00")
    user = person()
    enrolment = sign_up(course, user)
    cancel_course(course=course, actor=course.organiser.memberships.get().user, reason="场馆维修")
    client.force_login(user)

    page = text(client.get("/courses/mine/"))
    detail = text(client.get(f"/courses/enrolments/{enrolment.pk}/"))

    assert "取消的课程" in page and 'data-enrolment-status="cancelled"' in page
    assert reverse("training:detail", args=[course.pk]) not in page
    assert reverse("training:detail", args=[course.pk]) not in detail
    assert reverse("training:withdraw", args=[enrolment.pk]) not in page


def test_my_courses_offers_no_pay_link_once_the_time_to_pay_is_up(client):
    user = person()
    enrolment = sign_up(make_course(title="超时未付", fee="90.00"), user)
    overdue(enrolment.order)
    client.force_login(user)

    page = text(client.get("/courses/mine/"))
    detail = text(client.get(f"/courses/enrolments/{enrolment.pk}/"))

    assert "超时未付" in page and "data-payment-lapsed" in page
    assert reverse("orders:pay", args=[enrolment.order_id]) not in page
    assert reverse("orders:pay", args=[enrolment.order_id]) not in detail


def test_my_courses_shows_only_my_own_enrolments(client):
    mine = person("我")
    other = person("别人")
    sign_up(make_course(title="我的课程"), mine)
    sign_up(make_course(title="别人的课程"), other)
    client.force_login(mine)

    page = text(client.get("/courses/mine/"))

    assert "我的课程" in page and "别人的课程" not in page


def test_my_courses_has_no_n_plus_one(client, django_capture_on_commit_callbacks):
    user = person()
    organiser, _staff = make_organiser()
    client.force_login(user)

    def make_rows(n):
        for _ in range(n):
            course = make_course(organiser=organiser, fee="0.00", sessions=2)
            add_video(course, title="课程视频")
            enrolment = sign_up(course, user)
            Attendance.objects.create(session=course.sessions.first(), enrolment=enrolment, present=True)

    assert_same_query_count(client, "/courses/mine/", make_rows)


# --- the enrolment and withdrawing -----------------------------------------------------------------


def test_enrolment_page_of_someone_else_is_not_found(client):
    enrolment = sign_up(make_course(fee="50.00"))
    client.force_login(person())

    assert client.get(f"/courses/enrolments/{enrolment.pk}/").status_code == 404
    assert client.post(f"/courses/enrolments/{enrolment.pk}/withdraw/").status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == SignupStatus.PENDING_PAYMENT


def test_withdraw_shows_the_refund_quote_then_refunds(client, django_capture_on_commit_callbacks):
    course = make_course(fee="100.00", starts_in_days=10, refund_tiers=[{"hours_before": 72, "percent": 80}])
    user = person()
    enrolment = sign_up(course, user)
    pay_with_sandbox(enrolment.order, django_capture_on_commit_callbacks)
    client.force_login(user)

    confirm = text(client.get(f"/courses/enrolments/{enrolment.pk}/withdraw/"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/courses/enrolments/{enrolment.pk}/withdraw/", {"reason": "时间冲突"}, follow=True)

    assert 'data-refund="80.00"' in confirm
    enrolment.refresh_from_db()
    assert enrolment.status == SignupStatus.WITHDRAWN
    assert enrolment.order.status == OrderStatus.REFUNDED
    assert enrolment.order.refunded_amount == Decimal("80.00")
    assert response.redirect_chain[-1][0] == reverse("training:mine")
    assert "80.00" in text(response)


def test_withdraw_from_a_free_course_quotes_no_refund_and_frees_the_place(client):
    course = make_course(fee="0.00", quota=1)
    user = person()
    enrolment = sign_up(course, user)
    waiting = sign_up(course)
    client.force_login(user)

    confirm = client.get(f"/courses/enrolments/{enrolment.pk}/withdraw/")
    response = client.post(f"/courses/enrolments/{enrolment.pk}/withdraw/", {"reason": ""})

    assert confirm.status_code == 200 and "data-refund" not in text(confirm)
    assert response.status_code == 302 and response["Location"] == reverse("training:mine")
    assert Enrolment.objects.get(pk=enrolment.pk).status == SignupStatus.WITHDRAWN
    assert Enrolment.objects.get(pk=waiting.pk).status == SignupStatus.CONFIRMED


def test_withdraw_from_the_waiting_list_says_nothing_was_paid(client):
    course = make_course(quota=1)
    sign_up(course)
    user = person()
    waiting = sign_up(course, user)
    client.force_login(user)

    confirm = client.get(f"/courses/enrolments/{waiting.pk}/withdraw/")
    client.post(f"/courses/enrolments/{waiting.pk}/withdraw/")

    assert confirm.status_code == 200 and "data-refund" not in text(confirm)
    waiting.refresh_from_db()
    assert waiting.status == SignupStatus.WITHDRAWN


def test_withdraw_an_enrolment_already_withdrawn_goes_back_to_my_courses(client):
    course = make_course()
    user = person()
    enrolment = sign_up(course, user)
    client.force_login(user)
    client.post(f"/courses/enrolments/{enrolment.pk}/withdraw/")

    response = client.post(f"/courses/enrolments/{enrolment.pk}/withdraw/")

    assert response.status_code == 302 and response["Location"] == reverse("training:mine")
    assert Enrolment.objects.get(pk=enrolment.pk).status == SignupStatus.WITHDRAWN


# --- coaches -----------------------------------------------------------------------------------


def test_coach_list_shows_public_coaches_with_certificate_state(client):
    organiser, _staff = make_organiser()
    shown = make_coach(organisation=organiser, name="张教练")
    Coach.objects.create(organisation=organiser, name="内部教练", is_public=False)

    page = text(client.get("/courses/coaches/"))
    found = text(client.get("/courses/coaches/", {"q": "张"}))

    assert "张教练" in page and reverse("training:coach", args=[shown.pk]) in page
    assert "内部教练" not in page
    assert 'data-cert-status="valid"' in page
    assert "张教练" in found


def test_coach_list_filters_by_sport_and_ignores_an_unknown_one(client):
    organiser, _staff = make_organiser()
    swimmer = make_coach(organisation=organiser, name="游泳教练")
    swimmer.sports.add(Sport.objects.get(code="swimming"))
    make_coach(organisation=organiser, name="篮球教练").sports.add(Sport.objects.get(code="basketball"))

    swimming = text(client.get("/courses/coaches/", {"sport": "swimming"}))
    unknown = client.get("/courses/coaches/", {"sport": "underwater-rugby"})

    assert "游泳教练" in swimming and "篮球教练" not in swimming
    assert unknown.status_code == 200
    assert "游泳教练" in text(unknown) and "篮球教练" in text(unknown)


def test_coach_list_has_no_n_plus_one(client):
    organiser, _staff = make_organiser()

    def make_rows(n):
        for _ in range(n):
            make_coach(organisation=organiser)

    assert_same_query_count(client, "/courses/coaches/", make_rows)


def test_coach_profile_shows_certificates_and_courses(client):
    course = make_course(title="游泳提高班")
    coach = course.coaches.get()
    coach.bio = "国家二级运动员。"
    coach.save()
    hidden = Coach.objects.create(organisation=coach.organisation, name="内部教练", is_public=False)

    page = text(client.get(f"/courses/coaches/{coach.pk}/"))

    assert coach.name in page and "国家二级运动员。" in page
    assert "社会体育指导员" in page and 'data-cert-status="valid"' in page
    assert reverse("training:detail", args=[course.pk]) in page
    assert client.get(f"/courses/coaches/{hidden.pk}/").status_code == 404


# --- videos --------------------------------------------------------------------------------------


def test_watch_a_preview_needs_no_login(client):
    course = make_course()
    preview = add_video(course, title="试看", preview=True)

    response = client.get(f"/courses/watch/{preview.pk}/")

    assert response.status_code == 200
    assert f'src="{reverse("training:video", args=[preview.pk])}"' in text(response)


def test_watch_a_members_video_asks_a_visitor_to_log_in(client):
    video = add_video(make_course(), title="会员视频")

    response = client.get(f"/courses/watch/{video.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_watch_a_members_video_is_locked_until_the_student_has_paid(client, django_capture_on_commit_callbacks):
    course = make_course(fee="60.00")
    video = add_video(course, title="会员视频")
    user = person()
    enrolment = sign_up(course, user)
    client.force_login(user)

    before = client.get(f"/courses/watch/{video.pk}/")
    pay_with_sandbox(enrolment.order, django_capture_on_commit_callbacks)
    after = client.get(f"/courses/watch/{video.pk}/")

    assert before.status_code == 403
    assert "data-locked" in text(before) and reverse("training:video", args=[video.pk]) not in text(before)
    assert after.status_code == 200
    assert f'src="{reverse("training:video", args=[video.pk])}"' in text(after)


def test_watch_a_video_of_an_unpublished_course_is_not_found(client):
    video = add_video(make_course(status=ApprovalStatus.DRAFT), title="试看", preview=True)

    assert client.get(f"/courses/watch/{video.pk}/").status_code == 404
    assert client.get("/courses/watch/999999/").status_code == 404
