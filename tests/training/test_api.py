"""The training API: course list and detail, enrolling, my enrolments, withdrawing, coaches; the
error envelope for bad input; query budgets of every list."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.utils import timezone

from sportsplatform.accounts.domain.tokens import issue_token
from sportsplatform.core.signups import SignupStatus
from sportsplatform.training.domain.enrolments import enrol
from sportsplatform.training.models import Course, Enrolment
from tests.events.factories import make_organiser
from tests.support.accounts import make_public_user
from tests.support.queries import assert_same_query_count
from tests.training.factories import make_coach, make_course

pytestmark = pytest.mark.django_db

_phones = count(13500000001)


def person():
    return make_public_user(phone=str(next(_phones)))


def bearer(user) -> dict:
    _token, key = issue_token(user=user)
    return {"Authorization": f"Bearer {key}"}


def enrol_body(**extra) -> dict:
    return {"student_name": "张小红", "guardian_phone": "13812345678", **extra}


# --- courses ---------------------------------------------------------------------------------


def test_course_list_shows_published_only_with_fee_as_string(client):
    published = make_course(fee="35.00", title="少儿游泳")
    make_course(status="submitted", title="待审课程")
    cancelled = make_course(title="取消课程")
    Course.objects.filter(pk=cancelled.pk).update(cancelled_at=timezone.now())

    body = client.get("/api/v1/courses").json()

    assert [row["id"] for row in body["results"]] == [published.pk]
    row = body["results"][0]
    assert row["fee"] == "35.00"
    assert row["places_left"] == 10
    assert row["sport"]["code"] == "swimming"
    assert row["enrolment_open"] is True
    assert row["enrol_closes_at"].endswith("+08:00")


def test_course_list_filters_by_fee_region_and_open(client):
    free_chengdu = make_course(fee="0.00", region_code="510107")
    paid_mianyang = make_course(fee="50.00", region_code="510703")
    closed = make_course(fee="0.00", region_code="510107", enrol_open=False)

    def ids(query):
        return {row["id"] for row in client.get(f"/api/v1/courses?{query}").json()["results"]}

    assert ids("fee=free") == {free_chengdu.pk, closed.pk}
    assert ids("fee=paid") == {paid_mianyang.pk}
    assert ids("region=510100") == {free_chengdu.pk, closed.pk}
    assert ids("region=510100&open=true") == {free_chengdu.pk}


def test_course_list_bad_filters_answer_400_with_fields(client):
    response = client.get("/api/v1/courses?region=abc&fee=cheap&date_from=2026-13-01")

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) >= {"region", "fee", "date_from"}


def test_course_list_unknown_sport_answers_400(client):
    response = client.get("/api/v1/courses?sport=quidditch")

    assert response.status_code == 400
    assert "sport" in response.json()["error"]["fields"]


def test_course_detail_has_sessions_coaches_with_certificates_places_left(client):
    course = make_course(fee="35.00", quota=5, sessions=3)
    enrol(course=course, user=person(), student_name="甲", guardian_phone="13812345678")

    body = client.get(f"/api/v1/courses/{course.pk}").json()

    assert body["fee"] == "35.00"
    assert body["places_left"] == 4
    assert len(body["sessions"]) == 3
    assert body["sessions"][0]["starts_at"].endswith("+08:00")
    coach = body["coaches"][0]
    assert coach["certified"] is True
    assert coach["certificates"][0]["kind"] == "instructor"
    assert coach["certificates"][0]["status"] == "valid"


def test_course_detail_unpublished_answers_404(client):
    course = make_course(status="draft")

    response = client.get(f"/api/v1/courses/{course.pk}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- enrolling -------------------------------------------------------------------------------


def test_enrol_paid_course_answers_201_with_order(client):
    course = make_course(fee="35.00")
    user = person()

    response = client.post(
        f"/api/v1/courses/{course.pk}/enrolments", enrol_body(), content_type="application/json", headers=bearer(user)
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == SignupStatus.PENDING_PAYMENT
    assert body["order"]["amount"] == "35.00"
    assert body["order"]["status"] == "pending_payment"
    assert Enrolment.objects.get(pk=body["id"]).user == user


def test_enrol_full_course_answers_201_waitlisted_with_null_order(client):
    course = make_course(fee="35.00", quota=1)
    enrol(course=course, user=person(), student_name="甲", guardian_phone="13812345678")

    response = client.post(
        f"/api/v1/courses/{course.pk}/enrolments",
        enrol_body(),
        content_type="application/json",
        headers=bearer(person()),
    )

    assert response.status_code == 201
    assert response.json()["status"] == SignupStatus.WAITLISTED
    assert response.json()["order"] is None
    assert response.json()["waitlist_position"] == 1


def test_enrol_without_token_answers_401(client):
    course = make_course()

    response = client.post(f"/api/v1/courses/{course.pk}/enrolments", enrol_body(), content_type="application/json")

    assert response.status_code == 401
    assert not Enrolment.objects.exists()


def test_enrol_bad_phone_answers_400_with_field(client):
    course = make_course()

    response = client.post(
        f"/api/v1/courses/{course.pk}/enrolments",
        enrol_body(guardian_phone="123"),
        content_type="application/json",
        headers=bearer(person()),
    )

    assert response.status_code == 400
    assert "guardian_phone" in response.json()["error"]["fields"]
    assert not Enrolment.objects.exists()


def test_enrol_twice_answers_409_already_enrolled(client):
    course = make_course()
    headers = bearer(person())
    url = f"/api/v1/courses/{course.pk}/enrolments"
    client.post(url, enrol_body(), content_type="application/json", headers=headers)

    response = client.post(url, enrol_body(), content_type="application/json", headers=headers)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_enrolled"


def test_enrol_retry_with_idempotency_key_header_returns_same_enrolment(client):
    course = make_course(fee="35.00")
    headers = {**bearer(person()), "Idempotency-Key": "retry-1"}
    url = f"/api/v1/courses/{course.pk}/enrolments"

    first = client.post(url, enrol_body(), content_type="application/json", headers=headers).json()
    second = client.post(url, enrol_body(), content_type="application/json", headers=headers).json()

    assert first["id"] == second["id"]
    assert first["order"]["id"] == second["order"]["id"]


def test_enrol_unknown_course_answers_404(client):
    response = client.post(
        "/api/v1/courses/not-a-number/enrolments",
        enrol_body(),
        content_type="application/json",
        headers=bearer(person()),
    )

    assert response.status_code == 404


# --- mine and withdrawing --------------------------------------------------------------------


def test_my_enrolments_lists_only_mine(client):
    user = person()
    mine = enrol(course=make_course(), user=user, student_name="甲", guardian_phone="13812345678")
    enrol(course=make_course(), user=person(), student_name="乙", guardian_phone="13812345678")

    body = client.get("/api/v1/me/enrolments", headers=bearer(user)).json()

    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert body["results"][0]["status"] == SignupStatus.CONFIRMED


def test_withdraw_via_api_closes_enrolment(client):
    user = person()
    enrolment = enrol(course=make_course(fee="35.00"), user=user, student_name="甲", guardian_phone="13812345678")

    response = client.post(
        f"/api/v1/enrolments/{enrolment.pk}/withdraw",
        {"reason": "时间冲突"},
        content_type="application/json",
        headers=bearer(user),
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == SignupStatus.WITHDRAWN
    assert response.json()["order"]["status"] == "cancelled"


def test_withdraw_someone_elses_enrolment_answers_404(client):
    enrolment = enrol(course=make_course(), user=person(), student_name="甲", guardian_phone="13812345678")

    response = client.post(
        f"/api/v1/enrolments/{enrolment.pk}/withdraw", {}, content_type="application/json", headers=bearer(person())
    )

    assert response.status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == SignupStatus.CONFIRMED


def test_withdraw_twice_answers_409(client):
    user = person()
    enrolment = enrol(course=make_course(), user=user, student_name="甲", guardian_phone="13812345678")
    url = f"/api/v1/enrolments/{enrolment.pk}/withdraw"
    client.post(url, {}, content_type="application/json", headers=bearer(user))

    response = client.post(url, {}, content_type="application/json", headers=bearer(user))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "illegal_transition"


# --- coaches ---------------------------------------------------------------------------------


def test_coach_detail_shows_certificates_and_upcoming_courses(client):
    organiser, _staff = make_organiser()
    course = make_course(organiser=organiser, fee="88.00")
    coach = course.coaches.get()

    body = client.get(f"/api/v1/coaches/{coach.pk}").json()

    assert body["name"] == coach.name
    assert body["certified"] is True
    assert [c["id"] for c in body["courses"]] == [course.pk]
    assert body["courses"][0]["fee"] == "88.00"
    assert "phone" not in body


def test_coach_detail_hidden_coach_answers_404(client):
    organiser, _staff = make_organiser()
    coach = make_coach(organisation=organiser)
    coach.is_public = False
    coach.save()

    assert client.get(f"/api/v1/coaches/{coach.pk}").status_code == 404


def test_coach_expired_certificate_flagged(client):
    organiser, _staff = make_organiser()
    coach = make_coach(organisation=organiser)
    coach.certificates.update(
        issued_on=timezone.localdate() - timedelta(days=900), valid_until=timezone.localdate() - timedelta(days=1)
    )

    body = client.get(f"/api/v1/coaches/{coach.pk}").json()

    assert body["certified"] is False
    assert body["certificates"][0]["status"] == "expired"


# --- query budgets ---------------------------------------------------------------------------


def test_course_list_costs_the_same_for_1_and_20_rows(client):
    organiser, _staff = make_organiser()
    assert_same_query_count(
        client, "/api/v1/courses", lambda n: [make_course(organiser=organiser, sessions=1) for _ in range(n)]
    )


def test_coach_list_costs_the_same_for_1_and_20_rows(client):
    organiser, _staff = make_organiser()
    assert_same_query_count(client, "/api/v1/coaches", lambda n: [make_coach(organisation=organiser) for _ in range(n)])


def test_my_enrolments_costs_the_same_for_1_and_20_rows(client):
    user = person()
    headers = bearer(user)
    full = make_course(fee="35.00", quota=1)
    enrol(course=full, user=person(), student_name="甲", guardian_phone="13812345678")

    def make_rows(n):
        for i in range(n):
            # Alternate confirmed and waitlisted rows: the waiting-list position must not cost a query each.
            course = make_course(fee="0.00", quota=1, sessions=1)
            if i % 2 == 0:
                enrol(course=course, user=person(), student_name="占位", guardian_phone="13812345678")
            enrol(course=course, user=user, student_name="甲", guardian_phone="13812345678")

    assert_same_query_count(client, "/api/v1/me/enrolments", make_rows, headers=headers)


def test_course_detail_query_count_does_not_grow_with_sessions_and_coaches(client):
    from tests.support.queries import count_queries

    organiser, _staff = make_organiser()
    small = make_course(organiser=organiser, sessions=1)
    large = make_course(organiser=organiser, sessions=12)
    for _ in range(5):
        large.coaches.add(make_coach(organisation=organiser))
    client.get(f"/api/v1/courses/{small.pk}")

    few = count_queries(client, f"/api/v1/courses/{small.pk}")
    many = count_queries(client, f"/api/v1/courses/{large.pk}")

    assert few.status == many.status == 200
    assert few.count == many.count
    assert Decimal(client.get(f"/api/v1/courses/{large.pk}").json()["fee"]) == Decimal("0.00")


def test_answers_have_exactly_the_documented_fields(client):
    """The payloads and the OpenAPI serializers describe the same fields (the schema fuzzer only
    sees empty lists and 404s on its own database)."""
    from sportsplatform.training.serializers import (
        CoachDetailSerializer,
        CourseDetailSerializer,
        CourseListItemSerializer,
        EnrolmentSerializer,
    )

    organiser, _staff = make_organiser()
    course = make_course(organiser=organiser, fee="35.00")
    coach = course.coaches.get()
    user = person()
    headers = bearer(user)

    listed = client.get("/api/v1/courses").json()["results"][0]
    detail = client.get(f"/api/v1/courses/{course.pk}").json()
    enrolled = client.post(
        f"/api/v1/courses/{course.pk}/enrolments", enrol_body(), content_type="application/json", headers=headers
    ).json()
    coach_body = client.get(f"/api/v1/coaches/{coach.pk}").json()

    assert set(listed) == set(CourseListItemSerializer().fields)
    assert set(detail) == set(CourseDetailSerializer().fields)
    assert set(detail["coaches"][0]) == set(CourseDetailSerializer().fields["coaches"].child.fields)
    assert set(enrolled) == set(EnrolmentSerializer().fields)
    assert set(enrolled["order"]) == set(EnrolmentSerializer().fields["order"].fields)
    assert set(coach_body) == set(CoachDetailSerializer().fields)
