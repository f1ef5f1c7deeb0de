"""The training back office: course applications written, reviewed and cancelled through the admin,
all through the scope; coaches with certificates; read-only enrolments; query budgets."""

# ruff: noqa: F811  (pytest fixtures imported from tests.backoffice.conftest are redefined as arguments)

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from sportsplatform.accounts.domain.users import create_organisation
from sportsplatform.accounts.models import OrganisationKind, Role
from sportsplatform.approvals.models import ApprovalStatus
from sportsplatform.core.signups import SignupStatus
from sportsplatform.training.domain import courses as course_domain
from sportsplatform.training.domain.enrolments import enrol
from sportsplatform.training.models import Coach, CoachCertificate, Course
from sportsplatform.venues.models import Sport
from tests.backoffice.conftest import as_user, change_form_data, make_staff, world  # noqa: F401  (fixtures)
from tests.support.accounts import make_public_user
from tests.support.queries import assert_same_query_count
from tests.training.factories import make_coach

LIST = "/admin/training/course/"
ADD = "/admin/training/course/add/"
QUEUE = "/admin/training/course/review-queue/"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def url(course, view="change"):
    return f"/admin/training/course/{course.pk}/{view}/"


_made = {"n": 0}


def institution(world, code="510107"):
    _made["n"] += 1
    n = _made["n"]
    org = create_organisation(
        name=f"{world.regions[code].name}培训学校{n}", kind=OrganisationKind.INSTITUTION, region=world.regions[code]
    )
    return org, make_staff(f"t_school{n}", org, Role.INSTITUTION_STAFF)


def course_of(world, code="510107", *, submit=False, **extra) -> Course:
    org, staff = institution(world, code)
    now = timezone.now()
    first = timezone.localdate() + timedelta(days=14)
    course = course_domain.create_course(
        actor=staff,
        organiser=org,
        data={
            "title": extra.pop("title", f"{code}游泳班"),
            "sport": Sport.objects.get(code="swimming"),
            "region": world.regions[code],
            "place": "游泳馆",
            "fee": "300.00",
            "quota": 10,
            "starts_on": first,
            "ends_on": first + timedelta(days=21),
            "enrol_opens_at": now,
            "enrol_closes_at": now + timedelta(days=10),
            "contact_phone": "13900000003",
            "coaches": [make_coach(organisation=org)],
            "weekly": {"weekdays": [5], "start": time(9), "end": time(11)},
            **extra,
        },
    )
    if submit:
        course_domain.submit_course(course=course, actor=staff)
    return course


def staff_of(course):
    return course.organiser.memberships.get().user


def add_form_data(world, org, coach) -> dict:
    now = timezone.localtime()
    first = timezone.localdate() + timedelta(days=20)
    return {
        "organiser": str(org.pk),
        "title": "少儿篮球入门",
        "sport": str(Sport.objects.get(code="swimming").pk),
        "level": "beginner",
        "region": "510107",
        "place": "武侯区体育中心篮球馆",
        "quota": "16",
        "fee": "480.00",
        "starts_on": first.isoformat(),
        "ends_on": (first + timedelta(days=7)).isoformat(),
        "enrol_opens_at_0": now.strftime("%Y-%m-%d"),
        "enrol_opens_at_1": "00:00:00",
        "enrol_closes_at_0": (first - timedelta(days=2)).isoformat(),
        "enrol_closes_at_1": "18:00:00",
        "refund_tiers": "72 100\n24 50",
        "contact_phone": "13900000004",
        "coaches": [str(coach.pk)],
        "sessions-TOTAL_FORMS": "2",
        "sessions-INITIAL_FORMS": "0",
        "sessions-0-starts_at_0": first.isoformat(),
        "sessions-0-starts_at_1": "09:00:00",
        "sessions-0-ends_at_0": first.isoformat(),
        "sessions-0-ends_at_1": "11:00:00",
        "sessions-0-topic": "运球",
        "sessions-1-starts_at_0": (first + timedelta(days=7)).isoformat(),
        "sessions-1-starts_at_1": "09:00:00",
        "sessions-1-ends_at_0": (first + timedelta(days=7)).isoformat(),
        "sessions-1-ends_at_1": "11:00:00",
        "sessions-1-topic": "投篮",
        "videos-TOTAL_FORMS": "0",
        "videos-INITIAL_FORMS": "0",
    }


def _errors(response):
    if response.context is None:
        return None
    return [response.context["adminform"].form.errors] + [
        [f.errors for f in inline.formset.forms] + [inline.formset.non_form_errors()]
        for inline in response.context["inline_admin_formsets"]
    ]


# --- writing an application ------------------------------------------------------------------


def test_institution_adds_course_with_sessions_in_the_admin(world, as_user):
    org, staff = institution(world)
    coach = make_coach(organisation=org)
    client = as_user(staff)

    response = client.post(ADD, add_form_data(world, org, coach))

    assert response.status_code == 302, _errors(response)
    course = Course.objects.get(title="少儿篮球入门")
    assert course.status == ApprovalStatus.DRAFT
    assert course.organiser == org
    assert list(course.coaches.all()) == [coach]
    assert list(course.sessions.order_by("starts_at").values_list("topic", flat=True)) == ["运球", "投篮"]
    assert course.refund_tiers == [{"hours_before": 72, "percent": 100}, {"hours_before": 24, "percent": 50}]


def test_add_course_with_other_organisations_coach_shows_field_error(world, as_user):
    org, staff = institution(world)
    other, _ = institution(world)
    client = as_user(staff)

    response = client.post(ADD, add_form_data(world, org, make_coach(organisation=other)))

    assert response.status_code == 200
    assert "coaches" in response.context["adminform"].form.errors
    assert not Course.objects.exists()


def test_change_draft_title_through_the_admin(world, as_user):
    course = course_of(world)
    client = as_user(staff_of(course))
    page = client.get(url(course))
    data = change_form_data(page, title="改过的名字")
    for name in ("enrol_opens_at", "enrol_closes_at"):
        value = timezone.localtime(getattr(course, name))
        data.pop(name, None)
        data[f"{name}_0"] = value.strftime("%Y-%m-%d")
        data[f"{name}_1"] = value.strftime("%H:%M:%S")
    for i, session in enumerate(course.sessions.order_by("starts_at", "id")):
        for name in ("starts_at", "ends_at"):
            value = timezone.localtime(getattr(session, name))
            data.pop(f"sessions-{i}-{name}", None)
            data[f"sessions-{i}-{name}_0"] = value.strftime("%Y-%m-%d")
            data[f"sessions-{i}-{name}_1"] = value.strftime("%H:%M:%S")

    response = client.post(url(course), data)

    assert response.status_code == 302, _errors(response)
    course.refresh_from_db()
    assert course.title == "改过的名字"


def test_weekly_sessions_page_replaces_sessions(world, as_user):
    course = course_of(world)
    client = as_user(staff_of(course))

    response = client.post(
        url(course, "weekly-sessions"),
        {
            "weekdays": ["1", "3"],
            "start": "18:30",
            "end": "20:00",
            "first_day": course.starts_on.isoformat(),
            "last_day": course.ends_on.isoformat(),
            "topic": "晚班",
        },
    )

    assert response.status_code == 302
    sessions = list(course.sessions.all())
    assert sessions and all(timezone.localtime(s.starts_at).weekday() in (1, 3) for s in sessions)
    assert {s.topic for s in sessions} == {"晚班"}


def test_submitted_course_page_is_read_only_for_applicant(world, as_user):
    course = course_of(world, submit=True)
    client = as_user(staff_of(course))

    page = client.get(url(course))

    assert page.status_code == 200
    assert "title" not in page.context["adminform"].form.fields


# --- review ----------------------------------------------------------------------------------


def test_submit_and_approve_through_step_pages(world, as_user, client):
    course = course_of(world)
    as_user(staff_of(course))
    assert client.post(url(course, "review-submit"), {"comment": ""}).status_code == 302
    as_user(world.users["chengdu"])

    response = client.post(url(course, "review-approve"), {"comment": "同意开班"})

    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == ApprovalStatus.APPROVED
    page = client.get(url(course))
    assert "同意开班" in page.content.decode()


def test_submit_page_names_what_is_missing(world, as_user):
    course = course_of(world)
    course.sessions.all().delete()
    client = as_user(staff_of(course))

    response = client.post(url(course, "review-submit"), {"comment": ""})

    assert response.status_code == 200
    course.refresh_from_db()
    assert course.status == ApprovalStatus.DRAFT


def test_chengdu_official_sees_only_chengdu_courses(world, as_user):
    chengdu = course_of(world, "510107", submit=True, title="成都课程")
    mianyang = course_of(world, "510703", submit=True, title="绵阳课程")
    client = as_user(world.users["chengdu"])

    listing = client.get(LIST).content.decode()
    queue = client.get(QUEUE).content.decode()

    assert "成都课程" in listing and "绵阳课程" not in listing
    assert "成都课程" in queue and "绵阳课程" not in queue
    assert client.get(url(mianyang)).status_code in (302, 404)
    assert client.post(url(mianyang, "review-approve"), {"comment": ""}).status_code == 404
    mianyang.refresh_from_db()
    assert mianyang.status == ApprovalStatus.SUBMITTED
    assert client.get(url(chengdu)).status_code == 200


def test_cancel_published_course_page_refunds_and_closes(world, as_user):
    course = course_of(world, submit=True)
    course_domain.approve_course(course=course, actor=world.users["chengdu"])
    enrolment = enrol(
        course=course, user=make_public_user(phone="13700000099"), student_name="甲", guardian_phone="13912345678"
    )
    client = as_user(staff_of(course))

    missing_reason = client.post(url(course, "cancel-course"), {"reason": ""})
    response = client.post(url(course, "cancel-course"), {"reason": "泳池维修"})

    assert missing_reason.status_code == 200
    assert response.status_code == 302
    course.refresh_from_db()
    enrolment.refresh_from_db()
    assert course.cancelled_at is not None
    assert enrolment.status == SignupStatus.CANCELLED


# --- coaches ---------------------------------------------------------------------------------


def test_add_coach_with_certificate_in_the_admin(world, as_user):
    org, staff = institution(world)
    client = as_user(staff)
    today = timezone.localdate()

    response = client.post(
        "/admin/training/coach/add/",
        {
            "organisation": str(org.pk),
            "name": "刘教练",
            "years_coaching": "6",
            "is_public": "on",
            "certificates-TOTAL_FORMS": "1",
            "certificates-INITIAL_FORMS": "0",
            "certificates-0-kind": "coach",
            "certificates-0-name": "篮球教练员",
            "certificates-0-level": "二级",
            "certificates-0-number": "BB-2026-001",
            "certificates-0-issued_by": "四川省体育局",
            "certificates-0-issued_on": (today - timedelta(days=10)).isoformat(),
            "certificates-0-valid_until": (today + timedelta(days=1000)).isoformat(),
        },
    )

    assert response.status_code == 302, _errors(response)
    coach = Coach.objects.get(name="刘教练")
    assert coach.organisation == org
    assert CoachCertificate.objects.get(coach=coach).number == "BB-2026-001"


def test_duplicate_certificate_number_shows_row_error(world, as_user):
    org, staff = institution(world)
    existing = make_coach(organisation=org).certificates.get()
    client = as_user(staff)
    today = timezone.localdate()

    response = client.post(
        "/admin/training/coach/add/",
        {
            "organisation": str(org.pk),
            "name": "重复证书",
            "years_coaching": "1",
            "certificates-TOTAL_FORMS": "1",
            "certificates-INITIAL_FORMS": "0",
            "certificates-0-kind": existing.kind,
            "certificates-0-name": "x",
            "certificates-0-number": existing.number,
            "certificates-0-issued_by": "x",
            "certificates-0-issued_on": (today - timedelta(days=1)).isoformat(),
        },
    )

    assert response.status_code == 200
    assert not Coach.objects.filter(name="重复证书").exists()


def test_coaches_of_other_organisations_hidden(world, as_user):
    org, staff = institution(world)
    other, _ = institution(world)
    make_coach(organisation=org, name="自家教练")
    make_coach(organisation=other, name="别家教练")

    body = as_user(staff).get("/admin/training/coach/").content.decode()

    assert "自家教练" in body and "别家教练" not in body


# --- query budgets ---------------------------------------------------------------------------


def test_course_changelist_has_no_n_plus_one(world, as_user, client):
    as_user(world.users["chengdu"])
    assert_same_query_count(client, LIST, lambda n: [course_of(world, submit=True) for _ in range(n)])


def test_review_queue_has_no_n_plus_one(world, as_user, client):
    as_user(world.users["chengdu"])
    assert_same_query_count(client, QUEUE, lambda n: [course_of(world, submit=True) for _ in range(n)])


def test_enrolment_changelist_has_no_n_plus_one(world, as_user, client):
    course = course_of(world, submit=True)
    course_domain.approve_course(course=course, actor=world.users["chengdu"])
    Course.objects.filter(pk=course.pk).update(quota=100)
    as_user(world.users["chengdu"])
    phones = iter(range(13711110000, 13711119999))

    def make_rows(n):
        for _ in range(n):
            user = make_public_user(phone=str(next(phones)))
            enrol(course=course, user=user, student_name="学员", guardian_phone="13912345678")

    assert_same_query_count(client, "/admin/training/enrolment/", make_rows)


def test_coach_changelist_has_no_n_plus_one(world, as_user, client):
    org, staff = institution(world)
    as_user(staff)
    assert_same_query_count(
        client, "/admin/training/coach/", lambda n: [make_coach(organisation=org) for _ in range(n)]
    )
