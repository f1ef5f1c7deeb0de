"""Real threads, each with its own database connection, race for the places of a course through
training.domain.enrolments — on whichever database the suite runs on (SQLite, then PostgreSQL)."""

from __future__ import annotations

import pytest

from sportsplatform.core.errors import Conflict
from sportsplatform.core.signups import HOLDS_PLACE, SignupStatus
from sportsplatform.orders.models import Order
from sportsplatform.training.domain.enrolments import enrol, withdraw_enrolment
from sportsplatform.training.models import Course, Enrolment
from tests.training.factories import make_course

from .support import race

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 20
PLACES = 5


def sign_up(course, user):
    return enrol(course=course, user=user, student_name="学员", guardian_phone="13912345678")


def assert_consistent(course: Course) -> None:
    course.refresh_from_db()
    holding = Enrolment.objects.filter(course=course, status__in=HOLDS_PLACE).count()
    assert course.taken == holding <= course.quota


@pytest.mark.parametrize("fee", ["0.00", "35.00"])
def test_twenty_people_for_five_places_five_hold_them_fifteen_wait(make_users, fee):
    course = make_course(fee=fee, quota=PLACES)
    users = make_users(THREADS)

    outcome = race(THREADS, lambda i: sign_up(course, users[i]))

    assert outcome.stuck == 0
    assert outcome.unexpected == []
    statuses = [e.status for e in outcome.results]
    expected = SignupStatus.CONFIRMED if fee == "0.00" else SignupStatus.PENDING_PAYMENT
    assert statuses.count(expected) == PLACES
    assert statuses.count(SignupStatus.WAITLISTED) == THREADS - PLACES
    assert Order.objects.count() == PLACES  # the waiting list holds no orders
    assert_consistent(course)


def test_same_person_enrolling_ten_times_at_once_gets_one_enrolment(make_users):
    course = make_course(fee="35.00", quota=PLACES)
    (user,) = make_users(1)

    outcome = race(10, lambda i: sign_up(course, user))

    assert outcome.stuck == 0
    assert len(outcome.results) == 1
    assert len(outcome.errors_of(Conflict)) == 9
    assert Enrolment.objects.filter(user=user).count() == 1
    assert Order.objects.count() == 1
    assert_consistent(course)


def test_five_withdrawing_at_once_promote_five_from_waiting_list(make_users):
    course = make_course(fee="0.00", quota=PLACES)
    users = make_users(PLACES + 10)
    enrolments = [sign_up(course, u) for u in users]
    holders, waiting = enrolments[:PLACES], enrolments[PLACES:]
    assert all(e.status == SignupStatus.WAITLISTED for e in waiting)

    outcome = race(PLACES, lambda i: withdraw_enrolment(enrolment=holders[i], actor=users[i]))

    assert outcome.stuck == 0
    assert outcome.unexpected == []
    promoted = Enrolment.objects.filter(pk__in=[e.pk for e in waiting], status=SignupStatus.CONFIRMED)
    # First come, first served: the five who waited longest.
    assert sorted(promoted.values_list("pk", flat=True)) == [e.pk for e in waiting[:PLACES]]
    assert_consistent(course)
